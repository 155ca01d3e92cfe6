package comparison

import (
	"fmt"
	"io"
	"math"
	"path/filepath"

	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"

	"github.com/clonebench/clonebench/internal/texttab"
)

// WriteText prints c as runbench prints a comparison: the verdict and the
// rows that decide it first, then what differs between the sides, the
// method, the per-op table, the other units' rows that moved beyond their
// noise, and the disturbed rows. An Incomparable comparison prints
// nothing: its Reason is the error.
func WriteText(w io.Writer, c *Comparison) error {
	if c.Verdict == Incomparable {
		return nil
	}
	fmt.Fprintf(w, "verdict: %s\n", c.VerdictLine())
	// Comparing kernels is the main use: the configuration change leads
	// each regression, as the line a bisect starts from.
	var change string
	if len(c.Differ.Config) > 0 {
		change = changesString(c.Differ.Config) + ": "
	}
	for _, r := range c.Regressions {
		fmt.Fprintf(w, "regression: %s%s %s\n", change, r.Name, c.rowFigure(r))
	}
	for _, n := range c.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if len(c.Profiles) > 0 {
		fmt.Fprintln(w)
		if err := WriteProfileDiff(w, c.Profiles); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	for _, cfg := range c.Agreed {
		fmt.Fprintf(w, "%s: %s\n", cfg.Key, cfg.Value)
	}
	if c.Forced {
		fmt.Fprintf(w, "note: forced comparison of different machines: %s differ\n", quotedChanges(c.Differ.Machine))
	}
	for _, k := range c.Differ.Config {
		fmt.Fprintf(w, "configuration: %s\n", k)
	}
	// The machine's state at each run's start (memory, reclaim, load): a
	// change that moves with it is the machine's, not the code's.
	for _, k := range c.Differ.State {
		fmt.Fprintf(w, "state: %s: %s → %s\n", k.Key, k.Old, k.New)
	}
	fmt.Fprintf(w, "method: %s\n", c.Method)
	fmt.Fprintf(w, "interval: %s\n", c.Interval)
	for _, t := range c.Tables {
		rows := t.Rows
		if !t.Primary {
			// Other metrics appear only where they moved beyond their
			// noise: 38 rows × 8 units of "~" hide the few that did.
			rows = nil
			for _, r := range t.Rows {
				if r.Significant() {
					rows = append(rows, r)
				}
			}
			if len(rows) == 0 {
				continue
			}
		}
		fmt.Fprintln(w)
		if !t.Primary {
			fmt.Fprintf(w, "%s: %d of %d rows moved beyond their noise\n", t.Unit, len(rows), len(t.Rows))
		}
		var tab texttab.Table
		tab.Row("", c.Old.Name, "", c.New.Name, "", "", "", "", "", "", "")
		tab.Row("", t.Unit, "", t.Unit, "", "change", "CI", "p", "q", "MDC", "")
		cls := benchunit.ClassOf(t.Unit)
		for _, r := range rows {
			sc := benchunit.CommonScale([]float64{r.Old.Center, r.New.Center}, cls)
			class := r.Class.String()
			if r.Mixture {
				class += " (mixture)"
			}
			tab.Row(r.Name, sc.Format(r.Old.Center), "± "+pctRange(r.Old), sc.Format(r.New.Center), "± "+pctRange(r.New),
				pct(r.Change), ciString(r), pString(r.P), pString(r.Q), mdcString(r.MDC), class)
		}
		if g := t.Geomean; g != nil && t.Primary {
			sc := benchunit.CommonScale([]float64{g.Old, g.New}, cls)
			tab.Row("geomean", sc.Format(g.Old), "", sc.Format(g.New), "", pct(g.Ratio-1), "", "", "", "", "")
		}
		tab.Write(w, "lrlrlrrrrrl")
	}
	if c.Kind == Paired {
		fmt.Fprintln(w)
		for _, sd := range []struct {
			tag  string
			side Side
		}{{"A", c.Old}, {"B", c.New}} {
			for _, f := range sd.side.Files {
				fmt.Fprintf(w, "%s: %s\n", sd.tag, f.Path)
			}
		}
	}
	if len(c.Disturbed) > 0 {
		fmt.Fprintln(w)
		on, nn := filepath.Base(c.Old.Files[0].Path), filepath.Base(c.New.Files[0].Path)
		for _, d := range c.Disturbed {
			fmt.Fprintf(w, "disturbed: %s: %d/%d samples in %s, %d/%d in %s\n", d.Name, d.Old, d.OldOf, on, d.New, d.NewOf, nn)
		}
		fmt.Fprintln(w, "(disturbed: the measuring thread moved CPU, or was preempted more than once per 10 ms; such samples are kept, the median is robust to a few)")
	}
	return nil
}

// rowFigure is a row's change, interval and test in one phrase.
func (c *Comparison) rowFigure(r *Row) string {
	return fmt.Sprintf("%s %s [%s] (p=%s q=%s) exceeds %g%%", r.Unit, pct(r.Change), ciString(r), pString(r.P), pString(r.Q), c.Opts.Threshold*100)
}

// VerdictLine is the verdict in words, as every output states it.
func (c *Comparison) VerdictLine() string {
	th, alpha := c.Opts.Threshold*100, c.Opts.Alpha
	switch c.Verdict {
	case Incomparable:
		return "not compared: " + c.Reason
	case MachineShift:
		return fmt.Sprintf("machine shift: all %d rows, creation and switch alike, moved together by %+.1f%% to %+.1f%%; "+
			"on one kernel and configuration that is the machine (its host, its memory), not the code: run again",
			c.Moved, c.ShiftLo*100, c.ShiftHi*100)
	case Regressions:
		return fmt.Sprintf("%d significant regression(s) over %g%% (FDR %g)", len(c.Deciding), th, alpha)
	}
	return fmt.Sprintf("no significant regression over %g%% (FDR %g)", th, alpha)
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "?"
	}
	return fmt.Sprintf("%+.2f%%", x*100)
}

// ciString is a row's interval of the change, "?" when unknown.
func ciString(r *Row) string {
	if math.IsInf(r.ChangeLo, 0) || math.IsInf(r.ChangeHi, 0) || math.IsNaN(r.ChangeLo) {
		return "?"
	}
	return fmt.Sprintf("%+.1f%%, %+.1f%%", r.ChangeLo*100, r.ChangeHi*100)
}

func pString(p float64) string {
	switch {
	case math.IsNaN(p):
		return "-"
	case p == 0:
		return "0"
	case p < 0.001:
		return fmt.Sprintf("%.0e", p)
	}
	return fmt.Sprintf("%.3f", p)
}

func mdcString(m float64) string {
	if math.IsNaN(m) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", m*100)
}

// pctRange is the CI half-width as a percentage of the center, "?" when
// there are too few samples for one.
func pctRange(s benchmath.Summary) string {
	if r := s.PctRangeString(); r != "" {
		return r
	}
	return "?"
}
