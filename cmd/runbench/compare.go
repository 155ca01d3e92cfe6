package main

import (
	"fmt"
	"io"

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
}

// compareFlags defines the comparison's flags on fs.
func compareFlags(fs *flagSet) *compareOpts {
	o := &compareOpts{threshold: percent(5)}
	fs.Var(&o.threshold, "threshold", "a significant slowdown over `percent` is a regression (exit 1)")
	fs.Float64Var(&o.alpha, "alpha", 0.05, "significance level `α` of each row's test")
	fs.BoolVar(&o.force, "force", false, "compare even if the config lines show different machines")
	return o
}

func (e *env) cmdCompare(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("compare", stderr, "[flags] OLD NEW")
	opts := compareFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return badInput("want two result files, OLD and NEW; have %d arguments", fs.NArg())
	}
	if err := opts.check(); err != nil {
		return err
	}
	old, err := readResult(fs.Arg(0))
	if err != nil {
		return err
	}
	cur, err := readResult(fs.Arg(1))
	if err != nil {
		return err
	}
	warnPartial(stderr, old, cur)
	return compareSets(stdout, old, cur, *opts)
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

// compareFiles is the comparison of old with new under opts; an error is
// bad input.
func compareFiles(old, cur *resultfile.File, opts compareOpts) (*comparison.Comparison, error) {
	c, err := comparison.Compare(old, cur, opts.options())
	if err != nil {
		return nil, badInput("%v", err)
	}
	return c, nil
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

// compareSets compares old with new and prints the comparison.
func compareSets(w io.Writer, old, cur *resultfile.File, opts compareOpts) error {
	c, err := compareFiles(old, cur, opts)
	if err != nil {
		return err
	}
	return printComparison(w, c)
}
