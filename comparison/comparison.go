package comparison

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/perf/benchmath"

	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// ErrNoCommonRows is wrapped when the two sides share no row and unit.
var ErrNoCommonRows = errors.New("no benchmark and unit in common")

// Options are what a comparison is held to.
type Options struct {
	// Alpha is the significance level of each row's test, in (0, 1).
	Alpha float64
	// Threshold is the smallest change of a per-op time called a
	// regression or an improvement, as a fraction (0.05 = 5%).
	Threshold float64
	// Confidence is the level of every interval (default 0.95).
	Confidence float64
	// Force compares runs of different machines.
	Force bool
	// History are earlier runs of the machine: with one run a side, their
	// spread is what a row's change is tested against. Runs of other
	// machines and partial runs are ignored; the caller leaves out the
	// runs being compared.
	History []*resultfile.File
}

// DefaultOptions are compare's defaults.
var DefaultOptions = Options{Alpha: 0.05, Threshold: 0.05, Confidence: 0.95}

// Check refuses options outside their range, naming the flag a user set.
func (o Options) Check() error {
	if err := CheckAlpha(o.Alpha); err != nil {
		return err
	}
	if !(o.Threshold >= 0) || math.IsInf(o.Threshold, 0) {
		return fmt.Errorf("-threshold must be a finite percentage ≥ 0, not %v%%", o.Threshold*100)
	}
	if o.Confidence != 0 && !(o.Confidence > 0 && o.Confidence < 1) {
		return fmt.Errorf("confidence must be in range (0, 1), not %v", o.Confidence)
	}
	return nil
}

// CheckAlpha refuses a significance level outside (0, 1), NaN included:
// NaN fails every comparison, so it passes a check for "out of range".
func CheckAlpha(a float64) error {
	if !(a > 0 && a < 1) {
		return fmt.Errorf("-alpha must be in range (0, 1), not %v", a)
	}
	return nil
}

func (o Options) confidence() float64 {
	if o.Confidence == 0 {
		return 0.95
	}
	return o.Confidence
}

// Class is what a row's change is called.
type Class int

const (
	// NotSignificant: the test does not reject "no change" (benchstat's ~).
	NotSignificant Class = iota
	// WithinThreshold: significant, but smaller than the threshold.
	WithinThreshold
	// Regression: significant and slower by more than the threshold.
	Regression
	// Improvement: significant and faster by more than the threshold.
	Improvement
)

// String is the class as every output writes it.
func (c Class) String() string {
	switch c {
	case Regression:
		return "regression"
	case Improvement:
		return "improvement"
	case WithinThreshold:
		return "within threshold"
	}
	return "~"
}

// Legend is the class explained for a chart's legend.
func (c Class) Legend(threshold float64) string {
	switch c {
	case Regression:
		return fmt.Sprintf("regression (p < α, slower by > %.0f%%)", threshold*100)
	case Improvement:
		return fmt.Sprintf("improvement (p < α, faster by > %.0f%%)", threshold*100)
	case WithinThreshold:
		return "significant, within threshold"
	}
	return "no significant change (~)"
}

// Verdict is the comparison's answer, and decides the exit code.
type Verdict int

const (
	// OK: no significant regression over the threshold.
	OK Verdict = iota
	// Regressions: at least one per-op time regressed.
	Regressions
	// MachineShift: every creation and switch row moved together, which
	// on one machine and configuration is the machine's state.
	MachineShift
	// Incomparable: the sides must not be compared (different machines
	// without Force, simulated against real).
	Incomparable
)

// ExitCode is the verdict's exit code, as README documents it.
func (v Verdict) ExitCode() int {
	switch v {
	case Regressions:
		return 1
	case Incomparable:
		return 2
	case MachineShift:
		return 4
	}
	return 0
}

func (v Verdict) String() string {
	switch v {
	case Regressions:
		return "regressions"
	case MachineShift:
		return "machine shift"
	case Incomparable:
		return "incomparable"
	}
	return "ok"
}

// Kind is how a comparison's rows are tested: what its unit of
// replication is.
type Kind int

const (
	// OneRun: one run a side. A run's samples share its host state, so
	// they are not replicates of anything but that state: each row's run
	// median is tested against the between-run spread that earlier runs
	// of the machine show (Options.History), or a stated default.
	OneRun Kind = iota
	// Runs: several runs a side; each run's median is one replicate.
	Runs
	// Paired: an A/B session; each round's pair is one replicate.
	Paired
)

