package ab

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"

	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// Rows is the rows of cat runbench ab compares: the headlines, or with
// -suite or -run, the suite's rows (quick by default) whose names match.
func Rows(cat []workloads.Row, suite, run string) ([]rowspec.Spec, error) {
	if suite == "" && run == "" {
		return Headlines(cat), nil
	}
	s := workloads.Quick
	switch suite {
	case "", "quick":
	case "full":
		s = workloads.Full
	default:
		return nil, badInput("-suite must be quick or full, not %q", suite)
	}
	re, err := regexp.Compile(run)
	if err != nil {
		return nil, badInput("-run: %w", err)
	}
	rows := Select(cat, s, re)
	if len(rows) == 0 {
		return nil, badInput("no row of the %s suite matches -run %q", map[bool]string{true: "full", false: "quick"}[s == workloads.Full], run)
	}
	return rows, nil
}

// WriteSummary follows the comparison with what only a session knows: its
// sides, the rows not compared and why, and the target.
func WriteSummary(w io.Writer, o Options, res *Result) {
	if o.Knob != nil {
		fmt.Fprintf(w, "sides: %s with %s=%s (A), %s (B); seed %d, %d rounds\n", o.A, o.Knob.Path, o.Knob.Values[0], o.Knob.Values[1], res.Seed, res.Rounds)
	} else {
		fmt.Fprintf(w, "sides: A %s, B %s; seed %d, %d rounds\n", o.A, o.B, res.Seed, res.Rounds)
	}
	for _, f := range res.Failed {
		fmt.Fprintf(w, "not compared: %s: %s\n", f.Row, f.Reason)
	}
	for _, p := range res.Profiles {
		fmt.Fprintln(w, p)
	}
	if o.Target <= 0 || res.Comparison == nil {
		return
	}
	var missed []string
	for _, r := range res.Comparison.Primary().Rows {
		if hw := res.HalfWidth[r.Name]; hw > o.Target {
			s := "unbounded"
			if !math.IsInf(hw, 1) {
				s = fmt.Sprintf("±%.2f%%", hw*100)
			}
			missed = append(missed, r.Name+" "+s)
		}
	}
	n := len(res.Comparison.Primary().Rows)
	if len(missed) == 0 {
		fmt.Fprintf(w, "target ±%g%%: reached by all %d rows\n", o.Target*100, n)
		return
	}
	fmt.Fprintf(w, "target ±%g%%: reached by %d of %d rows; not reached: %s\n", o.Target*100, len(res.Reached), n, strings.Join(missed, ", "))
}
