package main

import (
	"fmt"
	"io"

	"github.com/clonebench/clonebench/cmd/runbench/internal/runner"
)

func (e *env) cmdInfo(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("info", stderr, "[-kernel real|sim]")
	kernel := fs.String("kernel", "real", "show the config of a `kernel` real or sim run")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badInput("unexpected argument %q", fs.Arg(0))
	}
	if *kernel != "real" && *kernel != "sim" {
		return badInput("-kernel must be real or sim, not %q", *kernel)
	}
	for _, f := range runner.Config(*kernel == "sim") {
		fmt.Fprintf(stdout, "%s: %s\n", f.Key, f.Value)
	}
	return nil
}
