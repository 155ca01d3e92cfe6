//go:build cgo && linux

package workloads

/*
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void *cb_return_at_once(void *arg) { return arg; }

// cb_pthread_op creates a thread that returns at once and joins it: one op
// of style=pthread. Returns 0 or an errno.
static int cb_pthread_op(void) {
	pthread_t t;
	int err = pthread_create(&t, NULL, cb_return_at_once, NULL);
	if (err != 0) return err;
	return pthread_join(t, NULL);
}

// cb_fork_op forks; the child only calls _exit(0) (a forked child of a Go
// process has one thread and must not run Go code); the parent reaps it:
// one op of style=libc-fork. Returns 0 or an errno; *status is the wait
// status.
static int cb_fork_op(int *status) {
	pid_t pid = fork();
	if (pid < 0) return errno;
	if (pid == 0) _exit(0);
	for (;;) {
		pid_t r = waitpid(pid, status, 0);
		if (r == pid) return 0;
		if (r < 0 && errno != EINTR) return errno;
	}
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"syscall"

	"github.com/clonebench/clonebench/rowspec"
)

// cgoCreateRows are glibc's own creation paths, one cgo call per op so the
// loop and its per-op samples stay in Go (a cgo call adds well under 1% of
// a creation).
func cgoCreateRows() []Row {
	return []Row{
		{
			Spec:  createSpec(rowspec.StylePthread),
			Needs: Needs{Cgo: true},
			Doc:   "glibc pthread_create (thread flags, glibc's cached stack) of a function that returns at once + pthread_join, one cgo call per op",
			Run:   runPthread,
		},
		{
			Spec:  createSpec(rowspec.StyleLibcFork),
			Needs: Needs{Cgo: true},
			Doc:   "glibc fork() (clone CHILD_CLEARTID|CHILD_SETTID|SIGCHLD), child _exit(0), waitpid, one cgo call per op",
			Run:   runLibcFork,
		},
	}
}

func runPthread(n int) (Result, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	op := func() error {
		if e := C.cb_pthread_op(); e != 0 {
			return fmt.Errorf("pthread_create/join: %w", syscall.Errno(e))
		}
		return nil
	}
	return observed(nil, func() (Result, error) { return timeOps(n, op) })
}

func runLibcFork(n int) (Result, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	footprint, err := parentFootprint()
	if err != nil {
		return Result{}, err
	}
	var status C.int
	op := func() error {
		if e := C.cb_fork_op(&status); e != 0 {
			return fmt.Errorf("fork/waitpid: %w", syscall.Errno(e))
		}
		if ws := syscall.WaitStatus(status); !ws.Exited() || ws.ExitStatus() != 0 {
			return fmt.Errorf("forked child: wait status %#x, want exit 0", int(status))
		}
		return nil
	}
	return observed(footprint, func() (Result, error) { return timeOps(n, op) })
}
