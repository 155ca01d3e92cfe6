package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

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
			return badInput("-o %s: %w", dir, unwrapPath(err))
		}
		if len(ents) > 0 {
			return badInput("-o %s: directory exists and is not empty; runbench never overwrites a report", dir)
		}
		// An empty directory the user made for the report (or a mount
		// point): draw into it, never removing it, so its owner and mode
		// stay the user's.
		written, err := e.reportIntoEmpty(dir, files, cmp)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, written)
		return nil
	}
	written, err := e.reportInto(dir, files, cmp)
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
	base := strings.TrimSuffix(path, filepath.Ext(path))
	for i := 1; i < 1000; i++ {
		dir := base
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", base, i)
		}
		if _, err := os.Lstat(dir); err == nil {
			continue
		}
		d, err := e.reportInto(dir, files, cmp)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return d, err
	}
	return "", fmt.Errorf("%s: no free report directory name", base)
}

// reportInto draws into a temporary directory beside dir and renames it
// into place, so a report is complete or absent, never half-drawn.
func (e *env) reportInto(dir string, files []*resultfile.File, cmp *comparison.Comparison) (string, error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	removeStaleReports(parent, time.Now().Add(-staleReportAge))
	tmp, err := os.MkdirTemp(parent, ".report-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // gone after a successful rename
	if _, err := e.writeReport(tmp, files, cmp); err != nil {
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

// reportIntoEmpty draws into an existing empty directory, which it never
// removes: into a temporary directory inside it (the same file system, so
// a mount point works, and the parent need not be writable), whose files
// are then moved up. A failed draw leaves dir as it was, empty; so does a
// failed move, which takes back the files it moved.
func (e *env) reportIntoEmpty(dir string, files []*resultfile.File, cmp *comparison.Comparison) (string, error) {
	removeStaleReports(filepath.Dir(dir), time.Now().Add(-staleReportAge))
	tmp, err := os.MkdirTemp(dir, ".report-*")
	if err != nil {
		return "", fmt.Errorf("-o %s: %w", dir, unwrapPath(err))
	}
	defer os.RemoveAll(tmp)
	if _, err := e.writeReport(tmp, files, cmp); err != nil {
		return "", err
	}
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return "", err
	}
	var moved []string
	for _, ent := range ents {
		from, to := filepath.Join(tmp, ent.Name()), filepath.Join(dir, ent.Name())
		if _, err = os.Lstat(to); err == nil {
			err = fmt.Errorf("%s: %w (written meanwhile)", to, os.ErrExist)
		} else {
			err = os.Rename(from, to)
		}
		if err != nil {
			for _, m := range moved {
				os.RemoveAll(m)
			}
			return "", fmt.Errorf("-o %s: %w", dir, err)
		}
		moved = append(moved, to)
	}
	return dir, nil
}

// staleReportAge: a .report-* directory older than this belongs to a
// report that was killed; none takes minutes to draw.
const staleReportAge = 10 * time.Minute

// removeStaleReports removes temporary report directories left in parent
// by killed runs, last modified before cutoff; a younger one may be a
// report being drawn now.
func removeStaleReports(parent string, cutoff time.Time) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, ent := range ents {
		if !ent.IsDir() || !strings.HasPrefix(ent.Name(), ".report-") {
			continue
		}
		if fi, err := ent.Info(); err == nil && fi.ModTime().Before(cutoff) {
			os.RemoveAll(filepath.Join(parent, ent.Name()))
		}
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
