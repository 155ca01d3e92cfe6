package resultfile

import (
	"fmt"
	"strings"

	"github.com/clonebench/clonebench/internal/sysinfo"
)

// Machine is what a run's config lines say about where it ran. It is the
// one owner of three questions: which runs are comparable (Compare), how
// a machine is named in a chart or a table (Label, Caption), and whether
// the figures are simulated (Simulated).
//
// It separates the machine (sysinfo.MachineKeys: hardware and host) from
// the configuration under test (sysinfo.ConfigKeys: kernel, thp,
// mitigations, governor). One machine under two kernels is one machine
// with two configurations: its runs compare, and say what differs.
type Machine struct {
	Config []Config
}

// MachineOf is the machine cfg's lines describe.
func MachineOf(cfg []Config) Machine { return Machine{Config: cfg} }

// Machine is the machine of the file's first result.
func (f *File) Machine() Machine { return MachineOf(f.Config) }

// Get returns the value of config key k, or "".
func (m Machine) Get(k string) string { return get(m.Config, k) }

// ID tells machines apart: the machine keys' values, never the
// configuration's, so one machine's runs across kernel versions share it.
func (m Machine) ID() string {
	var id []string
	for _, k := range sysinfo.MachineKeys {
		if v := m.Get(k); v != "" {
			id = append(id, k+"="+v)
		}
	}
	return strings.Join(id, " ")
}

// Simulated reports whether the lines are simkernel's: kernel: sim, or
// simkernel's own sim: true.
func (m Machine) Simulated() bool {
	return m.Get(sysinfo.KeyKernel) == sysinfo.KernelSim || m.Get(sysinfo.KeySim) == "true"
}

// Label is the machine's short name for a chart legend or a table: the
// host, or the cpu and kernel, marked when simulated.
func (m Machine) Label() string {
	var l string
	switch {
	case m.Get(sysinfo.KeyHost) != "":
		l = m.Get(sysinfo.KeyHost)
	case m.Get(sysinfo.KeyCPU) != "" || m.Get(sysinfo.KeyKernel) != "":
		var parts []string
		if v := m.Get(sysinfo.KeyCPU); v != "" {
			parts = append(parts, v)
		}
		if v := m.Get(sysinfo.KeyKernel); v != "" {
			parts = append(parts, "kernel "+v)
		}
		l = strings.Join(parts, ", ")
	default:
		l = "unknown machine"
	}
	if m.Simulated() && !strings.Contains(l, "simulated") {
		l += " (simulated)"
	}
	return l
}

// captionKeys are the facts a chart's caption names the machine by.
var captionKeys = []string{sysinfo.KeyHost, sysinfo.KeyCPU, sysinfo.KeyKernel, sysinfo.KeyVirtualization, sysinfo.KeyNproc}

// Caption is the line under a chart naming the machine by its config
// lines.
func (m Machine) Caption() string {
	var parts []string
	for _, k := range captionKeys {
		if v := m.Get(k); v != "" {
			parts = append(parts, k+": "+v)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "machine: unknown (no cpu/kernel config lines in the input)")
	}
	s := strings.Join(parts, "  ·  ")
	if m.Simulated() {
		s += "  ·  SIMULATED kernel: model figures, not measurements"
	}
	return s
}

// KeyChange is one config key whose value differs between two runs.
type KeyChange struct{ Key, Old, New string }

func (c KeyChange) String() string { return fmt.Sprintf("%s %s → %s", c.Key, c.Old, c.New) }

// Difference is what differs between two runs' lines, by kind.
type Difference struct {
	// Machine are machine keys present in both with different values:
	// the runs come from different machines.
	Machine []KeyChange
	// Config are configuration keys that differ: one machine under two
	// kernels or settings, which is what a comparison is for.
	Config []KeyChange
	// State are the state keys that differ (load, memory): shown beside
	// a change so a shift can be told from a regression.
	State []KeyChange
}

// Differ is what differs between the machines old and new: a key absent
// from either side is no difference (older files lack some keys).
func Differ(old, new Machine) Difference {
	var d Difference
	changes := func(keys []string) []KeyChange {
		var out []KeyChange
		for _, k := range keys {
			a, b := old.Get(k), new.Get(k)
			if a != "" && b != "" && a != b {
				out = append(out, KeyChange{k, a, b})
			}
		}
		return out
	}
	d.Machine = changes(sysinfo.MachineKeys)
	d.Config = changes(sysinfo.ConfigKeys)
	d.State = changes(sysinfo.StateKeys)
	return d
}
