package main

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/clonebench/clonebench/workloads"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
)

// skipped is a row that did not run, and why.
type skipped struct {
	Name   string // row name, e.g. "Create/style=pthread"
	Reason string
}

// readResult reads one result file for compare, report, calibrate and run
// -baseline. Whatever is wrong with the file is bad input naming it: it
// cannot be read, resultfile refuses it, or it holds two runs that cannot be
// told apart (see checkResult).
func readResult(path string) (*resultfile.File, error) {
	if strings.HasSuffix(path, ".hist") {
		// A glob like results/HOST/* picks up the sidecars too.
		return nil, badInput("%s: a latency histogram sidecar, not a result file: pass its .txt, which brings the sidecar along", path)
	}
	f, err := resultfile.Read(path)
	return checkResult(path, f, err)
}

// parseResult is readResult of data already in hand.
func parseResult(r io.Reader, name string) (*resultfile.File, error) {
	f, err := resultfile.Parse(r, name)
	return checkResult(name, f, err)
}

// checkResult adds runbench's own refusal to resultfile's: results of two
// machines in one file (two runs pasted together are two files).
func checkResult(name string, f *resultfile.File, err error) (*resultfile.File, error) {
	if err != nil {
		return nil, badFile(name, err)
	}
	if err := f.OneMachine(); err != nil {
		return nil, badFile(name, err)
	}
	return f, nil
}

// badFile is bad input naming the file, which most of resultfile's errors
// already do.
func badFile(name string, err error) error {
	if !strings.Contains(err.Error(), name) {
		return badInput("%s: %w", name, err)
	}
	return badInput("%w", err)
}

// sample is one measured sample of one row, as one benchmark line.
type sample struct {
	name   string // full benchmark name without "Benchmark", with -procs
	iters  int
	values []benchfmt.Value
	lat    []workloads.Latency // the sample's histograms, for the sidecar
}

// writeResults writes config lines, one benchmark line per sample, and the
// skipped rows.
func writeResults(w io.Writer, config []sysinfo.Fact, samples []sample, skips []skipped) error {
	cfg := make([]benchfmt.Config, len(config))
	for i, f := range config {
		cfg[i] = benchfmt.Config{Key: f.Key, Value: []byte(f.Value), File: true}
	}
	bw := bufio.NewWriter(w)
	fw := benchfmt.NewWriter(bw)
	for _, s := range samples {
		res := &benchfmt.Result{Config: cfg, Name: benchfmt.Name(s.name), Iters: s.iters, Values: s.values}
		if err := fw.Write(res); err != nil {
			return err
		}
	}
	if len(skips) > 0 {
		bw.WriteString("\n")
	}
	for _, s := range skips {
		bw.WriteString(resultfile.SkipLine(s.Name, s.Reason))
	}
	return bw.Flush()
}

// writeNew writes data to path through a temporary file in the same
// directory and links it into place, so a reader never sees half a file
// and an existing file is never replaced: if path exists the error wraps
// os.ErrExist.
func writeNew(path string, write func(io.Writer) error) error {
	if err := writeNewTmp(path, write); err != nil {
		// The user knows the name they gave, not our temporary one.
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the file name from a *PathError or *LinkError, which
// may be a temporary name the user never gave, keeping the cause.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

func writeNewTmp(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".runbench-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes 0600; results are for everyone to read.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// link(2) fails with EEXIST instead of replacing, unlike rename(2).
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return os.ErrExist
		}
		// A file system without hard links: reserve the name, then rename
		// over our own empty reservation.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		f.Close()
		return os.Rename(tmp.Name(), path)
	}
	return nil
}

// writeFresh writes to base+ext, or base-2+ext, base-3+ext … if taken, and
// returns the name it used.
func writeFresh(base, ext string, write func(io.Writer) error) (string, error) {
	for i := 1; i < 1000; i++ {
		path := base + ext
		if i > 1 {
			path = fmt.Sprintf("%s-%d%s", base, i, ext)
		}
		err := writeNew(path, write)
		if err == nil {
			return path, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("%s%s: no free name", base, ext)
}
