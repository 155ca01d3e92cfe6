package main

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/clonebench/clonebench/resultfile"
)

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
