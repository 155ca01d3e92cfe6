package simkernel

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/montanaflynn/stats"

	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// FitReport says how a profile was fitted and how well it reproduces the
// rows it was fitted from.
type FitReport struct {
	Source   string
	Rows     int      // rows of the file used (medians over repeated runs)
	Held     []string // rows left out of the fit (FitOptions.HoldOut)
	Warnings []string // parameters the file could not determine
	// Checks compares, for every row of the file the model simulates, the
	// measured figure with the fitted model's prediction.
	Checks []Check
}

// Check is one row's measured time per op (p50-ns where the row has it,
// else ns/op) against the model's prediction.
type Check struct {
	Name      string
	Measured  float64
	Predicted float64
	Held      bool // the row was not used by the fit
}

// RelErr is (Predicted − Measured)/Measured.
func (c Check) RelErr() float64 { return (c.Predicted - c.Measured) / c.Measured }

// FitOptions tune FitWith.
type FitOptions struct {
	// HoldOut names rows (as in the catalogue, without "Benchmark") the fit
	// must not use; they are still predicted in FitReport.Checks.
	HoldOut func(name string) bool
}

// Fit calibrates a Profile from a real Linux result file in the benchmark
// format (go test -bench or runbench output), read from r through
// resultfile.Parse; name is the file's name for error messages and the
// profile's Source. A file of simulated figures is refused with
// ErrSimulated.
func Fit(r io.Reader, name string) (Profile, FitReport, error) {
	return FitWith(r, name, FitOptions{})
}

// ErrSimulated refuses to calibrate the model on its own output.
var ErrSimulated = errors.New("simkernel: result file holds simulated rows (kernel: sim or sim-ns/op); fit needs a real Linux run")

// measured is the file's rows: each unit's median over repeated runs, the
// centre benchstat reports, so the model predicts what a reader compares.
// (The minimum, lmbench's choice, was tried: the process ping-pong rows are
// bimodal and the minimum picks their rare fast mode.) Creation rows
// contribute their p50-ns, itself a median over the run's ops.
type measured struct {
	specs []rowspec.Spec // sorted by name
	vals  map[rowspec.Spec]map[string]float64
}

func (m measured) get(sp rowspec.Spec, unit string) (float64, bool) {
	v, ok := m.vals[sp][unit]
	return v, ok
}

// ns is the row's typical time per op: the median per-op sample (p50-ns)
// where the row takes samples, else ns/op. On a shared machine a few ops
// that lose the CPU to another process move the mean far more than the
// median, and they measure the neighbour, not the kernel.
func (m measured) ns(sp rowspec.Spec) (float64, bool) {
	if v, ok := m.get(sp, rowspec.UnitP50); ok {
		return v, true
	}
	return m.get(sp, rowspec.UnitNsOp)
}

// without returns m less the rows hold selects by name, and their names.
func (m measured) without(hold func(string) bool) (measured, []string) {
	if hold == nil {
		return m, nil
	}
	out := measured{vals: map[rowspec.Spec]map[string]float64{}}
	var held []string
	for _, sp := range m.specs {
		if name := sp.String(); hold(name) {
			held = append(held, name)
			continue
		}
		out.specs = append(out.specs, sp)
		out.vals[sp] = m.vals[sp]
	}
	return out, held
}

// readResults reads the file through resultfile, the one reader that
// decides what a valid result file and a simulated row are.
func readResults(r io.Reader, file string) (measured, map[string]string, error) {
	rf, err := resultfile.Parse(r, file)
	if err != nil {
		return measured{}, nil, fmt.Errorf("simkernel: %w", err)
	}
	if rf.Simulated() {
		return measured{}, nil, fmt.Errorf("%s: %w", file, ErrSimulated)
	}
	// One profile models one machine; rows of two machines pasted together
	// would be averaged into a machine that does not exist.
	if err := rf.OneMachine(); err != nil {
		return measured{}, nil, fmt.Errorf("simkernel: %w", err)
	}
	config := map[string]string{}
	for _, c := range rf.Config {
		config[c.Key] = c.Value
	}
	m := measured{vals: map[rowspec.Spec]map[string]float64{}}
	for _, row := range rf.Rows {
		if !row.Known {
			continue // another benchmark's row: the model has nothing to fit it to
		}
		if _, dup := m.vals[row.Spec]; dup {
			return measured{}, nil, fmt.Errorf("simkernel: %s: %s appears as two rows", row.Pos, row.Name)
		}
		vals := map[string]float64{}
		for _, u := range row.Units {
			med, err := stats.Median(row.Values(u))
			if err != nil {
				return measured{}, nil, fmt.Errorf("simkernel: %s: %s %s: %w", row.Pos, row.Name, u, err)
			}
			vals[u] = med
		}
		// The overhead a Switch row measured beside its round trips (with
		// its working set) is only meaningful within one line.
		var ov []float64
		for _, s := range row.Samples {
			rt, ok1 := s.Get(rowspec.UnitNsOp)
			net, ok2 := s.Get(rowspec.UnitNsSwitchNet)
			if ok1 && ok2 {
				ov = append(ov, rt/2-net)
			}
		}
		if len(ov) > 0 {
			vals[rowspec.UnitOverhead], _ = stats.Median(ov)
		}
		m.specs = append(m.specs, row.Spec)
		m.vals[row.Spec] = vals
	}
	slices.SortFunc(m.specs, func(a, b rowspec.Spec) int { return strings.Compare(a.String(), b.String()) })
	return m, config, nil
}

