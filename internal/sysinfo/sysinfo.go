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
// from run to run on one machine (loadavg, commit, go) are not among them.
var MachineKeys = []string{
	"goos", "goarch", "cpu", "kernel", "nproc", "virtualization",
	"governor", "thp", "mitigations", "host",
}

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
		{"gomaxprocs", strconv.Itoa(runtime.GOMAXPROCS(0))},
		{"go", runtime.Version()},
		{"host", orUnknown(Hostname())},
	}
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
