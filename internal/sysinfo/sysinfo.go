package sysinfo

import (
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Fact is one config line: a lowercase key without spaces and its value.
type Fact struct {
	Key, Value string
}

// Unknown is the value of a fact that could not be read.
const Unknown = "unknown"

// MachineKeys are the facts that identify a machine and its configuration:
// results that differ in any of them are not comparable. Facts that vary
// from run to run on one machine (loadavg, mem, reclaim, commit, go) are
// not among them; StateKeys are those compare shows beside a change.
var MachineKeys = []string{
	"goos", "goarch", "cpu", "kernel", "nproc", "virtualization",
	"governor", "thp", "mitigations", "host",
}

// StateKeys are the facts that describe the machine's state at the start
// of a run: the load and the memory state creation rows depend on.
var StateKeys = []string{"loadavg", "mem", "reclaim"}

// IsMachineKey reports whether key is one of MachineKeys.
func IsMachineKey(key string) bool {
	for _, k := range MachineKeys {
		if k == key {
			return true
		}
	}
	return false
}

// Collect returns the machine facts in the order they are written: the
// keys go test prints first (goos, goarch, cpu), then the rest. A fact that
// cannot be read has the value Unknown, never an empty value (an empty
// value would delete the key in the benchmark format).
func Collect() []Fact {
	facts := []Fact{
		{"goos", runtime.GOOS},
		{"goarch", runtime.GOARCH},
		{"cpu", orUnknown(CPUModel())},
		{"kernel", orUnknown(KernelRelease())},
		{"nproc", strconv.Itoa(runtime.NumCPU())},
		{"virtualization", orUnknown(Virtualization())},
		{"governor", orUnknown(Governor())},
		{"thp", orUnknown(THP())},
		{"mitigations", orUnknown(Mitigations())},
		{"loadavg", orUnknown(loadavgString())},
		// Machine state, not identity: it drifts on one machine, and compare
		// shows where it differs so a shift can be told from a regression.
		{"mem", orUnknown(MemState())},
		{"reclaim", orUnknown(Reclaim())},
		{"gomaxprocs", strconv.Itoa(runtime.GOMAXPROCS(0))},
		{"go", runtime.Version()},
		{"host", orUnknown(Hostname())},
	}
	facts = append(facts, Topology()...)
	return facts
}

// Hostname is the short host name (up to the first dot).
func Hostname() (string, error) {
	h, err := os.Hostname()
	if err != nil {
		return "", err
	}
	h, _, _ = strings.Cut(h, ".")
	return h, nil
}

func loadavgString() (string, error) {
	l, err := LoadAvg()
	if err != nil {
		return "", err
	}
	return strconv.FormatFloat(l[0], 'f', 2, 64) + " " +
		strconv.FormatFloat(l[1], 'f', 2, 64) + " " +
		strconv.FormatFloat(l[2], 'f', 2, 64), nil
}

// orUnknown turns a failed or empty reading into Unknown and flattens the
// value onto one line, as a config line needs.
func orUnknown(v string, err error) string {
	v = strings.Join(strings.Fields(v), " ")
	if err != nil || v == "" {
		return Unknown
	}
	return v
}
