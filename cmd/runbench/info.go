package main

import (
	"fmt"
	"io"
	"time"

	"github.com/clonebench/clonebench/cmd/runbench/internal/runner"
	"github.com/clonebench/clonebench/resultfile"
)

func (e *env) cmdInfo(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("info", stderr, "[-kernel real|sim] | -runpath DIR")
	kernel := fs.String("kernel", "real", "show the config of a `kernel` real or sim run")
	runpath := fs.String("runpath", "", "print the path in `dir` a run starting now would be written to (UTCTIME.txt, or UTCTIME-2.txt … if taken)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badInput("unexpected argument %q", fs.Arg(0))
	}
	if *runpath != "" {
		// Scripts that keep a run (the nightly workflow) ask for its name
		// here instead of building UTCTIME themselves: resultfile owns it.
		now := time.Now
		if e.run.Now != nil {
			now = e.run.Now
		}
		p, err := resultfile.FreeRunPath(*runpath, now(), false)
		if err != nil {
			return fmt.Errorf("-runpath: %w", err)
		}
		fmt.Fprintln(stdout, p)
		return nil
	}
	if *kernel != "real" && *kernel != "sim" {
		return badInput("-kernel must be real or sim, not %q", *kernel)
	}
	for _, f := range runner.Config(*kernel == "sim") {
		fmt.Fprintf(stdout, "%s: %s\n", f.Key, f.Value)
	}
	return nil
}
