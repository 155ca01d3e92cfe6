package main

import (
	"errors"
	"io"

	"github.com/clonebench/clonebench/cmd/runbench/internal/ab"
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
	fs.StringVar(&o.OutDir, "o", o.OutDir, "write a.txt and b.txt into `dir` (default results/HOST/ab-UTCTIME)")
	fs.BoolVar(&o.Pprof, "pprof", false, "after the rounds, profile each row's pprof=cpu twin once per side (root, or perf_event_paranoid ≤ 1), write the profiles beside a.txt and b.txt, and list the functions whose time per op moved most")
	fs.BoolVar(&o.Wait, "wait", false, "if another run holds the machine's run lock, wait for it instead of refusing")
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
		rows, err := ab.Rows(workloads.Catalogue(), suite, run)
		if err != nil {
			return withCode(exitBadInput, err)
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
	ab.WriteSummary(stdout, o, res)
	return err
}
