//go:build linux

package procfs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// lockedTid locks the test goroutine to its OS thread and returns the tid,
// a thread other than the leader whenever the test runs off the main thread.
func lockedTid(t *testing.T) int {
	t.Helper()
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	return unix.Gettid()
}

func TestStatus(t *testing.T) {
	pid := os.Getpid()
	tid := lockedTid(t)
	for _, tc := range []struct {
		name    string
		read    func() (map[string]string, error)
		wantPid int
	}{
		{"Status(getpid)", func() (map[string]string, error) { return Status(pid) }, pid},
		{"Status(gettid)", func() (map[string]string, error) { return Status(tid) }, tid},
		{"ReadStatus(/proc/self/task/TID/status)", func() (map[string]string, error) {
			return ReadStatus(fmt.Sprintf("/proc/self/task/%d/status", tid))
		}, tid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := tc.read()
			if err != nil {
				t.Fatal(err)
			}
			if st["Pid"] != strconv.Itoa(tc.wantPid) {
				t.Errorf("Pid = %q, want %d", st["Pid"], tc.wantPid)
			}
			if st["Tgid"] != strconv.Itoa(pid) {
				t.Errorf("Tgid = %q, want %d", st["Tgid"], pid)
			}
			// Values are trimmed: the kernel separates them with a tab.
			if st["State"] == "" || st["State"][0] == '\t' || st["State"][0] == ' ' {
				t.Errorf("State = %q, want a trimmed value", st["State"])
			}
		})
	}
	if _, err := Status(-1); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Status(-1) = %v, want an error wrapping ErrNotExist", err)
	}
}

func TestKcmp(t *testing.T) {
	pid := os.Getpid()
	if _, err := Kcmp(pid, pid, KcmpVM); errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
		t.Skipf("kcmp(2) unavailable: %v", err)
	}
	tid := lockedTid(t)
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skipf("no sleep(1) to compare a separate process with: %v", err)
	}
	cmd := exec.Command(sleep, "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	child := cmd.Process.Pid

	types := []struct {
		name string
		typ  int
	}{{"VM", KcmpVM}, {"Files", KcmpFiles}, {"FS", KcmpFS}, {"Sighand", KcmpSighand}}
	for _, c := range types {
		// A thread of ours shares all four; an exec'd child none of them.
		for _, tc := range []struct {
			other int
			want  bool
		}{{pid, true}, {tid, true}, {child, false}} {
			got, err := Kcmp(pid, tc.other, c.typ)
			if err != nil {
				t.Fatalf("Kcmp(%d, %d, %s): %v", pid, tc.other, c.name, err)
			}
			if got != tc.want {
				t.Errorf("Kcmp(%d, %d, %s) = %v, want %v", pid, tc.other, c.name, got, tc.want)
			}
		}
	}
	if _, err := Kcmp(pid, pid, 99); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Kcmp with type 99 = %v, want EINVAL", err)
	}
}

func TestTasks(t *testing.T) {
	tid := lockedTid(t)
	tids, err := Tasks()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(tids, tid) || !slices.Contains(tids, os.Getpid()) {
		t.Errorf("Tasks() = %v, want it to hold our thread %d and the leader %d", tids, tid, os.Getpid())
	}
}

func TestCounts(t *testing.T) {
	read := func() (tasks, fds, maps int) {
		t.Helper()
		tasks, fds, maps, err := Counts()
		if err != nil {
			t.Fatal(err)
		}
		return tasks, fds, maps
	}
	read() // let the runtime set up whatever a first read needs
	tasks0, fds0, maps0 := read()
	if tasks0 < 1 {
		t.Fatalf("%d tasks, want at least 1", tasks0)
	}

	// A raw fd (no poller) and a file mapping (which merges with no
	// neighbour) must each show as exactly one more.
	fd, err := unix.Open("/proc/self/exe", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	mem, err := unix.Mmap(fd, 0, os.Getpagesize(), unix.PROT_READ, unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	_, fds1, maps1 := read()
	if fds1 != fds0+1 {
		t.Errorf("%d fds after opening one, %d before", fds1, fds0)
	}
	if maps1 < maps0+1 {
		t.Errorf("%d mappings after mapping a page, %d before", maps1, maps0)
	}
	if err := unix.Munmap(mem); err != nil {
		t.Fatal(err)
	}
}
