//go:build linux && (amd64 || arm64)

package rawclone

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestLoop3 runs every clone3 op shape the rows use and checks that each
// op's child existed and was reaped: no task or descriptor outlives it.
func TestLoop3(t *testing.T) {
	const n = 50
	for _, c := range []Clone3{
		{Flags: ForkFlags, ChildWrite: -1},
		{Flags: ThreadFlags, ChildWrite: -1},
		{Flags: ForkFlags | ClonePidfd, ChildWrite: -1},
		{Flags: ForkFlags | ClonePidfd, WaitPidfd: true, ChildWrite: -1},
		{Flags: ForkFlags | CloneNewUTS, ChildWrite: -1},
	} {
		t.Run(c.String(), func(t *testing.T) {
			cl := newLoopCloner(t)
			base := loopBaseline(t)
			fds0 := countFDs(t)
			res, err := cl.Loop3(c, n)
			if err != nil {
				if c.Flags&CloneNewUTS != 0 && errors.Is(err, unix.EPERM) {
					t.Skip(err)
				}
				t.Fatal(err)
			}
			if len(res.Ops) != n || res.Elapsed <= 0 {
				t.Fatalf("%d ops over %v, want %d", len(res.Ops), res.Elapsed, n)
			}
			noLoopTaskLeft(t, base)
			if fds := countFDs(t); fds != fds0 {
				t.Errorf("%d descriptors after the loop, %d before: pidfds leaked", fds, fds0)
			}
		})
	}
}

// TestLoop3ChildWrite: every child writes its byte before it exits, and a
// failing write is the loop's error, naming the child's errno.
func TestLoop3ChildWrite(t *testing.T) {
	cl := newLoopCloner(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	const n = 20
	if _, err := cl.Loop3(Clone3{Flags: ForkFlags, ChildWrite: int(w.Fd())}, n); err != nil {
		t.Fatal(err)
	}
	w.Close()
	b := make([]byte, 100)
	got, _ := r.Read(b)
	if string(b[:got]) != strings.Repeat("0", n) {
		t.Fatalf("read %q, want %d zeros", b[:got], n)
	}
	_, err = cl.Loop3(Clone3{Flags: ForkFlags | ClonePidfd, WaitPidfd: true, ChildWrite: int(r.Fd())}, n)
	if !errors.Is(err, unix.EBADF) || !strings.Contains(err.Error(), "op 0 of") {
		t.Fatalf("child writing a read end: %v, want op 0's EBADF", err)
	}
}

func countFDs(t *testing.T) int {
	t.Helper()
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}
