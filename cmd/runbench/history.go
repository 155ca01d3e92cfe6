package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/clonebench/clonebench/history"
	"github.com/clonebench/clonebench/resultfile"
)

// serverTimeout bounds one upload or query: a store that does not answer
// must fail the nightly, not hang it.
const serverTimeout = 5 * time.Minute

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
		ctx, cancel := context.WithTimeout(context.Background(), serverTimeout)
		defer cancel()
		var err error
		if files, err = history.Query(ctx, *server, *q); err != nil {
			if errors.Is(err, resultfile.ErrNoResults) || errors.Is(err, resultfile.ErrMalformed) {
				return badInput("%w", err)
			}
			return err
		}
		for _, f := range files {
			if _, err := checkResult(f.Path, f, nil); err != nil {
				return err
			}
		}
	default:
		if fs.NArg() == 0 {
			return badInput("want result files or a directory of them (or -server URL -q QUERY)")
		}
		paths, err := historyPaths(stderr, fs.Args(), *by == "time")
		if err != nil {
			return err
		}
		if files, err = readResults(paths...); err != nil {
			return err
		}
	}
	if *by == "commit" {
		commits, err := gitCommits(*repo)
		if err != nil {
			return err
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
			fmt.Fprintf(stdout, "wrote %s\n", strings.Join(prefixAll(*out, written), " "))
		}
	}
	if len(verdict) > 0 {
		return withCode(exitFail, nil)
	}
	return nil
}

func prefixAll(dir string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, n)
	}
	return out
}

// historyPaths expands the arguments: a file is taken as given, a directory
// for every *.txt under it. Ordered by time, a file in a directory whose
// name is not UTCTIME.txt (a reference file, a copy) is left out with a
// note; named on the command line, it is bad input when ordered.
func historyPaths(stderr io.Writer, args []string, byTime bool) ([]string, error) {
	var paths []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, badInput("%w", err)
		}
		if !fi.IsDir() {
			paths = append(paths, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".txt") {
				return nil
			}
			if byTime {
				if _, err := history.RunTime(p); err != nil {
					fmt.Fprintf(stderr, "[runbench] history: leaving out %s: not named UTCTIME.txt\n", p)
					return nil
				}
			}
			found = append(found, p)
			return nil
		})
		if err != nil {
			return nil, badInput("%w", err)
		}
		if len(found) == 0 {
			return nil, badInput("%s: no result files (*.txt) in it", a)
		}
		sort.Strings(found)
		paths = append(paths, found...)
	}
	return paths, nil
}

// gitCommits is repo's history oldest first, in topological order: the
// order -by commit puts runs in.
func gitCommits(repo string) ([]string, error) {
	cmd := exec.Command("git", "-C", repo, "rev-list", "--reverse", "--topo-order", "HEAD")
	var errb strings.Builder
	cmd.Stderr = &errb
	outb, err := cmd.Output()
	if err != nil {
		return nil, badInput("-by commit: git rev-list in %s: %v: %s", repo, err, strings.TrimSpace(errb.String()))
	}
	return strings.Fields(string(outb)), nil
}

func (e *env) cmdUpload(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("upload", stderr, "-server URL FILE...")
	server := fs.String("server", "", "x/perf storage server `URL` (perfdata, or localperfdata)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *server == "" {
		return badInput("-server is required")
	}
	if fs.NArg() == 0 {
		return badInput("want result files to upload")
	}
	// Every file is checked before any is sent: a bad file is bad input,
	// and the store gets all or nothing.
	if _, err := readResults(fs.Args()...); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), serverTimeout)
	defer cancel()
	st, err := history.Upload(ctx, *server, fs.Args())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "upload %s: %s\n", st.UploadID, strings.Join(st.FileIDs, " "))
	if st.ViewURL != "" {
		fmt.Fprintln(stdout, st.ViewURL)
	}
	return nil
}