// FitWith is Fit with options (rows held out for validation).
func FitWith(r io.Reader, name string, opt FitOptions) (Profile, FitReport, error) {
	all, config, err := readResults(r, name)
	if err != nil {
		return Profile{}, FitReport{}, err
	}
	m, held := all.without(opt.HoldOut)
	if len(m.specs) == 0 {
		return Profile{}, FitReport{}, fmt.Errorf("simkernel: %s: no clonebench rows to fit (all held out, or none in the file)", name)
	}
	f := fitter{m: m, rep: FitReport{Source: name, Rows: len(m.specs), Held: held}}
	p := Profile{
		Source:    name,
		Config:    config,
		CPUs:      f.cpus(config),
		FlagCost:  map[string]float64{},
		Extra:     map[string]float64{},
		Overhead:  map[string]float64{},
		Goroutine: map[string]float64{},
	}
	f.fitSwitch(&p)
	if err := f.fitCreate(&p); err != nil {
		return Profile{}, f.rep, fmt.Errorf("%s: %w", name, err)
	}
	f.fitColocated(&p)
	f.fitPairs(&p)
	if err := p.Validate(); err != nil {
		return Profile{}, f.rep, fmt.Errorf("%s: %w", name, err)
	}
	f.rep.Checks = predict(p, all, held)
	return p, f.rep, nil
}

type fitter struct {
	m   measured
	rep FitReport
}

func (f *fitter) warnf(format string, args ...any) {
	f.rep.Warnings = append(f.rep.Warnings, fmt.Sprintf(format, args...))
}

// nonneg refuses a negative cost: a slope or step below zero is noise.
func (f *fitter) nonneg(what string, v float64) float64 {
	if v < 0 {
		f.warnf("%s measured %.3g ns, inside the noise: taken as 0", what, v)
		return 0
	}
	return v
}

// rows returns the rows of family that keep selects (every one if keep is
// nil), in name order.
func (f *fitter) rows(family rowspec.Family, keep func(rowspec.Spec) bool) []rowspec.Spec {
	var out []rowspec.Spec
	for _, sp := range f.m.specs {
		if sp.Family == family && (keep == nil || keep(sp)) {
			out = append(out, sp)
		}
	}
	return out
}

func (f *fitter) cpus(config map[string]string) int {
	if n, err := strconv.Atoi(config[sysinfo.KeyNproc]); err == nil && n > 0 {
		return n
	}
	most := 0
	for _, sp := range f.rows(rowspec.SwitchPairs, nil) {
		most = max(most, sp.Pairs)
	}
	if most > 0 {
		return most
	}
	f.warnf("no nproc config line and no SwitchPairs rows: modelling 1 CPU")
	return 1
}

// slope fits y = a + b·x by least squares and returns b.
func slope(xs, ys []float64) (float64, error) {
	if len(xs) < 2 {
		return 0, fmt.Errorf("%d points", len(xs))
	}
	series := make(stats.Series, len(xs))
	for i := range xs {
		series[i] = stats.Coordinate{X: xs[i], Y: ys[i]}
	}
	fit, err := stats.LinearRegression(series)
	if err != nil {
		return 0, err
	}
	lo, hi := 0, 0
	for i := range xs {
		if xs[i] < xs[lo] {
			lo = i
		}
		if xs[i] > xs[hi] {
			hi = i
		}
	}
	if xs[hi] == xs[lo] {
		return 0, fmt.Errorf("all %d points at x=%g", len(xs), xs[lo])
	}
	return (fit[hi].Y - fit[lo].Y) / (fit[hi].X - fit[lo].X), nil
}

func mean(vs []float64) float64 {
	m, _ := stats.Mean(vs)
	return m
}

// predict simulates every row of the file (held-out rows included) with p.
func predict(p Profile, m measured, held []string) []Check {
	var out []Check
	for _, sp := range m.specs {
		v, ok := m.ns(sp)
		if !ok || v == 0 {
			continue
		}
		res, err := Run(p, sp, 10)
		if err != nil {
			continue // a row the profile cannot simulate is a FitReport warning already
		}
		name := sp.String()
		out = append(out, Check{Name: name, Measured: v, Predicted: res.PerOp(), Held: slices.Contains(held, name)})
	}
	return out
}
