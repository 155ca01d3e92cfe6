package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/clonebench/clonebench/cmd/runbench/internal/cmdflag"
	"github.com/clonebench/clonebench/cmd/runbench/internal/runfiles"
	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
)

// compareOpts are compare's flags, shared with run -baseline and report
// -baseline, so the three judge a pair of files alike.
type compareOpts struct {
	threshold percent
	alpha     float64
	force     bool
	history   string
}

// compareFlags defines the comparison's flags on fs.
func compareFlags(fs *cmdflag.FlagSet) *compareOpts {
	o := judgeFlags(fs)
	fs.BoolVar(&o.force, "force", false, "compare even if the config lines show different machines")
	fs.StringVar(&o.history, "history", "", "earlier runs of this machine in `dir`, whose spread a one-run comparison is tested against (default results/HOST of the new run)")
	return o
}

// judgeFlags defines the flags every comparison is judged by, ab's
// included: -threshold and -alpha.
func judgeFlags(fs *cmdflag.FlagSet) *compareOpts {
	o := &compareOpts{threshold: percent(5)}
	fs.Var(&o.threshold, "threshold", "a significant slowdown over `percent` is a regression (exit 1)")
	fs.Float64Var(&o.alpha, "alpha", 0.05, "false discovery rate `α` across each unit's rows")
	return o
}

func (e *env) cmdCompare(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("compare", stderr, "[flags] OLD NEW  (each a result file, a comma-separated list of runs, or a directory of runs)")
	opts := compareFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return badInput("want two sides, OLD and NEW; have %d arguments", fs.NArg())
	}
	if err := opts.check(); err != nil {
		return err
	}
	old, err := readSide(fs.Arg(0))
	if err != nil {
		return err
	}
	cur, err := readSide(fs.Arg(1))
	if err != nil {
		return err
	}
	warnPartial(stderr, append(append([]*resultfile.File(nil), old...), cur...)...)
	c, err := e.compareSets(old, cur, *opts)
	if err != nil {
		return err
	}
	return printComparison(stdout, c)
}

// readSide reads one side of a comparison: a result file, runs separated
// by commas, or every run (*.txt) in a directory.
func readSide(arg string) ([]*resultfile.File, error) {
	var paths []string
	if fi, err := os.Stat(arg); err == nil && fi.IsDir() {
		if paths, err = runfiles.Expand(io.Discard, []string{arg}, false); err != nil {
			return nil, badInput("%v", err)
		}
	} else {
		paths = strings.Split(arg, ",")
	}
	return readResults(paths...)
}

// history is the earlier runs of cur's machine a one-run comparison
// estimates the between-run spread from: -history DIR, or the results
// directory runbench keeps for cur's host.
func (e *env) history(opts compareOpts, compared ...*resultfile.File) ([]*resultfile.File, error) {
	if opts.history != "" {
		h, err := runfiles.Earlier(opts.history, compared...)
		if err != nil {
			return nil, badInput("-history %s: %v", opts.history, err)
		}
		return h, nil
	}
	host := compared[len(compared)-1].Get(sysinfo.KeyHost)
	if host == "" {
		return nil, nil
	}
	// No runs kept here is no error: the comparison says it used the
	// default spread.
	h, _ := runfiles.Earlier(filepath.Join(e.resultsDir(), host), compared...)
	return h, nil
}

// resultsDir is where runs are kept, as the runner writes them.
func (e *env) resultsDir() string {
	if e.run.ResultsDir != "" {
		return e.run.ResultsDir
	}
	return "results"
}

// warnPartial says which files are interrupted runs. They are compared
// anyway: their samples are real, only fewer, which benchstat's intervals
// and n= already show.
func warnPartial(stderr io.Writer, files ...*resultfile.File) {
	for _, f := range files {
		if f.Get(sysinfo.KeyPartial) == "true" {
			fmt.Fprintf(stderr, "[runbench] warning: %s is a partial run (interrupted); its rows may have fewer samples\n", f.Path)
		}
	}
}

// options are the flags as the comparison package takes them.
func (o compareOpts) options() comparison.Options {
	opts := comparison.DefaultOptions
	opts.Alpha, opts.Threshold, opts.Force = o.alpha, float64(o.threshold)/100, o.force
	return opts
}

// validAlpha refuses a significance level out of range as bad input.
func validAlpha(a float64) error {
	if err := comparison.CheckAlpha(a); err != nil {
		return badInput("%v", err)
	}
	return nil
}

// check refuses flags out of range, naming the flag.
func (o compareOpts) check() error {
	if err := o.options().Check(); err != nil {
		return badInput("%v", err)
	}
	return nil
}

// compareSets is the comparison of the runs old with the runs new under
// opts, with the machine's earlier runs as history; an error is bad input.
func (e *env) compareSets(old, cur []*resultfile.File, opts compareOpts) (*comparison.Comparison, error) {
	o := opts.options()
	if len(old) == 1 || len(cur) == 1 {
		h, err := e.history(opts, append(append([]*resultfile.File(nil), old...), cur...)...)
		if err != nil {
			return nil, err
		}
		o.History = h
	}
	c, err := comparison.CompareSets(old, cur, o)
	if err != nil {
		return nil, badInput("%v", err)
	}
	// Profiles (run -pprof) say why a row moved; a side without them, or
	// with unreadable ones, is compared without.
	pa, errA := resultfile.ReadProfiles(old[0].Path)
	pb, errB := resultfile.ReadProfiles(cur[len(cur)-1].Path)
	if errA == nil && errB == nil {
		c.AddProfiles(pa, pb)
	}
	return c, nil
}

// compareFiles is compareSets of one run a side.
func (e *env) compareFiles(old, cur *resultfile.File, opts compareOpts) (*comparison.Comparison, error) {
	return e.compareSets([]*resultfile.File{old}, []*resultfile.File{cur}, opts)
}

// printComparison prints c's text and returns its verdict's exit code as
// an error; incomparable sides are bad input (exit 2) with c's reason.
func printComparison(w io.Writer, c *comparison.Comparison) error {
	if c.Verdict == comparison.Incomparable {
		return badInput("%s", c.Reason)
	}
	if err := comparison.WriteText(w, c); err != nil {
		return err
	}
	if code := c.Verdict.ExitCode(); code != exitOK {
		return withCode(code, nil)
	}
	return nil
}
