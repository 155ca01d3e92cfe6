package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/clonebench/clonebench/cmd/runbench/internal/reportdir"
	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/report"
	"github.com/clonebench/clonebench/resultfile"
)

func (e *env) cmdReport(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("report", stderr, "[-o DIR] [-baseline FILE] FILE...")
	out := fs.String("o", "", "write the report into `dir` (default: beside the first file, without .txt)")
	baseline := fs.String("baseline", "", "compare against the results in `file` (compare.png)")
	copts := compareFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := copts.check(); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return badInput("want at least one result file")
	}
	// Each file is read once, here, by readResult, which refuses what
	// runbench refuses everywhere (one file holding two machines), so a
	// report never shows what compare would call bad input.
	files, err := readResults(fs.Args()...)
	if err != nil {
		return err
	}
	// The comparison is the one compare prints for these files: the
	// baseline against the first file.
	var cmp *comparison.Comparison
	if *baseline != "" {
		base, err := readResult(*baseline)
		if err != nil {
			return err
		}
		if cmp, err = e.compareFiles(base, files[0], *copts); err != nil {
			return err
		}
	}
	dir := *out
	if dir == "" {
		dir = strings.TrimSuffix(files[0].Path, filepath.Ext(files[0].Path))
	}
	if fi, err := os.Lstat(dir); err == nil {
		if !fi.IsDir() {
			return badInput("-o %s: exists and is not a directory", dir)
		}
		ents, err := os.ReadDir(dir)
		if err != nil {
			return badInput("-o %s: %w", dir, resultfile.UnwrapPath(err))
		}
		if len(ents) > 0 {
			return badInput("-o %s: directory exists and is not empty; runbench never overwrites a report", dir)
		}
		// An empty directory the user made for the report (or a mount
		// point): draw into it, never removing it, so its owner and mode
		// stay the user's.
		written, err := reportdir.IntoEmpty(dir, e.drawer(files, cmp))
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, written)
		return nil
	}
	written, err := reportdir.Into(dir, e.drawer(files, cmp))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, written)
	return nil
}

// reportBeside draws the report for a result file into the directory of
// the same name without .txt, or name-2 … if that is taken.
func (e *env) reportBeside(path string, cmp *comparison.Comparison) (string, error) {
	files, err := readResults(path)
	if err != nil {
		return "", err
	}
	return reportdir.Beside(path, e.drawer(files, cmp))
}

// drawer draws the files' report, compared as cmp says, into a directory.
func (e *env) drawer(files []*resultfile.File, cmp *comparison.Comparison) reportdir.Draw {
	return func(dir string) error {
		_, err := e.writeReport(dir, files, cmp)
		return err
	}
}

// writeReport draws the charts and report.md of the result files into dir
// with the report package.
func writeReport(dir string, files []*resultfile.File, cmp *comparison.Comparison) ([]string, error) {
	d, err := report.FromFiles(files...)
	if err != nil {
		return nil, err
	}
	return report.Write(dir, d, report.Options{Comparison: cmp})
}

// readResults is readResult for each path.
func readResults(paths ...string) ([]*resultfile.File, error) {
	out := make([]*resultfile.File, 0, len(paths))
	for _, p := range paths {
		f, err := readResult(p)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
