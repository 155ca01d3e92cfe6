package comparison

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"

	"github.com/clonebench/clonebench/internal/texttab"
)

// WriteText prints c as runbench compare does: the header, one
// benchstat-style table per unit, the disturbed rows, then the verdict.
// An Incomparable comparison prints nothing: its Reason is the error.
func WriteText(w io.Writer, c *Comparison) error {
	if c.Verdict == Incomparable {
		return nil
	}
	for _, cfg := range c.Agreed {
		fmt.Fprintf(w, "%s: %s\n", cfg.Key, cfg.Value)
	}
	if c.Forced {
		var differ []string
		for _, k := range c.Differ.Machine {
			differ = append(differ, fmt.Sprintf("%s (%q vs %q)", k.Key, k.Old, k.New))
		}
		fmt.Fprintf(w, "note: forced comparison of different machines: %s differ\n", strings.Join(differ, ", "))
	}
	for _, k := range c.Differ.Config {
		fmt.Fprintf(w, "configuration: %s\n", k)
	}
	// The machine's state at each run's start (memory, reclaim, load): a
	// change that moves with it is the machine's, not the code's.
	for _, k := range c.Differ.State {
		fmt.Fprintf(w, "state: %s: %s → %s\n", k.Key, k.Old, k.New)
	}
	for _, t := range c.Tables {
		fmt.Fprintln(w)
		var tab texttab.Table
		tab.Row("", c.Old.Name, "", c.New.Name, "", "", "")
		tab.Row("", t.Unit, "", t.Unit, "", "vs base", "")
		cls := benchunit.ClassOf(t.Unit)
		for _, r := range t.Rows {
			sc := benchunit.CommonScale([]float64{r.Old.Center, r.New.Center}, cls)
			tab.Row(r.Name, sc.Format(r.Old.Center), "± "+pctRange(r.Old), sc.Format(r.New.Center), "± "+pctRange(r.New),
				r.Cmp.FormatDelta(r.Old.Center, r.New.Center), "("+r.Cmp.String()+")")
		}
		if g := t.Geomean; g != nil {
			sc := benchunit.CommonScale([]float64{g.Old, g.New}, cls)
			tab.Row("geomean", sc.Format(g.Old), "", sc.Format(g.New), "", fmt.Sprintf("%+.2f%%", (g.Ratio-1)*100), "")
		}
		tab.Write(w, "lrlrlrl")
	}
	fmt.Fprintln(w)
	if len(c.Disturbed) > 0 {
		on, nn := filepath.Base(c.Old.Files[0].Path), filepath.Base(c.New.Files[0].Path)
		for _, d := range c.Disturbed {
			fmt.Fprintf(w, "disturbed: %s: %d/%d samples in %s, %d/%d in %s\n", d.Name, d.Old, d.OldOf, on, d.New, d.NewOf, nn)
		}
		fmt.Fprintln(w, "(disturbed: the measuring thread moved CPU, or was preempted more than once per 10 ms; such samples are kept, the median is robust to a few)")
	}
	for _, r := range c.Regressions {
		fmt.Fprintf(w, "regression: %s %s %+.2f%% (%s) exceeds %g%%\n", r.Name, r.Unit, r.Change*100, r.Cmp, c.Opts.Threshold*100)
	}
	fmt.Fprintf(w, "verdict: %s\n", c.VerdictLine())
	return nil
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
		return fmt.Sprintf("%d significant regression(s) over %g%% (α=%g)", len(c.Regressions), th, alpha)
	}
	return fmt.Sprintf("no significant regression over %g%% (α=%g)", th, alpha)
}

// pctRange is the CI half-width as a percentage of the center, "?" when
// there are too few samples for one.
func pctRange(s benchmath.Summary) string {
	if r := s.PctRangeString(); r != "" {
		return r
	}
	return "?"
}
