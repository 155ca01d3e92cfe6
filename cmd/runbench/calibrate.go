package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/clonebench/clonebench/internal/texttab"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/simkernel"
)

func (e *env) cmdCalibrate(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("calibrate", stderr, "FILE -o PROFILE")
	out := fs.String("o", "", "write the fitted profile (JSON) to `profile`; never overwritten")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return badInput("want one result file of a real Linux run; have %d arguments", fs.NArg())
	}
	if *out == "" {
		return badInput("-o PROFILE is required")
	}
	if _, err := os.Lstat(*out); err == nil {
		return badInput("-o %s: file exists; runbench never overwrites a profile", *out)
	}
	path := fs.Arg(0)
	set, err := readResult(path)
	if err != nil {
		return err
	}
	if set.Simulated() {
		return badInput("%s: simulated figures (kernel: sim or %s): a profile is fitted to a real Linux run, never to simulated figures", path, rowspec.UnitSimNsOp)
	}
	// simkernel reads the file itself; resultfile has vouched for it, and
	// it is a regular file, so opening it again cannot block.
	f, err := os.Open(path)
	if err != nil {
		return badInput("%w", err)
	}
	prof, rep, err := simkernel.Fit(f, path)
	f.Close()
	if errors.Is(err, simkernel.ErrSimulated) {
		return badInput("%s: %v", path, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := resultfile.WriteNew(*out, func(w io.Writer) error {
		b, err := prof.Marshal()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "fitted %s from %d rows of %s\n", *out, rep.Rows, path)
	for _, w := range rep.Warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	var t texttab.Table
	t.Row("row", "measured", "model", "error", "")
	for _, c := range rep.Checks {
		held := ""
		if c.Held {
			held = "held out"
		}
		t.Row(c.Name, fmt.Sprintf("%.0f ns", c.Measured), fmt.Sprintf("%.0f ns", c.Predicted), fmt.Sprintf("%+.1f%%", 100*c.RelErr()), held)
	}
	if len(rep.Checks) > 0 {
		t.Write(stdout, "lrrrl")
	}
	return nil
}