// DefaultRunSpread is the between-run standard deviation of a row's log
// run median assumed when no earlier runs of the machine say what it is:
// runs minutes apart on the 2-vCPU guests this suite is built on drift
// 5–15%, so 10% is a conservative middle, and the minimum detectable
// change that follows (about ±28% at α = 0.05) says how little one run a
// side can tell.
const DefaultRunSpread = 0.10

// MinSpreadRuns is how many earlier runs of a row a between-run spread
// needs before it replaces DefaultRunSpread.
const MinSpreadRuns = 3

// Row is one row's comparison in one unit.
type Row struct {
	// Name is the name rows are paired by (resultfile.Row.CompareName).
	Name      string
	Unit      string // the table's unit
	Simulated bool
	// Old and New summarise each side's samples pooled (median and its
	// distribution-free CI), for display: they are not the test.
	Old, New benchmath.Summary
	// OldRuns and NewRuns are the replicates a side: runs holding the
	// row, or rounds in a Paired comparison.
	OldRuns, NewRuns int
	// Change is the estimated change new/old − 1; ChangeLo and ChangeHi
	// are its interval (Comparison.Interval says how it is computed),
	// ±Inf when unknown.
	Change, ChangeLo, ChangeHi float64
	// P is the row's test's p-value, Q the Benjamini–Hochberg adjusted
	// one across its table. NaN when the row cannot be tested.
	P, Q float64
	// MDC is the smallest change the row's test could call significant
	// at α (a fraction), NaN where not defined (Paired: the CI says it).
	MDC float64
	// Spread is the between-run standard deviation of the log median a
	// OneRun test used, from SpreadRuns earlier runs (0: the default).
	Spread     float64
	SpreadRuns int
	// Overlap is set when the sides' run medians' ranges overlap: a Runs
	// comparison then calls no change (LKP's rule).
	Overlap bool
	// Mixture is set when either side's samples are a placement mixture
	// (the rule at MixtureGap): such a row is shown, never decides alone.
	Mixture bool
	Class   Class
	// Disturbed counts the samples whose disturbance counts say they
	// were disturbed, of those that carry the counts, per side.
	OldDisturbed, OldCounted, NewDisturbed, NewCounted int
}

// Significant reports whether the row's change is significant after the
// false discovery rate control.
func (r *Row) Significant() bool { return r.Class != NotSignificant }

// Table is every row's comparison in one unit.
type Table struct {
	// Unit is benchfmt's tidied unit (sec/op for ns/op), OrigUnit as
	// written.
	Unit, OrigUnit string
	// Primary is set for the per-op time, the only unit a verdict reads.
	Primary bool
	Rows    []*Row
	// Geomean is the geometric mean of the old and new centers and of
	// the ratios, when more than one row has both (benchstat's row).
	Geomean *Geomean
}

// Geomean is a table's summary row.
type Geomean struct{ Old, New, Ratio float64 }

// Side is one side of a comparison.
type Side struct {
	Files   []*resultfile.File
	Machine resultfile.Machine
	// Name is the side's column heading.
	Name string
}

// Comparison is the one value every output of a comparison reads.
type Comparison struct {
	Opts     Options
	Kind     Kind
	Old, New Side
	// Agreed are the header's config lines both sides agree on.
	Agreed []resultfile.Config
	// Differ is what differs between the sides' machines.
	Differ resultfile.Difference
	// Forced is set when Force let different machines compare.
	Forced bool
	Tables []*Table
	// Regressions are the primary rows classed Regression, mixtures
	// included; Deciding are those that decide the verdict.
	Regressions, Deciding []*Row
	// ShiftLo and ShiftHi bound the common move of a machine shift.
	ShiftLo, ShiftHi float64
	// Moved is how many primary rows the shift rule looked at.
	Moved   int
	Verdict Verdict
	// Reason says why the sides are Incomparable.
	Reason string
	// Method names the test behind each p-value and the replicates it
	// counts; Interval says what each row's ChangeLo … ChangeHi is,
	// IntervalShort the same for a legend.
	Method, Interval, IntervalShort string
	// Notes are what a reader must know beside the verdict (mixtures that
	// did not decide it, spreads that are defaults).
	Notes []string
	// Disturbed are the rows either side says had disturbed samples
	// (resultfile's rule), in the new side's order. None is dropped.
	Disturbed []Disturbance
	// Profiles are, for rows profiled on both sides (pprof sidecars), the
	// functions whose time per op moved most (AddProfiles).
	Profiles []ProfileDiff
}

