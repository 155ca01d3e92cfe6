package comparison

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
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

// Row is one row's comparison in one unit.
type Row struct {
	// Name is the name rows are paired by (resultfile.Row.CompareName).
	Name      string
	Unit      string // the table's unit
	Simulated bool
	Old, New  benchmath.Summary
	Cmp       benchmath.Comparison
	// Change is new/old − 1 of the centers; ChangeLo and ChangeHi bound
	// it (see Comparison.Interval for how), ±Inf when unknown.
	Change, ChangeLo, ChangeHi float64
	Class                      Class
	// Disturbed counts the samples whose disturbance counts say they
	// were disturbed, of those that carry the counts, per side.
	OldDisturbed, OldCounted, NewDisturbed, NewCounted int
}

// Significant reports whether the row's test rejects "no change".
func (r *Row) Significant() bool { return r.Class != NotSignificant }

// Table is every row's comparison in one unit.
type Table struct {
	// Unit is benchfmt's tidied unit (sec/op for ns/op), OrigUnit as
	// written.
	Unit, OrigUnit string
	// Primary is set for the per-op time, the unit a verdict reads.
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
	Old, New Side
	// Agreed are the header's config lines both sides agree on.
	Agreed []resultfile.Config
	// Differ is what differs between the sides' machines.
	Differ resultfile.Difference
	// Forced is set when Force let different machines compare.
	Forced bool
	Tables []*Table
	// Regressions are the primary rows classed Regression.
	Regressions []*Row
	// ShiftLo and ShiftHi bound the common move of a machine shift.
	ShiftLo, ShiftHi float64
	// Moved is how many primary rows the shift rule looked at.
	Moved   int
	Verdict Verdict
	// Reason says why the sides are Incomparable.
	Reason string
	// Method names the test behind each p-value; Interval says what each
	// row's ChangeLo … ChangeHi is, IntervalShort the same for a legend.
	Method, Interval, IntervalShort string
	// Disturbed are the rows either side says had disturbed samples
	// (resultfile's rule), in the new side's order. None is dropped.
	Disturbed []Disturbance
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

// Compare compares old with new, one file a side. The error is for input
// that cannot be compared at all (no row in common); sides that must not
// be compared give a Comparison whose Verdict is Incomparable and whose
// Reason says why, so every output can say the same.
func Compare(old, new *resultfile.File, opts Options) (*Comparison, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	c := &Comparison{
		Opts:   opts,
		Old:    Side{Files: []*resultfile.File{old}, Machine: old.Machine()},
		New:    Side{Files: []*resultfile.File{new}, Machine: new.Machine()},
		Method: "Mann-Whitney U test (benchmath)",
		Interval: fmt.Sprintf("new %.0f%% CI ÷ old %.0f%% CI (new.lo/old.hi … new.hi/old.lo), a conservative range",
			opts.confidence()*100, opts.confidence()*100),
		IntervalShort: fmt.Sprintf("range from both %.0f%% CIs", opts.confidence()*100),
	}
	c.Old.Name, c.New.Name = colNames(old.Path, new.Path)
	if reason := incomparable(c, old, new); reason != "" {
		c.Verdict, c.Reason = Incomparable, reason
		return c, nil
	}
	for _, cfg := range old.Config {
		if contains(headerKeys, cfg.Key) && new.Get(cfg.Key) == cfg.Value {
			c.Agreed = append(c.Agreed, cfg)
		}
	}
	of, nf := figuresOf(old), figuresOf(new)
	od, nd := disturbedOf(old), disturbedOf(new)
	thr := benchmath.DefaultThresholds
	thr.CompareAlpha = opts.Alpha
	for _, unit := range of.units {
		if _, ok := nf.orig[unit]; !ok {
			continue
		}
		t := &Table{Unit: unit, OrigUnit: of.orig[unit], Primary: IsPrimary(of.orig[unit])}
		var ratios, oldC, newC []float64
		for _, name := range of.names {
			ov, nv := of.values[name][unit], nf.values[name][unit]
			if len(ov) == 0 || len(nv) == 0 {
				continue
			}
			s1, s2 := benchmath.NewSample(ov, &thr), benchmath.NewSample(nv, &thr)
			r := &Row{
				Name:      name,
				Unit:      unit,
				Simulated: of.sim[name],
				Old:       benchmath.AssumeNothing.Summary(s1, opts.confidence()),
				New:       benchmath.AssumeNothing.Summary(s2, opts.confidence()),
				Cmp:       benchmath.AssumeNothing.Compare(s1, s2),
				ChangeLo:  math.Inf(-1), ChangeHi: math.Inf(1),
			}
			r.OldDisturbed, r.OldCounted = od[name].n, od[name].of
			r.NewDisturbed, r.NewCounted = nd[name].n, nd[name].of
			if r.Old.Center > 0 {
				r.Change = r.New.Center/r.Old.Center - 1
				if !math.IsInf(r.Old.Lo, 0) && !math.IsInf(r.New.Hi, 0) && r.Old.Lo > 0 && r.Old.Lo < r.Old.Hi {
					r.ChangeLo, r.ChangeHi = r.New.Lo/r.Old.Hi-1, r.New.Hi/r.Old.Lo-1
				}
			}
			r.Class = classify(r.Cmp.P < r.Cmp.Alpha, r.Change, opts.Threshold)
			if r.Old.Center > 0 && r.New.Center > 0 {
				ratios = append(ratios, r.New.Center/r.Old.Center)
				oldC, newC = append(oldC, r.Old.Center), append(newC, r.New.Center)
			}
			if t.Primary && r.Class == Regression {
				c.Regressions = append(c.Regressions, r)
			}
			t.Rows = append(t.Rows, r)
		}
		if len(t.Rows) == 0 {
			continue
		}
		if len(ratios) > 1 {
			t.Geomean = &Geomean{Old: geomean(oldC), New: geomean(newC), Ratio: geomean(ratios)}
		}
		c.Tables = append(c.Tables, t)
	}
	if len(c.Tables) == 0 {
		return nil, fmt.Errorf("%s and %s have %w", old.Path, new.Path, ErrNoCommonRows)
	}
	for _, f := range new.Rows {
		name := f.CompareName()
		if o, n := od[name], nd[name]; (o.n > 0 || n.n > 0) && !c.hasDisturbance(name) {
			c.Disturbed = append(c.Disturbed, Disturbance{name, o.n, o.of, n.n, n.of})
		}
	}
	c.Verdict = OK
	if len(c.Regressions) > 0 {
		c.Verdict = Regressions
		if lo, hi, n, ok := machineShift(c.Primary(), c.Differ.Config); ok {
			c.Verdict, c.ShiftLo, c.ShiftHi, c.Moved = MachineShift, lo, hi, n
		}
	}
	return c, nil
}

func (c *Comparison) hasDisturbance(name string) bool {
	for _, d := range c.Disturbed {
		if d.Name == name {
			return true
		}
	}
	return false
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
func incomparable(c *Comparison, old, new *resultfile.File) string {
	if old.Simulated() != new.Simulated() {
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
			old.Path, describe(old), new.Path, describe(new))
	}
	c.Differ = resultfile.Differ(c.Old.Machine, c.New.Machine)
	if len(c.Differ.Machine) == 0 {
		return ""
	}
	var differ []string
	for _, k := range c.Differ.Machine {
		differ = append(differ, fmt.Sprintf("%s (%q vs %q)", k.Key, k.Old, k.New))
	}
	if !c.Opts.Force {
		return fmt.Sprintf("%s and %s come from different machines: %s differ; use -force to compare anyway",
			old.Path, new.Path, strings.Join(differ, ", "))
	}
	c.Forced = true
	return ""
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

// colNames are the column headings: the file names, or their paths when
// the base names are equal.
func colNames(a, b string) (string, string) {
	ba, bb := filepath.Base(a), filepath.Base(b)
	if ba == bb {
		return a, b
	}
	return ba, bb
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
