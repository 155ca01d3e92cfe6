package history

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/clonebench/clonebench/resultfile"
	"github.com/montanaflynn/stats"
	"gonum.org/v1/gonum/stat/distuv"
)

// Finding is one change point as reported: LKP's "row ±x% regression at
// run", with the figures on both sides.
type Finding struct {
	Machine *Machine
	Series  *Series
	Change  Change
	// Run is where the new segment starts; RunNo is its 1-based place
	// among the machine's runs.
	Run   *Run
	RunNo int
	// Last is the series' run before Run (the last good one, for a
	// regression), LastNo its place: with Run, where a bisect starts.
	Last   *Run
	LastNo int
	// Config are the configuration keys (sysinfo.ConfigKeys: kernel, thp,
	// mitigations, governor) that differ between Last and Run: the change
	// a kernel engineer made at this run, if any.
	Config []resultfile.KeyChange
	// Before and After are the mean and the standard deviation of the
	// per-run medians of each segment; Pct is the change of the mean.
	BeforeMean, BeforeSD, AfterMean, AfterSD float64
	Pct                                      float64
	// Newest is set when the change opens the series' newest segment.
	Newest bool
	// Ramp is set when a straight line fits the two segments better than
	// the step does, or when every change of the series goes the same way
	// and there are several: a slow drift the detector cut into steps (or a
	// staircase), not one change at one run.
	Ramp bool
}

// ConfigChange is the configuration change at the run, as
// "kernel 6.18.44 → 6.19.0", or "" if there was none.
func (f *Finding) ConfigChange() string {
	var parts []string
	for _, c := range f.Config {
		parts = append(parts, c.String())
	}
	return strings.Join(parts, ", ")
}

// Regression reports whether the change is a slowdown: every primary
// unit is a time per op.
func (f *Finding) Regression() bool { return f.Pct > 0 }

// Findings lists every change point, machine by machine, row by row.
func Findings(machines []*Machine) []Finding {
	var out []Finding
	for _, m := range machines {
		for _, s := range m.Series {
			x := s.Medians()
			up, down := 0, 0
			var fs []Finding
			for i, c := range s.Changes {
				f := Finding{Machine: m, Series: s, Change: c}
				f.Run = m.Runs[s.Points[c.At].Run]
				f.RunNo = s.Points[c.At].Run + 1
				f.Last = m.Runs[s.Points[c.At-1].Run]
				f.LastNo = s.Points[c.At-1].Run + 1
				f.Config = resultfile.Differ(f.Last.File.Machine(), f.Run.File.Machine()).Config
				f.BeforeMean, f.BeforeSD = meanSD(x[c.Before[0]:c.Before[1]])
				f.AfterMean, f.AfterSD = meanSD(x[c.After[0]:c.After[1]])
				f.Pct = (f.AfterMean/f.BeforeMean - 1) * 100
				f.Newest = i == len(s.Changes)-1
				f.Ramp = rampLike(x[c.Before[0]:c.After[1]], c.At-c.Before[0])
				if f.Pct > 0 {
					up++
				} else {
					down++
				}
				fs = append(fs, f)
			}
			if len(fs) > 1 && (up == 0 || down == 0) {
				for i := range fs {
					fs[i].Ramp = true
				}
			}
			out = append(out, fs...)
		}
	}
	return out
}

// rampAlpha is the level of rampLike's slope test.
const rampAlpha = 0.01

// rampLike reports whether the values on both sides of a change at index
// at drift the way the change goes: the common within-segment slope of a
// step-plus-trend fit (an analysis of covariance: two intercepts, one
// slope) is significant at rampAlpha and has the change's sign. A step
// between flat segments has none; a slow drift cut at its steepest point
// has one.
func rampLike(x []float64, at int) bool {
	segs := [][]float64{x[:at], x[at:]}
	var sxy, sxx float64
	for _, seg := range segs {
		my, _ := stats.Mean(seg)
		mt := float64(len(seg)-1) / 2
		for i, v := range seg {
			sxy += (float64(i) - mt) * (v - my)
			sxx += (float64(i) - mt) * (float64(i) - mt)
		}
	}
	df := float64(len(x) - 3)
	if sxx == 0 || df < 1 {
		return false
	}
	slope := sxy / sxx
	var sse float64
	for _, seg := range segs {
		my, _ := stats.Mean(seg)
		mt := float64(len(seg)-1) / 2
		for i, v := range seg {
			d := v - my - slope*(float64(i)-mt)
			sse += d * d
		}
	}
	mb, _ := stats.Mean(segs[0])
	ma, _ := stats.Mean(segs[1])
	if sse == 0 || (slope > 0) != (ma > mb) {
		return false
	}
	t := slope / math.Sqrt(sse/df/sxx)
	return 2*distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(-math.Abs(t)) < rampAlpha
}

func meanSD(x []float64) (float64, float64) {
	m, _ := stats.Mean(x)
	sd, _ := stats.StandardDeviationSample(x)
	if math.IsNaN(sd) {
		sd = 0
	}
	return m, sd
}

// Verdict is what decides the exit code: the headline rows whose newest
// segment is a significant regression over the threshold (percent).
func Verdict(fs []Finding, threshold float64) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Newest && f.Series.Headline && f.Regression() && f.Pct > threshold {
			out = append(out, f)
		}
	}
	return out
}

// Summary is the header of a report.
type Summary struct {
	Order     Order
	Opts      Options
	Threshold float64
}