// ProfileMoves is how many functions per row AddProfiles keeps.
const ProfileMoves = 8

// AddProfiles puts the profile difference of the two sides' profiled rows
// into c, so every output of c can show why a row moved, down to the
// kernel function.
func (c *Comparison) AddProfiles(old, new []resultfile.RowProfile) {
	c.Profiles = DiffProfiles(old, new, ProfileMoves)
}

// Disturbance is one row's disturbed samples on each side.
type Disturbance struct {
	Name                   string
	Old, OldOf, New, NewOf int
}

// Primary is the per-op time's table, or nil.
func (c *Comparison) Primary() *Table {
	for _, t := range c.Tables {
		if t.Primary {
			return t
		}
	}
	return nil
}

// headerKeys are the config lines a comparison's header shows when both
// sides agree on them, as benchstat prints its header.
var headerKeys = []string{
	sysinfo.KeyGOOS, sysinfo.KeyGOARCH, sysinfo.KeyPkg, sysinfo.KeyCPU, sysinfo.KeyKernel, sysinfo.KeyVirtualization,
}

// IsPrimary reports whether unit u, as written, is a per-op time: the
// figures whose regressions decide a verdict.
func IsPrimary(u string) bool { return u == rowspec.UnitNsOp || u == rowspec.UnitSimNsOp }

// Compare compares one run a side: see CompareSets.
func Compare(old, new *resultfile.File, opts Options) (*Comparison, error) {
	return CompareSets([]*resultfile.File{old}, []*resultfile.File{new}, opts)
}

// CompareSets compares the runs old with the runs new. With two or more
// runs a side the runs' medians are the replicates (Runs); with one run
// on either side, each row's run median is tested against the between-run
// spread of opts.History (OneRun). The error is for input that cannot be
// compared at all (no row in common); sides that must not be compared
// give a Comparison whose Verdict is Incomparable and whose Reason says
// why, so every output can say the same.
func CompareSets(old, new []*resultfile.File, opts Options) (*Comparison, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	if len(old) == 0 || len(new) == 0 {
		return nil, fmt.Errorf("a comparison needs a run on each side: %w", resultfile.ErrNoResults)
	}
	c := &Comparison{
		Opts: opts,
		Old:  Side{Files: old, Machine: old[0].Machine()},
		New:  Side{Files: new, Machine: new[0].Machine()},
	}
	c.Old.Name, c.New.Name = sideName(old), sideName(new)
	if c.Old.Name == c.New.Name {
		c.Old.Name, c.New.Name = old[0].Path, new[0].Path
	}
	if reason := incomparable(c, old, new); reason != "" {
		c.Verdict, c.Reason = Incomparable, reason
		return c, nil
	}
	if len(old) >= 2 && len(new) >= 2 {
		c.Kind = Runs
	}
	for _, cfg := range old[0].Config {
		if contains(headerKeys, cfg.Key) && new[0].Get(cfg.Key) == cfg.Value {
			c.Agreed = append(c.Agreed, cfg)
		}
	}
	ofs, nfs := perFile(old), perFile(new)
	of, nf := figuresOf(old...), figuresOf(new...)
	od, nd := disturbedOf(old...), disturbedOf(new...)
	hist := newSpreads(opts.History, c.New.Machine.ID())
	var spreadRuns []int
	for _, unit := range of.units {
		if _, ok := nf.orig[unit]; !ok {
			continue
		}
		t := &Table{Unit: unit, OrigUnit: of.orig[unit], Primary: IsPrimary(of.orig[unit])}
		for _, name := range of.names {
			ov, nv := of.values[name][unit], nf.values[name][unit]
			if len(ov) == 0 || len(nv) == 0 {
				continue
			}
			r := &Row{
				Name:      name,
				Unit:      unit,
				Simulated: of.sim[name],
				Old:       summary(ov, opts.confidence()),
				New:       summary(nv, opts.confidence()),
				Mixture:   mixture(ov) || mixture(nv),
			}
			r.OldDisturbed, r.OldCounted = od[name].n, od[name].of
			r.NewDisturbed, r.NewCounted = nd[name].n, nd[name].of
			om, nm := runMedians(ofs, name, unit), runMedians(nfs, name, unit)
			r.OldRuns, r.NewRuns = len(om), len(nm)
			if c.Kind == Runs && len(om) >= 2 && len(nm) >= 2 {
				testRuns(r, om, nm, opts)
			} else {
				sd, k := hist.spread(name, unit)
				testOneRun(r, om, nm, sd, k, opts)
				if t.Primary {
					spreadRuns = append(spreadRuns, k)
				}
			}
			t.Rows = append(t.Rows, r)
		}
		if len(t.Rows) == 0 {
			continue
		}
		c.Tables = append(c.Tables, t)
	}
	if len(c.Tables) == 0 {
		return nil, fmt.Errorf("%s and %s have %w", old[0].Path, new[0].Path, ErrNoCommonRows)
	}
	c.describe(spreadRuns, hist.source)
	for _, f := range new {
		for _, r := range f.Rows {
			name := r.CompareName()
			if o, n := od[name], nd[name]; (o.n > 0 || n.n > 0) && !c.hasDisturbance(name) {
				c.Disturbed = append(c.Disturbed, Disturbance{name, o.n, o.of, n.n, n.of})
			}
		}
	}
	c.decide()
	return c, nil
}

