package workloads

import (
	"fmt"
	"sort"
	"time"

	"github.com/google/pprof/profile"

	"github.com/clonebench/clonebench/rowspec"
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
	Unit  string // a rowspec unit: rowspec.UnitNsSwitch, UnitCtxswOp, UnitP50, …
}

// Result is what Run measured for n ops.
type Result struct {
	N       int
	Elapsed time.Duration // the timed interval for all N ops
	// Unit of the primary figure: rowspec.UnitNsOp for real rows,
	// rowspec.UnitSimNsOp for simulated ones, so benchstat never compares
	// one with the other.
	Unit string
	// Samples are per-op timings where the row takes them (creation rows);
	// they feed p50-ns/p99-ns.
	Samples []time.Duration
	Metrics []Metric
	// Latency holds the histograms (in ns) behind a switch row's p50-ns …
	// p99.9-ns, which runbench merges into the run's sidecar.
	Latency []Latency
	// Profile is a profiled twin's sampled stacks (package kprof), which
	// runbench merges over samples into the row's pprof sidecar.
	Profile *profile.Profile
	// EncodedProfile is Profile as pprof's encoded bytes, instead of it,
	// for a sample taken in another process (runbench's -pprof worker):
	// runbench spools the bytes as they came, never decoding them in the
	// process the plain fork rows fork.
	EncodedProfile []byte
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
	// Spec is the row's typed name; register checks it.
	Spec rowspec.Spec
	// Name is Spec.String(): "Family/key=value/…", the benchmark name
	// without "Benchmark". register fills it in.
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
	// NoSim says why a row of a simulated family has no Sim.
	NoSim string

	// raw is the clone a raw-clone row issues, nil for other rows, so
	// tests inspect children cloned with exactly the row's flags.
	raw *rawSpec
	// observed is Run with a hook on the ping-pong partners' tids, for
	// the switch rows that create partners (observedRow).
	observed func(n int, started startedFunc) (Result, error)
}

// Family is the row's family: the Benchmark function without "Benchmark".
func (r Row) Family() rowspec.Family { return r.Spec.Family }

// Sub is the part of Name after the family: the b.Run name.
func (r Row) Sub() string { return r.Spec.Sub() }

var registry []Row

// register adds rows at init time; each family file calls it. A name is
// only ever built from a Spec, so every name the catalogue emits is one
// rowspec.Parse reads back unchanged.
func register(rows ...Row) {
	for _, r := range rows {
		if err := r.Spec.Validate(); err != nil {
			panic(fmt.Sprintf("workloads: row %+v: %v", r.Spec, err))
		}
		if r.Spec.Legacy() {
			panic(fmt.Sprintf("workloads: row %q: a creation row says where it runs (cpu=)", r.Spec))
		}
		if r.Name != "" && r.Name != r.Spec.String() {
			panic(fmt.Sprintf("workloads: row named %q has spec %q", r.Name, r.Spec))
		}
		r.Name = r.Spec.String()
		registry = append(registry, r)
	}
}

// Catalogue returns every row, in a stable order (family registration order,
// then as registered).
func Catalogue() []Row {
	out := make([]Row, len(registry))
	copy(out, registry)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Family().Rank() < out[j].Family().Rank() })
	attachSim(out)
	return out
}

// Family returns the rows of one family (the Benchmark function name without
// "Benchmark").
func Family(f rowspec.Family) []Row {
	var out []Row
	for _, r := range Catalogue() {
		if r.Family() == f {
			out = append(out, r)
		}
	}
	return out
}
