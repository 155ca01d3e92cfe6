package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/clonebench/clonebench/cmd/runbench/internal/cmdflag"
	"github.com/clonebench/clonebench/cmd/runbench/internal/runner"
	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/workloads"
)

// runFlags are run's flags beyond what runner.Options holds.
type runFlags struct {
	auto, report                        bool
	suiteName, filter, baseline, kernel string
	compare                             *compareOpts // with -baseline
	target                              percent      // -target: stop once every stated ratio's CI is within it
}

// cmdRun checks everything it is given before measuring, so a typo costs
// nothing; the runner measures and writes the file; then the report and
// the comparison with -baseline.
func (e *env) cmdRun(stdout, stderr io.Writer, args []string) error {
	opts := e.run
	rf, err := parseRunFlags(stderr, args, &opts)
	if err != nil {
		return err
	}
	var base *resultfile.File
	if rf.baseline != "" {
		if base, err = readResult(rf.baseline); err != nil {
			return err
		}
	}
	if err := opts.Check(); err != nil {
		return rf.exitCode(err)
	}
	if opts.Pprof && opts.Worker == nil {
		if opts.Worker, err = runner.SelfWorker(); err != nil {
			return err
		}
	}
	if base != nil {
		warnPartial(stderr, base)
	}
	res, err := runner.Run(stdout, stderr, opts)
	if err != nil {
		return rf.exitCode(err)
	}
	return e.followUp(stdout, stderr, rf, res, base)
}

// cmdWorker serves run -pprof as a profiled twin's worker process.
func (e *env) cmdWorker(stdout, _ io.Writer, args []string) error {
	err := runner.Worker(stdout, args, e.run.Rows)
	if errors.Is(err, runner.ErrBadInput) {
		return withCode(exitBadInput, err)
	}
	return err
}

// exitCode gives a runner error its exit code, and its flags' words.
func (rf *runFlags) exitCode(err error) error {
	switch {
	case errors.Is(err, runner.ErrNoRows):
		return badInput("no row of the %s suite matches -run %q", rf.suiteName, rf.filter)
	case errors.Is(err, runner.ErrBadInput):
		return withCode(exitBadInput, err)
	case errors.Is(err, runner.ErrInterrupted):
		return withCode(exitInterrupted, err)
	}
	return err
}

// parseRunFlags parses and checks run's flags into rf and opts.
func parseRunFlags(stderr io.Writer, args []string, opts *runner.Options) (*runFlags, error) {
	rf := &runFlags{}
	fs := newFlags("run", stderr, "[flags]")
	fs.BoolVar(&rf.auto, "auto", false, "the no-argument default: pick a sample count ≥6 that fits the budget")
	fs.StringVar(&rf.suiteName, "suite", "quick", "run the `suite`: quick or full")
	fs.StringVar(&rf.filter, "run", "", "run only rows whose name matches `regexp` (e.g. 'Create/style=(thread|fork)$')")
	fs.IntVar(&opts.Count, "count", 10, "take `n` samples of every row")
	fs.StringVar(&opts.Out, "o", "", "write results to `file` (default results/HOST/UTCTIME.txt); never overwritten")
	fs.StringVar(&rf.baseline, "baseline", "", "compare against the results in `file` after the run")
	fs.StringVar(&rf.kernel, "kernel", "real", "measure the `kernel`: real, or sim for the simulated kernel")
	fs.DurationVar(&opts.Benchtime, "benchtime", 0, "aim each sample at `duration` (default: the budget divided across rows and samples)")
	fs.Var(&rf.target, "target", "add rounds until every stated ratio's 95% CI (from its back-to-back pairs) is within ±`percent`, or the budget runs out")
	fs.DurationVar(&opts.Budget, "budget", 0, "spend about `duration` measuring (default 90s for quick, 10m for full)")
	rf.compare = compareFlags(fs)
	fs.StringVar(&opts.Profile, "profile", "", "with -kernel sim: the calibration `profile` (default: the one shipped in simkernel)")
	fs.BoolVar(&opts.Probe, "probe", false, "also run each selected raw creation row's (and cpu=same switch row's) probe=sched twin, its op split into phases by BPF programs (needs root), alternating with the plain row")
	fs.BoolVar(&opts.Pprof, "pprof", false, "also run each selected raw creation and raw process/thread switch row's pprof=cpu twin under perf_event sampling (root, or perf_event_paranoid ≤ 1), alternating with the plain row, and write its pprof profile beside the result file (UTCTIME.ROW.pprof)")
	fs.BoolVar(&opts.Wait, "wait", false, "if another run holds the machine's run lock, wait for it instead of refusing")
	fs.BoolVar(&rf.report, "report", true, "draw charts and report.md beside the result file")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, badInput("unexpected argument %q", fs.Arg(0))
	}
	countSet := false
	fs.Visit(func(f *flag.Flag) { countSet = countSet || f.Name == "count" })
	if rf.auto && !countSet {
		opts.Count = 0
	}
	switch rf.suiteName {
	case "quick":
		opts.Suite = workloads.Quick
	case "full":
		opts.Suite = workloads.Full
	default:
		return nil, badInput("-suite must be quick or full, not %q", rf.suiteName)
	}
	if opts.Budget < 0 || opts.Benchtime < 0 {
		return nil, badInput("-budget and -benchtime must not be negative")
	}
	if countSet && opts.Count < 1 {
		return nil, badInput("-count must be at least 1, not %d", opts.Count)
	}
	if rf.target > 0 && rf.target >= 100 {
		return nil, badInput("-target must be below 100%%, not %v", &rf.target)
	}
	opts.Target = float64(rf.target) / 100
	if rf.kernel != "real" && rf.kernel != "sim" {
		return nil, badInput("-kernel must be real or sim, not %q", rf.kernel)
	}
	opts.Sim = rf.kernel == "sim"
	if err := rf.compare.check(); err != nil {
		return nil, err
	}
	if opts.Profile != "" && !opts.Sim {
		return nil, badInput("-profile needs -kernel sim")
	}
	re, err := regexp.Compile(rf.filter)
	if err != nil {
		return nil, badInput("-run: %w", err)
	}
	opts.Run = re
	return rf, nil
}

// followUp draws the report and compares with the baseline after a whole
// run. A failed row or report fails the run only after both are done, so
// one broken row still leaves the rest reported and compared.
func (e *env) followUp(stdout, stderr io.Writer, rf *runFlags, res *runner.Result, base *resultfile.File) error {
	failed := res.Failed
	// One comparison: report.md shows what stdout prints and what the
	// exit code says.
	var cmp *comparison.Comparison
	if base != nil {
		cur, err := readResult(res.Path)
		if err != nil {
			return err
		}
		if cmp, err = e.compareFiles(base, cur, *rf.compare); err != nil {
			return err
		}
	}
	if rf.report {
		dir, err := e.reportBeside(res.Path, cmp)
		if err != nil {
			fmt.Fprintf(stderr, "[runbench] report: %v\n", err)
			failed = append(failed, "report")
		} else {
			fmt.Fprintln(stdout, dir)
		}
	}
	if cmp != nil {
		if err := printComparison(stdout, cmp); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

type percent = cmdflag.Percent // a flag value such as "5%" or "5"