// decide controls the false discovery rate in each table, classes every
// row and sets the verdict from the primary table alone.
func (c *Comparison) decide() {
	for _, t := range c.Tables {
		ps := make([]float64, len(t.Rows))
		for i, r := range t.Rows {
			ps[i] = r.P
		}
		for i, q := range benjaminiHochberg(ps) {
			r := t.Rows[i]
			r.Q = q
			r.Class = classify(q < c.Opts.Alpha && !r.Overlap, r.Change, c.Opts.Threshold)
		}
		var ratios, oldC, newC []float64
		for _, r := range t.Rows {
			if r.Old.Center > 0 && r.New.Center > 0 {
				ratios = append(ratios, r.New.Center/r.Old.Center)
				oldC, newC = append(oldC, r.Old.Center), append(newC, r.New.Center)
			}
		}
		if len(ratios) > 1 {
			t.Geomean = &Geomean{Old: geomean(oldC), New: geomean(newC), Ratio: geomean(ratios)}
		}
	}
	c.Verdict = OK
	t := c.Primary()
	if t == nil {
		return
	}
	var mixtures []string
	for _, r := range t.Rows {
		if r.Class != Regression {
			continue
		}
		c.Regressions = append(c.Regressions, r)
		if r.Mixture {
			mixtures = append(mixtures, r.Name)
		} else {
			c.Deciding = append(c.Deciding, r)
		}
	}
	if len(mixtures) > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("placement mixture (samples split by a gap over %gx, each side of it at least %d): %s; such a row is shown but never decides the verdict alone",
			MixtureGap, MixtureMin, strings.Join(mixtures, ", ")))
	}
	if len(c.Deciding) == 0 {
		return
	}
	c.Verdict = Regressions
	if c.Kind != Paired {
		if lo, hi, n, ok := machineShift(t, c.Differ.Config); ok {
			c.Verdict, c.ShiftLo, c.ShiftHi, c.Moved = MachineShift, lo, hi, n
		}
	}
}

// testRuns tests a row of several runs a side: Welch's t-test on the log
// run medians, an interval for the ratio of their geometric means, and
// LKP's guard that the two ranges do not overlap.
func testRuns(r *Row, om, nm []float64, opts Options) {
	r.P, r.MDC, r.Spread = math.NaN(), math.NaN(), math.NaN()
	r.Change, r.ChangeLo, r.ChangeHi = math.NaN(), math.Inf(-1), math.Inf(1)
	lo, ln, ok := logs(om), logs(nm), true
	if lo == nil || ln == nil {
		ok = false
	}
	if !ok {
		r.Change = ratioOr(median(nm), median(om))
		return
	}
	p, df := welch(lo, ln)
	mo, vo := meanVar(lo)
	mn, vn := meanVar(ln)
	d := mn - mo
	se := math.Sqrt(vo/float64(len(lo)) + vn/float64(len(ln)))
	r.P, r.Change = p, math.Expm1(d)
	if se > 0 {
		tc := tQuantile(1-opts.confidence(), df)
		r.ChangeLo, r.ChangeHi = math.Expm1(d-tc*se), math.Expm1(d+tc*se)
		r.MDC = math.Expm1(tQuantile(opts.Alpha, df) * se)
	} else {
		r.ChangeLo, r.ChangeHi = r.Change, r.Change
	}
	omin, omax := minMax(om)
	nmin, nmax := minMax(nm)
	r.Overlap = !(nmin > omax || nmax < omin)
}

