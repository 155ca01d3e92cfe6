package workloads

import (
	"sort"
	"strings"
	"time"
)

// Suite is a bit set of the suites a row belongs to.
type Suite uint8

const (
	Quick Suite = 1 << iota // the default runbench suite: under 2 minutes on 2 cores
	Full                    // everything
)

// Needs says what a row requires of the host. Skip turns unmet needs into a
// reason.
type Needs struct {
	Linux    bool   // raw clone: Linux amd64/arm64
	Cgo      bool   // glibc rows
	CPUs     int    // minimum online CPUs (2 for cpu=cross)
	MemBytes uint64 // free memory needed beyond the baseline (rss rows)
}

// Metric is one extra figure reported beside the primary time per op.
type Metric struct {
	Value float64
	Unit  string // "ns/switch", "ctxsw/op", "p50-ns", …
}

// Result is what Run measured for n ops.
type Result struct {
	N       int
	Elapsed time.Duration // the timed interval for all N ops
	// Unit of the primary figure: "ns/op" for real rows, "sim-ns/op" for
	// simulated ones, so benchstat never compares one with the other.
	Unit string
	// Samples are per-op timings where the row takes them (creation rows);
	// they feed p50-ns/p99-ns.
	Samples []time.Duration
	Metrics []Metric
}

// PerOp is the primary figure: Elapsed/N in nanoseconds.
func (r Result) PerOp() float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.Elapsed.Nanoseconds()) / float64(r.N)
}

// Row is one measured configuration.
type Row struct {
	// Name is "Family/key=value/…" — the benchmark name without "Benchmark".
	Name   string
	Suites Suite
	Needs  Needs
	// Doc says in one line what the op is and where its tasks run.
	Doc string
	// Run performs n ops and reports them. It must leave no task, fd or
	// mapping behind, also on error.
	Run func(n int) (Result, error)
	// SkipReason, if set, is consulted after Needs (e.g. THP unavailable).
	SkipReason func() string
	// Sim, if set, runs the same row on the simulated kernel (simkernel);
	// its Result.Unit is "sim-ns/op". It is used with runbench -kernel sim
	// and in place of Linux-only rows on other hosts.
	Sim func(n int) (Result, error)
}

// Family is the part of Name before the first '/': the Benchmark function.
func (r Row) Family() string {
	f, _, _ := strings.Cut(r.Name, "/")
	return f
}

// Sub is the part of Name after the family: the b.Run name.
func (r Row) Sub() string {
	_, s, _ := strings.Cut(r.Name, "/")
	return s
}

var registry []Row

// register adds rows at init time; each family file calls it.
func register(rows ...Row) { registry = append(registry, rows...) }

// Catalogue returns every row, in a stable order (family registration order,
// then as registered).
func Catalogue() []Row {
	out := make([]Row, len(registry))
	copy(out, registry)
	sort.SliceStable(out, func(i, j int) bool { return familyRank(out[i].Family()) < familyRank(out[j].Family()) })
	attachSim(out)
	return out
}

var familyOrder = []string{"Create", "CloneFlags", "CreateRSS", "CreateFDs", "Switch", "SwitchLibc", "SwitchOverhead", "SwitchPairs"}

func familyRank(f string) int {
	for i, x := range familyOrder {
		if x == f {
			return i
		}
	}
	return len(familyOrder)
}

// Family returns the rows of one family (the Benchmark function name without
// "Benchmark").
func Family(name string) []Row {
	var out []Row
	for _, r := range Catalogue() {
		if r.Family() == name {
			out = append(out, r)
		}
	}
	return out
}
