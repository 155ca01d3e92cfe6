package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"

	"github.com/clonebench/clonebench/cmd/runbench/internal/ab"
	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// cmdAB is runbench ab: flags, then one session of package ab.
func (e *env) cmdAB(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("ab", stderr, "[flags] A B  |  -knob PATH=V1,V2 [flags] A")
	o := e.ab
	if o.ResultsDir == "" {
		o.ResultsDir = e.resultsDir()
	}
	var knob, suite, run string
	var target percent
	fs.StringVar(&knob, "knob", "", "compare one executable under two values of the kernel setting `PATH=V1,V2` (under /proc/sys or /sys; needs root)")
	fs.StringVar(&run, "run", "", "compare the -suite's rows whose name matches `regexp` (default: the headline rows)")
	fs.StringVar(&suite, "suite", "", "compare the `suite`'s rows: quick or full (default: the headline rows)")
	fs.DurationVar(&o.SampleTime, "sampletime", 50e6, "aim each sample's timed part at `duration`")
	fs.DurationVar(&o.Budget, "budget", 60e9, "stop adding rounds after about `duration` (at least 6 rounds)")
	fs.IntVar(&o.Rounds, "rounds", 0, "take at most `n` rounds (≥ 6; default: as many as the budget allows)")
	fs.Var(&target, "target", "stop once every row's 95% CI lies within ±`percent` of its change (default: no target)")
	fs.StringVar(&o.OutDir, "o", "", "write a.txt and b.txt into `dir` (default results/HOST/ab-UTCTIME)")
	fs.Uint64Var(&o.Seed, "seed", 0, "order pairs and rows with `seed` (default: random; the output says which)")
	cmp := judgeFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cmp.check(); err != nil {
		return err
	}
	o.Compare, o.Target = cmp.options(), float64(target)/100
	switch {
	case knob != "" && fs.NArg() != 1:
		return badInput("-knob compares one executable under two settings: want A; have %d arguments", fs.NArg())
	case knob == "" && fs.NArg() != 2:
		return badInput("want two executables, A and B; have %d arguments", fs.NArg())
	}
	o.A, o.B = fs.Arg(0), fs.Arg(fs.NArg()-1)
	if knob != "" {
		k, err := ab.ParseKnob(knob)
		if err != nil {
			return withCode(exitBadInput, err)
		}
		o.Knob = &k
	}
	if o.Rows == nil {
		rows, err := abRows(suite, run)
		if err != nil {
			return err
		}
		o.Rows = rows
	}
	res, err := ab.Run(stderr, o)
	switch {
	case errors.Is(err, ab.ErrBadInput):
		return withCode(exitBadInput, err)
	case errors.Is(err, ab.ErrInterrupted):
		return withCode(exitInterrupted, err)
	case err != nil && res == nil:
		return err
	}
	if res.Comparison != nil {
		if perr := printComparison(stdout, res.Comparison); perr != nil && err == nil {
			err = perr
		}
	}
	printAB(stdout, o, res)
	return err
}

// abRows is the rows ab compares: the headlines, or the -suite's rows
// matching -run.
func abRows(suite, run string) ([]rowspec.Spec, error) {
	cat := workloads.Catalogue()
	if suite == "" && run == "" {
		return ab.Headlines(cat), nil
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
	rows := ab.Select(cat, s, re)
	if len(rows) == 0 {
		return nil, badInput("no row of the %s suite matches -run %q", map[bool]string{true: "full", false: "quick"}[s == workloads.Full], run)
	}
	return rows, nil
}

// printAB follows the comparison with what only a session knows: its
// sides, the rows not compared and why, and the target.
func printAB(w io.Writer, o ab.Options, res *ab.Result) {
	if o.Knob != nil {
		fmt.Fprintf(w, "sides: %s with %s=%s (A), %s (B); seed %d, %d rounds\n", o.A, o.Knob.Path, o.Knob.Values[0], o.Knob.Values[1], res.Seed, res.Rounds)
	} else {
		fmt.Fprintf(w, "sides: A %s, B %s; seed %d, %d rounds\n", o.A, o.B, res.Seed, res.Rounds)
	}
	for _, f := range res.Failed {
		fmt.Fprintf(w, "not compared: %s: %s\n", f.Row, f.Reason)
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