// testOneRun tests a row with one run on a side: the difference of the
// log run medians against sd, the between-run standard deviation of a
// log run median from k earlier runs (k < MinSpreadRuns: the default,
// with the normal's quantiles), with Student's t on k−1 degrees of
// freedom.
func testOneRun(r *Row, om, nm []float64, sd float64, k int, opts Options) {
	r.P, r.MDC = math.NaN(), math.NaN()
	r.Change, r.ChangeLo, r.ChangeHi = ratioOr(median(nm), median(om)), math.Inf(-1), math.Inf(1)
	df := math.Inf(1)
	if k >= MinSpreadRuns {
		df = float64(k - 1)
	} else {
		sd, k = DefaultRunSpread, 0
	}
	r.Spread, r.SpreadRuns = sd, k
	lo, ln := logs(om), logs(nm)
	if lo == nil || ln == nil {
		return
	}
	mo, _ := meanVar(lo)
	mn, _ := meanVar(ln)
	d := mn - mo
	se := sd * math.Sqrt(1/float64(len(lo))+1/float64(len(ln)))
	r.Change = math.Expm1(d)
	if se == 0 {
		// Earlier runs that never moved: only an exact repeat is no change.
		r.P = 1
		if d != 0 {
			r.P = 0
		}
		r.ChangeLo, r.ChangeHi, r.MDC = r.Change, r.Change, 0
		return
	}
	r.P = 2 * tCDF(-math.Abs(d)/se, df)
	tc := tQuantile(1-opts.confidence(), df)
	r.ChangeLo, r.ChangeHi = math.Expm1(d-tc*se), math.Expm1(d+tc*se)
	r.MDC = math.Expm1(tQuantile(opts.Alpha, df) * se)
}

// describe fills the method and interval texts of c.
func (c *Comparison) describe(spreadRuns []int, source string) {
	conf := c.Opts.confidence() * 100
	fdr := fmt.Sprintf("Benjamini–Hochberg false discovery rate control at α=%g across each unit's rows; only per-op times decide the verdict", c.Opts.Alpha)
	switch c.Kind {
	case Runs:
		c.Method = fmt.Sprintf("%d runs against %d: each run's median is one replicate; Welch's t-test on log run medians, and no change is called where the two sides' ranges overlap (LKP's rule); %s",
			len(c.Old.Files), len(c.New.Files), fdr)
		c.Interval = fmt.Sprintf("%g%% Welch interval for the ratio of the sides' geometric mean run medians", conf)
		c.IntervalShort = fmt.Sprintf("%g%% CI from the runs", conf)
	default:
		lo, hi := 0, 0
		for i, k := range spreadRuns {
			if i == 0 || k < lo {
				lo = k
			}
			hi = max(hi, k)
		}
		var spread string
		switch {
		case hi == 0:
			spread = fmt.Sprintf("no earlier runs of this machine to estimate it from, so a stated default of %g%% (runs minutes apart here drift 5–15%%); "+
				"keep runs in results/HOST or pass -history DIR to replace it", DefaultRunSpread*100)
		case lo == hi:
			spread = fmt.Sprintf("estimated per row from %d earlier runs of this machine (%s)", hi, source)
		default:
			spread = fmt.Sprintf("estimated per row from %d–%d earlier runs of this machine (%s; rows with fewer than %d use the default %g%%)",
				lo, hi, source, MinSpreadRuns, DefaultRunSpread*100)
		}
		c.Method = fmt.Sprintf("one run a side, so the run is the unit: a run's samples share its host's state and are not independent; "+
			"each row's log run median is tested against the between-run spread, %s, with Student's t; %s", spread, fdr)
		c.Interval = fmt.Sprintf("%g%% interval from the between-run spread (not from the samples of one run)", conf)
		c.IntervalShort = fmt.Sprintf("%g%% CI from the between-run spread", conf)
	}
}

// spreads estimates a row's between-run spread from earlier runs of one
// machine.
type spreads struct {
	files  []*figures
	source string
}