// WriteText writes the LKP-style report: per machine its runs, then each
// change with the table of both sides, then the verdict. It returns the
// verdict's findings.
func WriteText(w io.Writer, machines []*Machine, sum Summary) []Finding {
	opts := sum.Opts.withDefaults()
	fs := Findings(machines)
	fmt.Fprintf(w, "method: %s, α=%g per test, ≥%d runs per segment; runs ordered by %s\n", Method, opts.Alpha, opts.MinSize, sum.Order)
	for _, m := range machines {
		fmt.Fprintf(w, "\nmachine: %s\n", m.ID)
		fmt.Fprintf(w, "runs: %d (%s … %s), rows: %d\n", len(m.Runs), m.Runs[0].File.Path, m.Runs[len(m.Runs)-1].File.Path, len(m.Series))
		n := 0
		for i := range fs {
			if fs[i].Machine == m {
				writeFinding(w, &fs[i])
				n++
			}
		}
		var untested []string
		for _, s := range m.Series {
			if len(s.Points) < 2*opts.MinSize {
				untested = append(untested, fmt.Sprintf("%s (%d)", s.Name, len(s.Points)))
			}
		}
		if n == 0 {
			fmt.Fprintf(w, "no change point in any of the %d rows tested\n", len(m.Series)-len(untested))
		}
		switch {
		case len(untested) == len(m.Series):
			fmt.Fprintf(w, "not tested: no row has the %d runs two segments need\n", 2*opts.MinSize)
		case len(untested) > 0:
			fmt.Fprintf(w, "not tested, fewer than %d runs: %s\n", 2*opts.MinSize, strings.Join(untested, ", "))
		}
	}
	v := Verdict(fs, sum.Threshold)
	fmt.Fprintln(w)
	if len(v) == 0 {
		fmt.Fprintf(w, "verdict: no headline row's newest segment is a significant regression over %g%%\n", sum.Threshold)
		return nil
	}
	for _, f := range v {
		var cfg string
		if c := f.ConfigChange(); c != "" {
			cfg = c + ": "
		}
		fmt.Fprintf(w, "verdict: REGRESSION %s%s %+.1f%% since run %d (%s)\n", cfg, f.Series.Name, f.Pct, f.RunNo, f.Run.Label())
	}
	return v
}

func writeFinding(w io.Writer, f *Finding) {
	kind := "improvement"
	if f.Regression() {
		kind = "regression"
	}
	fmt.Fprintf(w, "\n%s %s %+.1f%% %s at run %d of %d: %s\n", f.Series.Name, f.Series.Unit, f.Pct, kind, f.RunNo, len(f.Machine.Runs), f.Run.Label())
	fmt.Fprintf(w, "  p=%.2g (Welch t, runs %d–%d vs %d–%d)", f.Change.P,
		f.Series.Points[f.Change.Before[0]].Run+1, f.Series.Points[f.Change.Before[1]-1].Run+1,
		f.Series.Points[f.Change.After[0]].Run+1, f.Series.Points[f.Change.After[1]-1].Run+1)
	if f.Newest {
		fmt.Fprint(w, ", newest segment")
	}
	if f.Series.Headline {
		fmt.Fprint(w, ", headline row")
	}
	fmt.Fprintln(w)
	if c := f.ConfigChange(); c != "" {
		fmt.Fprintf(w, "  configuration changed at this run: %s\n", c)
	}
	if f.Ramp {
		fmt.Fprintf(w, "  ramp: the runs drift the way this change goes (a slow drift, or a staircase of %d changes), not one step at one run\n", len(f.Series.Changes))
	}
	fmt.Fprintf(w, "  %14s %8s %9s %14s %8s\n", "before", "%stddev", "%change", "after", "%stddev")
	fmt.Fprintf(w, "  %14.6g %7s %+8.1f%% %14.6g %7s  %s\n", f.BeforeMean, sdPct(f.BeforeSD, f.BeforeMean), f.Pct, f.AfterMean, sdPct(f.AfterSD, f.AfterMean), f.Series.Name)
	// LKP's reports end with the commits a bisect starts from; across
	// kernels, the two runs and their kernels are that line. A ramp has
	// no one run to bisect to.
	switch {
	case f.Ramp:
	case f.Regression():
		fmt.Fprintf(w, "  bisect: last good run %d (%s), first bad run %d (%s)\n", f.LastNo, f.Last.Label(), f.RunNo, f.Run.Label())
	default:
		fmt.Fprintf(w, "  last run before: %d (%s), first after: %d (%s)\n", f.LastNo, f.Last.Label(), f.RunNo, f.Run.Label())
	}
}

func sdPct(sd, mean float64) string {
	return fmt.Sprintf("± %.0f%%", math.Round(sd/mean*100))
}

// WriteMarkdown writes history.md: the text report in a fence, and the
// charts below it.
func WriteMarkdown(w io.Writer, machines []*Machine, sum Summary, charts []string) []Finding {
	var b strings.Builder
	v := WriteText(&b, machines, sum)
	fmt.Fprintf(w, "# clonebench history\n\n```\n%s```\n", b.String())
	if len(charts) > 0 {
		fmt.Fprintf(w, "\n## Trends\n\nMedian and 95%% CI per run; a ring marks the run where a change point starts.\n\n")
		for _, c := range charts {
			fmt.Fprintf(w, "![%s](%s)\n\n", c, c)
		}
	}
	return v
}
