//go:build unix

package main

import (
	"os/signal"
	"syscall"
)

// errNotEmpty is what rename(2) returns for a non-empty target directory.
var errNotEmpty error = syscall.ENOTEMPTY

// ignoreSIGPIPE makes a write to a closed pipe fail with EPIPE instead of
// killing the process (Go's default for stdout and stderr).
func ignoreSIGPIPE() { signal.Ignore(syscall.SIGPIPE) }