func newSpreads(history []*resultfile.File, machine string) *spreads {
	s := &spreads{}
	dirs := map[string]bool{}
	for _, f := range history {
		if f.Machine().ID() != machine || f.Get(sysinfo.KeyPartial) == "true" {
			continue
		}
		s.files = append(s.files, figuresOf(f))
		dirs[filepath.Dir(f.Path)] = true
	}
	var ds []string
	for d := range dirs {
		ds = append(ds, d)
	}
	sort.Strings(ds)
	s.source = strings.Join(ds, ", ")
	return s
}

// spread is the standard deviation of the log run medians of row name in
// unit, and how many runs it came from.
func (s *spreads) spread(name, unit string) (sd float64, k int) {
	var ls []float64
	for _, f := range s.files {
		if v := f.values[name][unit]; len(v) > 0 {
			if m := median(v); m > 0 {
				ls = append(ls, math.Log(m))
			}
		}
	}
	if len(ls) < 2 {
		return 0, len(ls)
	}
	_, v := meanVar(ls)
	return math.Sqrt(v), len(ls)
}

// perFile is figuresOf each file.
func perFile(files []*resultfile.File) []*figures {
	out := make([]*figures, len(files))
	for i, f := range files {
		out[i] = figuresOf(f)
	}
	return out
}

// runMedians is the median of row name in unit in each run that has it.
func runMedians(runs []*figures, name, unit string) []float64 {
	var out []float64
	for _, f := range runs {
		if v := f.values[name][unit]; len(v) > 0 {
			out = append(out, median(v))
		}
	}
	return out
}

// logs is the natural log of each of xs, nil when one is not positive.
func logs(xs []float64) []float64 {
	if len(xs) == 0 {
		return nil
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		if !(x > 0) {
			return nil
		}
		out[i] = math.Log(x)
	}
	return out
}

func ratioOr(n, o float64) float64 {
	if n == o {
		return 0
	}
	if o > 0 {
		return n/o - 1
	}
	return math.NaN()
}

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

// sideName is a side's column heading: its file's name, or the first
// name and how many more.
func sideName(files []*resultfile.File) string {
	name := filepath.Base(files[0].Path)
	if len(files) > 1 {
		name = fmt.Sprintf("%s +%d", name, len(files)-1)
	}
	return name
}

func (c *Comparison) hasDisturbance(name string) bool {
	for _, d := range c.Disturbed {
		if d.Name == name {
			return true
		}
	}
	return false
}

// summary is benchmath's median and distribution-free interval of xs.
// benchmath.NewSample sorts its argument, so it gets a copy: the callers'
// order is the pairing.
func summary(xs []float64, conf float64) benchmath.Summary {
	thr := benchmath.DefaultThresholds
	return benchmath.AssumeNothing.Summary(benchmath.NewSample(append([]float64(nil), xs...), &thr), conf)
}

// classify names a change: sig is the test's answer, change new/old − 1.
func classify(sig bool, change, threshold float64) Class {
	switch {
	case !sig:
		return NotSignificant
	case change > threshold:
		return Regression
	case change < -threshold:
		return Improvement
	}
	return WithinThreshold
}

// incomparable fills c.Differ and says why old and new must not be
// compared, or "".
func incomparable(c *Comparison, old, new []*resultfile.File) string {
	all := append(append([]*resultfile.File(nil), old...), new...)
	for _, f := range all[1:] {
		if f.Simulated() != all[0].Simulated() {
			describe := func(f *resultfile.File) string {
				switch {
				case f.Machine().Simulated():
					return "simulated (kernel: sim)"
				case f.Simulated():
					return "simulated (" + rowspec.SimPrefix + " units)"
				}
				return "real"
			}
			return fmt.Sprintf("%s is %s and %s is %s: simulated and real figures are never compared",
				all[0].Path, describe(all[0]), f.Path, describe(f))
		}
	}
	// The runs of one side are replicates of one machine, forced or not.
	for _, side := range [][]*resultfile.File{old, new} {
		for _, f := range side[1:] {
			if d := resultfile.Differ(side[0].Machine(), f.Machine()); len(d.Machine) > 0 || len(d.Config) > 0 {
				return fmt.Sprintf("%s and %s are on one side but differ (%s): a side's runs must be one machine and configuration",
					side[0].Path, f.Path, changesString(append(d.Machine, d.Config...)))
			}
		}
	}
	c.Differ = resultfile.Differ(c.Old.Machine, c.New.Machine)
	if len(c.Differ.Machine) == 0 {
		return ""
	}
	if !c.Opts.Force {
		return fmt.Sprintf("%s and %s come from different machines: %s differ; use -force to compare anyway",
			old[0].Path, new[0].Path, quotedChanges(c.Differ.Machine))
	}
	c.Forced = true
	return ""
}

