package rowspec

import "strings"

// Units. Every figure clonebench writes carries one of these, and every
// reader matches on these constants, never on spelled-out strings.
const (
	// UnitNsOp is the primary figure of every real row: ns per op.
	UnitNsOp = "ns/op"
	// UnitNsSwitch is half a round trip: one switch.
	UnitNsSwitch = "ns/switch"
	// UnitNsSwitchNet is a switch less the mechanism's overhead (lmbench).
	UnitNsSwitchNet = "ns/switch-net"
	// UnitCtxswOp counts every switch away from either task per op.
	UnitCtxswOp = "ctxsw/op"
	// UnitICtxswOp is the involuntary share of UnitCtxswOp.
	UnitICtxswOp = "ictxsw/op"
	// UnitP50 and UnitP99 are per-op percentiles, in ns.
	UnitP50 = "p50-ns"
	UnitP99 = "p99-ns"
	// UnitOverhead is simkernel's calibrated overhead figure.
	UnitOverhead = "overhead-ns"
	// UnitRoundTripsPerSec is SwitchPairs' whole-system throughput.
	UnitRoundTripsPerSec = "roundtrips/s"

	// SimPrefix marks a simulated figure: "sim-ns/op" is simkernel's virtual
	// time, never compared with a real "ns/op".
	SimPrefix = "sim-"
)

// UnitSimNsOp is the primary figure of a simulated row.
const UnitSimNsOp = SimPrefix + UnitNsOp

// Sim is unit u as a simulated row writes it.
func Sim(u string) string { return SimPrefix + u }

// IsSim reports whether u is a simulated unit.
func IsSim(u string) bool { return strings.HasPrefix(u, SimPrefix) }

// Real is u without the simulated prefix.
func Real(u string) string { return strings.TrimPrefix(u, SimPrefix) }
