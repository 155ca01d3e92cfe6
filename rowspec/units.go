package rowspec

import (
	"fmt"
	"strings"
)

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
	// UnitP90 and UnitP999 complete the latency set switch rows report per
	// round trip (p50, p90, p99, p99.9), from a log-linear histogram.
	UnitP90  = "p90-ns"
	UnitP999 = "p99.9-ns"
	// UnitNsRoundTrip is a SwitchWake row's round trip, beside its
	// per-wake-up ns/op.
	UnitNsRoundTrip = "ns/roundtrip"
	// UnitOverhead is simkernel's calibrated overhead figure.
	UnitOverhead = "overhead-ns"
	// UnitRoundTripsPerSec is SwitchPairs' whole-system throughput.
	UnitRoundTripsPerSec = "roundtrips/s"
	// UnitCreationsPerSec is CreatePar's whole-system throughput: the
	// creations every creator completed in the common window, per second.
	UnitCreationsPerSec = "creations/s"
	// UnitOverlap is the share of a CreatePar sample's span (first
	// creator's start to last one's end) during which every creator ran:
	// the common window its figures come from, 1 when they ran in step.
	UnitOverlap = "overlap"

	// Disturbance of one sample: the involuntary context switches and CPU
	// migrations of the measuring thread while it ran the sample's ops
	// (counts per sample, not per op). A sample with either above zero was
	// disturbed: something else ran on its CPU, or it moved.
	UnitDisturbIctxsw     = "disturb-ictxsw"
	UnitDisturbMigrations = "disturb-migrations"

	// The Go parent's footprint, recorded on fork rows whose parent is the
	// Go process: what fork copies besides the loop's own needs.
	UnitParentRSS  = "parent-rss-bytes"
	UnitParentPTE  = "parent-pte-bytes"
	UnitParentMaps = "parent-maps"

	// UnitPlainNsOp is a profiled twin's (…/pprof=cpu) plain ns/op,
	// taken beside each profiled sample in the same worker process (run
	// -pprof): the twin's ns/op over it is the sampling's overhead. The
	// plain row's own ns/op is measured in the runner, a process of
	// another shape, and is no reference for a fork-style twin.
	UnitPlainNsOp = "plain-ns/op"

	// Phases of a probed creation row (package probe): each is ns per op,
	// and a row's phases sum to its ns/op.
	UnitBetweenNsOp  = "between-ns/op"  // parent's system calls between the join and the next clone
	UnitCopyNsOp     = "copy-ns/op"     // clone/clone3 entry → task_newtask: copy_process
	UnitStartNsOp    = "start-ns/op"    // task_newtask → the child's first switch in
	UnitRunNsOp      = "run-ns/op"      // the child's first switch in → its exit entry
	UnitTeardownNsOp = "teardown-ns/op" // exit/exit_group entry → the child's last switch away: do_exit
	UnitReapNsOp     = "reap-ns/op"     // → the parent's next system call after wait4/futex returned
	UnitOtherNsOp    = "other-ns/op"    // ops the probe could not split (a mark missing)

	// Phases of a probed switch row (package probe): each is ns per round
	// trip, and a row's phases sum to its ns/op. Each names the event
	// that ends it; the previous tracked event starts it.
	UnitSyscallNsOp = "syscall-ns/op" // a task's system call entry → its sched_waking of the partner
	UnitReturnNsOp  = "return-ns/op"  // → the waker's next system call entry (rest of the call, user code)
	UnitBlockNsOp   = "block-ns/op"   // → sched_switch away from a tracked task (the wait call to schedule)
	UnitSwitchNsOp  = "switch-ns/op"  // sched_switch into a task → its next system call entry
	UnitWakeupNsOp  = "wakeup-ns/op"  // → sched_switch into a tracked task from another task or idle

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

