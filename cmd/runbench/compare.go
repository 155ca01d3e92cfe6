package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"

	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// compareOpts are compare's flags, shared with run -baseline.
type compareOpts struct {
	threshold float64 // percent
	alpha     float64
	force     bool
}

func (e *env) cmdCompare(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("compare", stderr, "[flags] OLD NEW")
	opts := compareOpts{}
	th := percent(5)
	fs.Var(&th, "threshold", "fail (exit 1) on a significant slowdown over `percent`")
	fs.Float64Var(&opts.alpha, "alpha", 0.05, "significance level `α` of the Mann-Whitney U test")
	fs.BoolVar(&opts.force, "force", false, "compare even if the config lines show different machines")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return badInput("want two result files, OLD and NEW; have %d arguments", fs.NArg())
	}
	if err := validAlpha(opts.alpha); err != nil {
		return err
	}
	opts.threshold = float64(th)
	old, err := readResult(fs.Arg(0))
	if err != nil {
		return err
	}
	cur, err := readResult(fs.Arg(1))
	if err != nil {
		return err
	}
	warnPartial(stderr, old, cur)
	return compareSets(stdout, old, cur, opts)
}

// warnPartial says which files are interrupted runs. They are compared
// anyway: their samples are real, only fewer, which benchstat's intervals
// and n= already show.
func warnPartial(stderr io.Writer, files ...*resultfile.File) {
	for _, f := range files {
		if f.Get("partial") == "true" {
			fmt.Fprintf(stderr, "[runbench] warning: %s is a partial run (interrupted); its rows may have fewer samples\n", f.Path)
		}
	}
}

// validAlpha refuses a significance level outside (0, 1), NaN included:
// NaN fails every comparison, so it passes a check for "out of range".
func validAlpha(a float64) error {
	if !(a > 0 && a < 1) {
		return badInput("-alpha must be in range (0, 1), not %v", a)
	}
	return nil
}

// isPrimary reports whether unit u, as written, is a per-op time: the
// figures whose regressions fail a comparison.
func isPrimary(u string) bool { return u == rowspec.UnitNsOp || u == rowspec.UnitSimNsOp }

// figures is a result file as compare reads it: benchmath works on the
// units benchfmt tidies (ns/op becomes sec/op), so the tables show those.
type figures struct {
	names  []string                        // row names in first-seen order
	values map[string]map[string][]float64 // name → tidied unit → samples
	units  []string                        // tidied units in first-seen order
	orig   map[string]string               // tidied unit → unit as written
}

