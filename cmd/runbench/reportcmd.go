package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/clonebench/clonebench/report"
)

func (e *env) cmdReport(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("report", stderr, "[-o DIR] [-baseline FILE] FILE...")
	out := fs.String("o", "", "write the report into `dir` (default: beside the first file, without .txt)")
	baseline := fs.String("baseline", "", "compare against the results in `file` (compare.png)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return badInput("want at least one result file")
	}
	files := fs.Args()
	// report.Load reads with resultfile too, but takes one file holding two
	// machines, or a row both simulated and real, as two hosts or rows:
	// runbench refuses those files everywhere, so a report never shows
	// what compare would call bad input.
	for _, f := range append(files[:len(files):len(files)], *baseline) {
		if f == "" {
			continue
		}
		if _, err := readResult(f); err != nil {
			return err
		}
	}
	dir := *out
	if dir == "" {
		dir = strings.TrimSuffix(files[0], filepath.Ext(files[0]))
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return badInput("-o %s: directory exists and is not empty; runbench never overwrites a report", dir)
	}
	written, err := e.reportInto(dir, files, *baseline)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, written)
	return nil
}

// reportBeside draws the report for a result file into the directory of
// the same name without .txt, or name-2 … if that is taken.
func (e *env) reportBeside(path, baseline string) (string, error) {
	base := strings.TrimSuffix(path, filepath.Ext(path))
	for i := 1; i < 1000; i++ {
		dir := base
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", base, i)
		}
		if _, err := os.Lstat(dir); err == nil {
			continue
		}
		d, err := e.reportInto(dir, []string{path}, baseline)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return d, err
	}
	return "", fmt.Errorf("%s: no free report directory name", base)
}

// reportInto draws into a temporary directory beside dir and renames it
// into place, so a report is complete or absent, never half-drawn.
func (e *env) reportInto(dir string, files []string, baseline string) (string, error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(parent, ".report-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // gone after a successful rename
	if _, err := e.writeReport(tmp, files, baseline); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	// rename(2) replaces only an empty directory; a report with files in
	// it stays as it was.
	if err := os.Rename(tmp, dir); err != nil {
		if errors.Is(err, os.ErrExist) || errors.Is(err, errNotEmpty) {
			return "", fmt.Errorf("%s: %w", dir, os.ErrExist)
		}
		return "", err
	}
	return dir, nil
}

// writeReport draws the charts and report.md of the result files into dir
// with the report package.
func writeReport(dir string, files []string, baseline string) ([]string, error) {
	d, err := report.Load(files...)
	if err != nil {
		return nil, err
	}
	var opts report.Options
	if baseline != "" {
		if opts.Baseline, err = report.Load(baseline); err != nil {
			return nil, err
		}
	}
	return report.Write(dir, d, opts)
}
