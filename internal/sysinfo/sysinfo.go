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

// Collect returns the machine facts in the order they are written: the
// keys go test prints first (goos, goarch, cpu), then the rest. A fact that
// cannot be read has the value Unknown, never an empty value (an empty
// value would delete the key in the benchmark format).
func Collect() []Fact {
	facts := []Fact{
		{KeyGOOS, runtime.GOOS},
		{KeyGOARCH, runtime.GOARCH},
		{KeyCPU, orUnknown(CPUModel())},
		{KeyKernel, orUnknown(KernelRelease())},
		{KeyNproc, strconv.Itoa(runtime.NumCPU())},
		{KeyVirtualization, orUnknown(Virtualization())},
		{KeyGovernor, orUnknown(Governor())},
		{KeyTHP, orUnknown(THP())},
		{KeyMitigations, orUnknown(Mitigations())},
		{KeyLoadavg, orUnknown(loadavgString())},
		// Machine state, not identity: it drifts on one machine, and compare
		// shows where it differs so a shift can be told from a regression.
		{KeyMem, orUnknown(MemState())},
		{KeyReclaim, orUnknown(Reclaim())},
		{KeyCPULimit, orUnknown(cpuLimitString())},
		{KeyTracingBPF, orUnknown(TracingBPF())},
		{KeyGOMAXPROCS, strconv.Itoa(runtime.GOMAXPROCS(0))},
		{KeyGo, runtime.Version()},
		{KeyHost, orUnknown(Hostname())},
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
