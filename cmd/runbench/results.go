package main

import (
	"strings"

	"github.com/clonebench/clonebench/resultfile"
)

// readResult reads one result file for compare, report, calibrate and run
// -baseline: whatever resultfile.ReadRun refuses is bad input naming it.
func readResult(path string) (*resultfile.File, error) {
	f, err := resultfile.ReadRun(path)
	if err != nil {
		return nil, badFile(path, err)
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
