package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/clonebench/clonebench/cmd/runbench/internal/runfiles"
	"github.com/clonebench/clonebench/history"
	"github.com/clonebench/clonebench/resultfile"
)

func (e *env) cmdHistory(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("history", stderr, "[-o DIR] [-by time|commit] FILES|DIR... | -server URL -q QUERY")
	out := fs.String("o", "", "write history.md and the trend charts into `dir`")
	by := fs.String("by", "time", "order runs by `order`: time (UTCTIME in the file names) or commit (their commit line, in git's order)")
	repo := fs.String("repo", ".", "git repository whose history orders -by commit (`dir`)")
	alpha := fs.Float64("alpha", history.DefaultAlpha, "per-test significance level `α` of a change point")
	minSize := fs.Int("min", history.DefaultMinSize, "fewest `runs` a segment may have")
	th := percent(2)
	fs.Var(&th, "threshold", "fail (exit 1) when a headline row's newest segment is a regression over `percent`")
	server := fs.String("server", "", "read the runs from the x/perf storage server at `URL` (with -q)")
	q := fs.String("q", "", "storage `query` selecting the runs (e.g. \"host:lab1\")")
	timeout := fs.Duration("timeout", runfiles.DefaultTimeout, "with -server: give up on a server that has not answered within `duration`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := validAlpha(*alpha); err != nil {
		return err
	}
	if *minSize < 2 {
		return badInput("-min must be at least 2 (a segment needs a variance), not %d", *minSize)
	}
	var order history.Order
	switch *by {
	case "time":
		order = history.ByTime{}
	case "commit":
	default:
		return badInput("-by must be time or commit, not %q", *by)
	}
	if (*server == "") != (*q == "") {
		return badInput("-server and -q go together")
	}
	var files []*resultfile.File
	switch {
	case *server != "":
		if fs.NArg() > 0 {
			return badInput("-server reads runs from the store: give no files (have %d)", fs.NArg())
		}
		var err error
		if *timeout <= 0 {
			return badInput("-timeout must be positive, not %v", *timeout)
		}
		if files, err = runfiles.Query(stderr, *server, *q, *timeout); err != nil {
			if errors.Is(err, resultfile.ErrNoResults) || errors.Is(err, resultfile.ErrMalformed) {
				return badInput("%w", err)
			}
			return err
		}
	default:
		if fs.NArg() == 0 {
			return badInput("want result files or a directory of them (or -server URL -q QUERY)")
		}
		paths, err := runfiles.Expand(stderr, fs.Args(), *by == "time")
		if err != nil {
			return badInput("%w", err)
		}
		if files, err = readResults(paths...); err != nil {
			return err
		}
	}
	files, dups := history.Dedupe(files)
	for _, d := range dups {
		fmt.Fprintf(stderr, "[runbench] history: leaving out %s\n", d)
	}
	if *by == "commit" {
		commits, err := runfiles.GitCommits(*repo)
		if err != nil {
			return badInput("-by commit: %w", err)
		}
		order = history.ByCommit{Commits: commits}
	}
	machines, err := history.Build(files, order)
	if err != nil {
		return badInput("%w", err)
	}
	opts := history.Options{Alpha: *alpha, MinSize: *minSize}
	history.Analyze(machines, opts)
	sum := history.Summary{Order: order, Opts: opts, Threshold: float64(th)}
	verdict := history.WriteText(stdout, machines, sum)
	if *out != "" {
		if _, written, err := history.Write(*out, machines, sum); err != nil {
			return fmt.Errorf("-o %s: %w", *out, err)
		} else {
			fmt.Fprintf(stdout, "wrote %s\n", strings.Join(runfiles.Join(*out, written), " "))
		}
	}
	if len(verdict) > 0 {
		return withCode(exitFail, nil)
	}
	return nil
}
