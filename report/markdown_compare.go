package report

import (
	"fmt"
	"math"
	"strings"

	"golang.org/x/perf/benchunit"

	"github.com/clonebench/clonebench/comparison"
)

// compareSection writes report.md's comparison with the baseline: the
// comparison runbench computed and printed, so the two never disagree.
func compareSection(b *strings.Builder, c *comparison.Comparison) {
	w := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	w("\n## Against the baseline\n\n")
	var files []string
	for _, f := range c.Old.Files {
		files = append(files, f.Path)
	}
	w("Baseline: %s.\n\n", strings.Join(quoteAll(files), ", "))
	if c.Verdict == comparison.Incomparable {
		w("**Verdict: %s.**\n", mdEsc(c.VerdictLine()))
		return
	}
	w("**Verdict: %s.**\n\n", mdEsc(c.VerdictLine()))
	var notes []string
	if c.Forced {
		for _, k := range c.Differ.Machine {
			notes = append(notes, "forced: different machines, "+k.String())
		}
	}
	for _, k := range c.Differ.Config {
		notes = append(notes, "configuration: "+k.String())
	}
	notes = append(notes, c.Notes...)
	for _, k := range c.Differ.State {
		notes = append(notes, "state: "+k.String())
	}
	for _, n := range notes {
		w("- %s\n", mdEsc(n))
	}
	if len(notes) > 0 {
		w("\n")
	}
	if len(c.Profiles) > 0 {
		var pb strings.Builder
		if err := comparison.WriteProfileDiff(&pb, c.Profiles); err == nil {
			w("```\n%s```\n\n", pb.String())
		}
	}
	t := c.Primary()
	if t == nil {
		w("No per-op times in common with the baseline.\n")
		return
	}
	w("Method: %s. A regression is a significant slowdown of more than %g%%. Range: %s.\n\n",
		c.Method, c.Opts.Threshold*100, c.Interval)
	w("| row | baseline | this run | change | range | p | q | class |\n|---|---|---|---|---|---|---|---|\n")
	cls := benchunit.ClassOf(t.Unit)
	for _, r := range t.Rows {
		sc := benchunit.CommonScale([]float64{r.Old.Center, r.New.Center}, cls)
		class := r.Class.String()
		if r.Class == comparison.Regression {
			class = "**" + class + "**"
		}
		if r.Mixture {
			class += " (mixture)"
		}
		w("| %s | %s | %s | %+.1f%% | %s | %s | %s | %s |\n", mdEsc(simName(r.Name, r.Simulated)),
			sc.Format(r.Old.Center), sc.Format(r.New.Center), r.Change*100, changeRange(r), pValue(r.P), pValue(r.Q), class)
	}
}

// changeRange is a row's interval of the change, "∞" when unknown.
func changeRange(r *comparison.Row) string {
	if math.IsInf(r.ChangeLo, 0) || math.IsInf(r.ChangeHi, 0) {
		return "∞"
	}
	return fmt.Sprintf("%+.1f%% … %+.1f%%", r.ChangeLo*100, r.ChangeHi*100)
}

func pValue(p float64) string {
	if math.IsNaN(p) {
		return "-"
	}
	return fmt.Sprintf("%.3g", p)
}