// quotedChanges is `key ("old" vs "new")`, comma-separated.
func quotedChanges(ks []resultfile.KeyChange) string {
	var out []string
	for _, k := range ks {
		out = append(out, fmt.Sprintf("%s (%q vs %q)", k.Key, k.Old, k.New))
	}
	return strings.Join(out, ", ")
}

func changesString(ks []resultfile.KeyChange) string {
	var out []string
	for _, k := range ks {
		out = append(out, k.String())
	}
	return strings.Join(out, ", ")
}

// machineShift reports whether every compared primary row moved
// significantly in the same direction, over at least 4 rows of both the
// creation and the switch families, and by how much. A code change moves
// the rows whose path it touches; the clone path and the switch path share
// little, so when every row of both moves at once on one machine and
// configuration, the cause is the machine's state: its host's load or
// clock, its memory. Across a configuration change (a new kernel) the same
// pattern may be the kernel's, so it is not called a shift.
func machineShift(t *Table, config []resultfile.KeyChange) (lo, hi float64, n int, ok bool) {
	if t == nil || len(config) > 0 {
		return 0, 0, 0, false
	}
	var moves []*Row
	for _, r := range t.Rows {
		if r.Old.Center > 0 && r.New.Center > 0 {
			moves = append(moves, r)
		}
	}
	if len(moves) < 4 {
		return 0, 0, 0, false
	}
	var creation, sw bool
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, m := range moves {
		if !m.Significant() || (m.Change > 0) != (moves[0].Change > 0) {
			return 0, 0, 0, false
		}
		if sp, err := rowspec.Parse(m.Name); err == nil {
			creation = creation || sp.Family.Creation()
			sw = sw || !sp.Family.Creation()
		}
		lo, hi = math.Min(lo, m.Change), math.Max(hi, m.Change)
	}
	return lo, hi, len(moves), creation && sw
}

// figures is a result file as a comparison reads it: benchmath works on
// the units benchfmt tidies (ns/op becomes sec/op), so tables show those.
type figures struct {
	names  []string                        // row names in first-seen order
	values map[string]map[string][]float64 // name → tidied unit → samples
	units  []string                        // tidied units in first-seen order
	orig   map[string]string               // tidied unit → unit as written
	sim    map[string]bool
}

// figuresOf collects f's samples by compare name, so a creation row stored
// before cpu= existed compares with today's cpu=any row, which runs the
// same way.
func figuresOf(files ...*resultfile.File) *figures {
	fg := &figures{values: map[string]map[string][]float64{}, orig: map[string]string{}, sim: map[string]bool{}}
	for _, f := range files {
		for _, r := range f.Rows {
			name := r.CompareName()
			m, ok := fg.values[name]
			if !ok {
				m = map[string][]float64{}
				fg.values[name] = m
				fg.names = append(fg.names, name)
			}
			fg.sim[name] = fg.sim[name] || r.Simulated
			for _, s := range r.Samples {
				for _, v := range s.Values {
					if _, ok := fg.orig[v.Unit]; !ok {
						fg.units = append(fg.units, v.Unit)
						fg.orig[v.Unit] = v.OrigUnit
						if v.OrigUnit == "" {
							fg.orig[v.Unit] = v.Unit
						}
					}
					m[v.Unit] = append(m[v.Unit], v.Value)
				}
			}
		}
	}
	return fg
}

type count struct{ n, of int }

// disturbedOf tallies resultfile's disturbance rule per compare name.
func disturbedOf(files ...*resultfile.File) map[string]count {
	out := map[string]count{}
	for _, f := range files {
		for _, r := range f.Rows {
			name := r.CompareName()
			c := out[name]
			for _, s := range r.Samples {
				if counted, dist := s.Disturbed(); counted {
					c.of++
					if dist {
						c.n++
					}
				}
			}
			out[name] = c
		}
	}
	return out
}

// geomean is the geometric mean of positive xs, as benchstat's geomean row.
func geomean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += math.Log(x)
	}
	return math.Exp(s / float64(len(xs)))
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
