package main

import (
	"io"

	"github.com/clonebench/clonebench/cmd/runbench/internal/runfiles"
)

func (e *env) cmdUpload(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("upload", stderr, "-server URL FILE...")
	server := fs.String("server", "", "x/perf storage server `URL` (perfdata, or localperfdata)")
	timeout := fs.Duration("timeout", runfiles.DefaultTimeout, "give up on a server that has not answered within `duration`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *server == "" {
		return badInput("-server is required")
	}
	if fs.NArg() == 0 {
		return badInput("want result files to upload")
	}
	if *timeout <= 0 {
		return badInput("-timeout must be positive, not %v", *timeout)
	}
	// Every file is checked before any is sent: a bad file is bad input,
	// and the store gets all or nothing.
	if _, err := readResults(fs.Args()...); err != nil {
		return err
	}
	return runfiles.Upload(stdout, stderr, *server, fs.Args(), *timeout)
}
