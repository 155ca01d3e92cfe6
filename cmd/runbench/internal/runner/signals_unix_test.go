//go:build unix

package runner

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// TestSIGHUPStopsRun: a hang-up cancels the run's context, as SIGINT does,
// instead of killing the process with the samples unwritten.
func TestSIGHUPStopsRun(t *testing.T) {
	var opts Options
	opts.defaults()
	ctx, stop := opts.Notify(context.Background())
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGHUP did not cancel the run")
	}
}
