package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/clonebench/clonebench/report"
	"github.com/clonebench/clonebench/resultfile"
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
	// Each file is read once, here, by readResult, which refuses what
	// runbench refuses everywhere (one file holding two machines), so a
	// report never shows what compare would call bad input.
	files, err := readResults(fs.Args()...)
	if err != nil {
		return err
	}
	var base *resultfile.File
	if *baseline != "" {
		if base, err = readResult(*baseline); err != nil {
			return err
		}
	}
	dir := *out
	if dir == "" {
		dir = strings.TrimSuffix(files[0].Path, filepath.Ext(files[0].Path))
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return badInput("-o %s: directory exists and is not empty; runbench never overwrites a report", dir)
	}
	written, err := e.reportInto(dir, files, base)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, written)
	return nil
}

// reportBeside draws the report for a result file into the directory of
// the same name without .txt, or name-2 … if that is taken.
func (e *env) reportBeside(path, baseline string) (string, error) {
	files, err := readResults(path)
	if err != nil {
		return "", err
	}
	var baseFile *resultfile.File
	if baseline != "" {
		if baseFile, err = readResult(baseline); err != nil {
			return "", err
		}
	}
	base := strings.TrimSuffix(path, filepath.Ext(path))
	for i := 1; i < 1000; i++ {
		dir := base
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", base, i)
		}
		if _, err := os.Lstat(dir); err == nil {
			continue
		}
		d, err := e.reportInto(dir, files, baseFile)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return d, err
	}
	return "", fmt.Errorf("%s: no free report directory name", base)
}

// reportInto draws into a temporary directory beside dir and renames it
// into place, so a report is complete or absent, never half-drawn.
func (e *env) reportInto(dir string, files []*resultfile.File, baseline *resultfile.File) (string, error) {
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
func writeReport(dir string, files []*resultfile.File, baseline *resultfile.File) ([]string, error) {
	d, err := report.FromFiles(files...)
	if err != nil {
		return nil, err
	}
	var opts report.Options
	if baseline != nil {
		if opts.Baseline, err = report.FromFiles(baseline); err != nil {
			return nil, err
		}
	}
	return report.Write(dir, d, opts)
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