// UnitKthreadNsOp is the CPU time the kernel's own threads (kworkers, RCU,
// ksoftirqd) ran, per op, from the start of a CreateNS row's loop until
// they went quiet after it: where the deferred namespace teardown runs
// (cleanup_net on the netns workqueue, free_ipc, free_user_ns, RCU
// callbacks), on whichever CPU the kernel chose.
const UnitKthreadNsOp = "kthread-ns/op"

// Phase is one interval of a probed creation op. The schema owns the list:
// package probe numbers its BPF sums by Phase, and a row reports each as
// Phase.Unit, so the two never disagree on order or name.
type Phase int

// The phases in the order they tile an op.
const (
	PhaseBetween Phase = iota
	PhaseCopy
	PhaseStart
	PhaseRun
	PhaseTeardown
	PhaseReap
	NumPhases
)

var phaseUnits = [NumPhases]string{UnitBetweenNsOp, UnitCopyNsOp, UnitStartNsOp, UnitRunNsOp, UnitTeardownNsOp, UnitReapNsOp}

// Phases lists every phase in op order.
func Phases() []Phase {
	out := make([]Phase, NumPhases)
	for i := range out {
		out[i] = Phase(i)
	}
	return out
}

// Unit is the unit a probed row reports p in.
func (p Phase) Unit() string { return phaseUnits[p] }

// String is p's name: its unit less "-ns/op".
func (p Phase) String() string {
	if p < 0 || p >= NumPhases {
		return fmt.Sprintf("Phase(%d)", int(p))
	}
	return phaseName(phaseUnits[p])
}

// SwitchPhase is one interval of a probed switch row's round trip, owned
// here as Phase is.
type SwitchPhase int

// The switch phases, in the order one direction of a round trip passes
// through them on one CPU.
const (
	SwitchSyscall SwitchPhase = iota
	SwitchReturn
	SwitchBlock
	SwitchSwitch
	SwitchWakeup
	NumSwitchPhases
)

var switchPhaseUnits = [NumSwitchPhases]string{UnitSyscallNsOp, UnitReturnNsOp, UnitBlockNsOp, UnitSwitchNsOp, UnitWakeupNsOp}

// SwitchPhases lists every switch phase in order.
func SwitchPhases() []SwitchPhase {
	out := make([]SwitchPhase, NumSwitchPhases)
	for i := range out {
		out[i] = SwitchPhase(i)
	}
	return out
}

// Unit is the unit a probed switch row reports p in.
func (p SwitchPhase) Unit() string { return switchPhaseUnits[p] }

// String is p's name: its unit less "-ns/op".
func (p SwitchPhase) String() string {
	if p < 0 || p >= NumSwitchPhases {
		return fmt.Sprintf("SwitchPhase(%d)", int(p))
	}
	return phaseName(switchPhaseUnits[p])
}

func phaseName(unit string) string { return strings.TrimSuffix(unit, "-"+UnitNsOp) }

// PhaseUnits are the phase units in the order they tile a creation op:
// each Phase's, then UnitOtherNsOp for the ops the probe could not split.
func PhaseUnits() []string {
	return append(phaseUnits[:], UnitOtherNsOp)
}

// SwitchPhaseUnits are the phase units of a probed switch row, in
// SwitchPhase order.
func SwitchPhaseUnits() []string { return append([]string(nil), switchPhaseUnits[:]...) }

// SwitchPhaseOf is the phase a unit (real or simulated) of a probed
// switch row reports, and whether it is one of SwitchPhaseUnits.
func SwitchPhaseOf(u string) (string, bool) {
	u = Real(u)
	for _, pu := range SwitchPhaseUnits() {
		if u == pu {
			return phaseName(u), true
		}
	}
	return "", false
}

// PhaseUnit is the unit of phase p: "p-ns/op".
func PhaseUnit(p string) string { return p + "-" + UnitNsOp }

// PhaseOf is the phase a unit (real or simulated) reports, and whether it is
// one of PhaseUnits.
func PhaseOf(u string) (string, bool) {
	u = Real(u)
	for _, pu := range PhaseUnits() {
		if u == pu {
			return phaseName(u), true
		}
	}
	return "", false
}