// figuresOf collects f's samples by row name; checkResult has made the
// names unique (one machine, no row both simulated and real). A known row is
// named canonically, so a creation row stored before cpu= existed compares
// with today's cpu=any row, which runs the same way.
func figuresOf(f *resultfile.File) *figures {
	fg := &figures{values: map[string]map[string][]float64{}, orig: map[string]string{}}
	for _, r := range f.Rows {
		name := r.CompareName()
		m, ok := fg.values[name]
		if !ok {
			m = map[string][]float64{}
			fg.values[name] = m
			fg.names = append(fg.names, name)
		}
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
	return fg
}

// comparable refuses two result files from different machines (machine
// keys present in both files must agree) unless force, and, even with
// force, real against simulated figures. It returns the keys that differ.
func comparable(old, cur *resultfile.File, force bool) ([]string, error) {
	if old.Simulated() != cur.Simulated() {
		describe := func(f *resultfile.File) string {
			switch {
			case f.Get("kernel") == "sim":
				return "simulated (kernel: sim)"
			case f.Simulated():
				return "simulated (" + rowspec.SimPrefix + " units)"
			}
			return "real"
		}
		return nil, badInput("%s is %s and %s is %s: simulated and real figures are never compared",
			old.Path, describe(old), cur.Path, describe(cur))
	}
	var differ, keys []string
	for _, k := range sysinfo.MachineKeys {
		if old.Has(k) && cur.Has(k) && old.Get(k) != cur.Get(k) {
			differ = append(differ, fmt.Sprintf("%s (%q vs %q)", k, old.Get(k), cur.Get(k)))
			keys = append(keys, k)
		}
	}
	if len(differ) > 0 && !force {
		return nil, badInput("%s and %s come from different machines: %s differ; use -force to compare anyway",
			old.Path, cur.Path, strings.Join(differ, ", "))
	}
	return keys, nil
}

// compareSets prints benchstat's comparison — per unit, each row's median
// ± 95% CI in OLD and NEW and the change with the U-test's p-value — then
// the verdict. A significant slowdown over the threshold in a per-op unit
// returns exit code 1 (with the verdict already printed).
func compareSets(w io.Writer, oldFile, curFile *resultfile.File, opts compareOpts) error {
	differ, err := comparable(oldFile, curFile, opts.force)
	if err != nil {
		return err
	}
	old, cur := figuresOf(oldFile), figuresOf(curFile)
	thr := benchmath.DefaultThresholds
	thr.CompareAlpha = opts.alpha
	const confidence = 0.95

	// The header: the config both files agree on, as benchstat prints it.
	for _, c := range oldFile.Config {
		if k := c.Key; k == "goos" || k == "goarch" || k == "pkg" || k == "cpu" || k == "kernel" || k == "virtualization" {
			if curFile.Get(k) == c.Value {
				fmt.Fprintf(w, "%s: %s\n", k, c.Value)
			}
		}
	}
	if len(differ) > 0 {
		fmt.Fprintf(w, "note: forced comparison of different machines: %s differ\n", strings.Join(differ, ", "))
	}
	// The machine's state at each run's start (memory, reclaim, load): a
	// change that moves with it is the machine's, not the code's.
	for _, k := range sysinfo.StateKeys {
		if a, b := oldFile.Get(k), curFile.Get(k); a != "" && b != "" && a != b {
			fmt.Fprintf(w, "state: %s: %s → %s\n", k, a, b)
		}
	}
	oldName, curName := colNames(oldFile.Path, curFile.Path)

	type regression struct {
		name, unit string
		pct        float64
		cmp        benchmath.Comparison
	}
	var regressions []regression
	var moves []move
	tables := 0
	for _, unit := range old.units {
		if _, ok := cur.orig[unit]; !ok {
			continue
		}
		var names []string
		for _, name := range old.names {
			if len(old.values[name][unit]) > 0 && len(cur.values[name][unit]) > 0 {
				names = append(names, name)
			}
		}
		if len(names) == 0 {
			continue
		}
		tables++
		fmt.Fprintln(w)
		var tab table
		tab.row("", oldName, "", curName, "", "", "")
		tab.row("", unit, "", unit, "", "vs base", "")
		cls := benchunit.ClassOf(unit)
		var ratios []float64
		var oldCenters, curCenters []float64
		for _, name := range names {
			s1 := benchmath.NewSample(old.values[name][unit], &thr)
			s2 := benchmath.NewSample(cur.values[name][unit], &thr)
			sum1 := benchmath.AssumeNothing.Summary(s1, confidence)
			sum2 := benchmath.AssumeNothing.Summary(s2, confidence)
			cmp := benchmath.AssumeNothing.Compare(s1, s2)
			sc := benchunit.CommonScale([]float64{sum1.Center, sum2.Center}, cls)
			delta := cmp.FormatDelta(sum1.Center, sum2.Center)
			tab.row(name, sc.Format(sum1.Center), "± "+pctRange(sum1), sc.Format(sum2.Center), "± "+pctRange(sum2), delta, "("+cmp.String()+")")
			if sum1.Center > 0 && sum2.Center > 0 {
				ratios = append(ratios, sum2.Center/sum1.Center)
				oldCenters = append(oldCenters, sum1.Center)
				curCenters = append(curCenters, sum2.Center)
			}
			if isPrimary(old.orig[unit]) && sum1.Center > 0 && sum2.Center > 0 {
				moves = append(moves, move{name, sum2.Center/sum1.Center - 1, cmp.P < cmp.Alpha})
			}
			if isPrimary(old.orig[unit]) && cmp.P < cmp.Alpha && sum1.Center > 0 {
				pct := (sum2.Center/sum1.Center - 1) * 100
				if pct > opts.threshold {
					regressions = append(regressions, regression{name, unit, pct, cmp})
				}
			}
		}
		if len(ratios) > 1 {
			g1, g2 := geomean(oldCenters), geomean(curCenters)
			sc := benchunit.CommonScale([]float64{g1, g2}, cls)
			tab.row("geomean", sc.Format(g1), "", sc.Format(g2), "", fmt.Sprintf("%+.2f%%", (geomean(ratios)-1)*100), "")
		}
		tab.write(w, "lrlrlrl")
	}
	if tables == 0 {
		return badInput("%s and %s have no benchmark and unit in common", oldFile.Path, curFile.Path)
	}
	fmt.Fprintln(w)
	printDisturbed(w, oldFile, curFile)
	if len(regressions) == 0 {
		fmt.Fprintf(w, "verdict: no significant regression over %g%% (α=%g)\n", opts.threshold, opts.alpha)
		return nil
	}
	for _, r := range regressions {
		fmt.Fprintf(w, "regression: %s %s %+.2f%% (%s) exceeds %g%%\n", r.name, r.unit, r.pct, r.cmp, opts.threshold)
	}
	if lo, hi, ok := machineShift(moves); ok {
		fmt.Fprintf(w, "verdict: machine shift: all %d rows, creation and switch alike, moved together by %+.1f%% to %+.1f%%; "+
			"on one kernel and configuration that is the machine (its host, its memory), not the code: run again\n",
			len(moves), lo*100, hi*100)
		return withCode(exitMachineShift, nil)
	}
	fmt.Fprintf(w, "verdict: %d significant regression(s) over %g%% (α=%g)\n", len(regressions), opts.threshold, opts.alpha)
	return withCode(exitFail, nil)
}

// move is one row's change of its primary figure, and whether the U-test
// calls it significant.
type move struct {
	name string
	rel  float64
	sig  bool
}

// machineShift reports whether every compared row moved significantly in
// the same direction, over at least 4 rows of both the creation and the
// switch families, and by how much. A code change (a kernel patch, a
// harness change) moves the rows whose path it touches; the clone path and
// the switch path share little, so when every row of both moves at once on
// one kernel and configuration (compare refuses different machines), the
// cause is the machine's state: its host's load or clock, its memory.
func machineShift(moves []move) (lo, hi float64, ok bool) {
	if len(moves) < 4 {
		return 0, 0, false
	}
	var creation, sw bool
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, m := range moves {
		if !m.sig || (m.rel > 0) != (moves[0].rel > 0) {
			return 0, 0, false
		}
		if sp, err := rowspec.Parse(m.name); err == nil {
			creation = creation || sp.Family.Creation()
			sw = sw || !sp.Family.Creation()
		}
		lo, hi = math.Min(lo, m.rel), math.Max(hi, m.rel)
	}
	return lo, hi, creation && sw
}

// printDisturbed lists the rows either file says had disturbed samples
// (resultfile's rule), so a change can be weighed against what disturbed
// its samples. None is dropped.
func printDisturbed(w io.Writer, oldFile, curFile *resultfile.File) {
	type count struct{ n, of int }
	tally := func(f *resultfile.File) map[string]count {
		out := map[string]count{}
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
		return out
	}
	o, c := tally(oldFile), tally(curFile)
	any := false
	for _, r := range curFile.Rows {
		name := r.CompareName()
		if o[name].n == 0 && c[name].n == 0 {
			continue
		}
		fmt.Fprintf(w, "disturbed: %s: %d/%d samples in %s, %d/%d in %s\n", name, o[name].n, o[name].of, filepath.Base(oldFile.Path), c[name].n, c[name].of, filepath.Base(curFile.Path))
		delete(c, name)
		any = true
	}
	if any {
		fmt.Fprintln(w, "(disturbed: the measuring thread moved CPU, or was preempted more than once per 10 ms; such samples are kept, the median is robust to a few)")
	}
}

// pctRange is the CI half-width as a percentage of the center, "∞" when
// there are too few samples for one.
func pctRange(s benchmath.Summary) string {
	r := s.PctRangeString()
	if r == "" {
		return "?"
	}
	return r
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

// table lays out rows of cells in columns, each aligned left or right.
type table struct{ rows [][]string }

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

// write prints the table with two spaces between columns; align holds 'l'
// or 'r' per column. Widths count runes, so "±" and "µ" line up.
func (t *table) write(w io.Writer, align string) {
	var width []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range t.rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < len(align) && align[i] == 'r' {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// geomean is the geometric mean of positive xs, as benchstat's geomean row.
func geomean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += math.Log(x)
	}
	return math.Exp(s / float64(len(xs)))
}
