//go:build linux

package procfs_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rawclone"
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
		{"procfs.Status(getpid)", func() (map[string]string, error) { return procfs.Status(pid) }, pid},
		{"procfs.Status(gettid)", func() (map[string]string, error) { return procfs.Status(tid) }, tid},
		{"procfs.ReadStatus(/proc/self/task/TID/status)", func() (map[string]string, error) {
			return procfs.ReadStatus(fmt.Sprintf("/proc/self/task/%d/status", tid))
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
	if _, err := procfs.Status(-1); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("procfs.Status(-1) = %v, want an error wrapping ErrNotExist", err)
	}
}

func TestKcmp(t *testing.T) {
	pid := os.Getpid()
	if _, err := procfs.Kcmp(pid, pid, procfs.KcmpVM); errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
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
	}{{"VM", procfs.KcmpVM}, {"Files", procfs.KcmpFiles}, {"FS", procfs.KcmpFS}, {"Sighand", procfs.KcmpSighand}}
	for _, c := range types {
		// A thread of ours shares all four; an exec'd child none of them.
		for _, tc := range []struct {
			other int
			want  bool
		}{{pid, true}, {tid, true}, {child, false}} {
			got, err := procfs.Kcmp(pid, tc.other, c.typ)
			if err != nil {
				t.Fatalf("procfs.Kcmp(%d, %d, %s): %v", pid, tc.other, c.name, err)
			}
			if got != tc.want {
				t.Errorf("procfs.Kcmp(%d, %d, %s) = %v, want %v", pid, tc.other, c.name, got, tc.want)
			}
		}
	}
	if _, err := procfs.Kcmp(pid, pid, 99); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Kcmp with type 99 = %v, want EINVAL", err)
	}
}

func TestTasks(t *testing.T) {
	tid := lockedTid(t)
	tids, err := procfs.Tasks()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(tids, tid) || !slices.Contains(tids, os.Getpid()) {
		t.Errorf("procfs.Tasks() = %v, want it to hold our thread %d and the leader %d", tids, tid, os.Getpid())
	}
}

// readUntil reads the task count until it is want or two seconds pass, and
// returns the last reading: one reading can catch a runtime thread that is
// listed and not yet started, or unlisted and not yet gone.
func readUntil(read func() (tasks, fds, maps int), want int) int {
	tasks, _, _ := read()
	for deadline := time.Now().Add(2 * time.Second); tasks != want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		tasks, _, _ = read()
	}
	return tasks
}

func TestCounts(t *testing.T) {
	read := func() (tasks, fds, maps int) {
		t.Helper()
		tasks, fds, maps, err := procfs.Counts()
		if err != nil {
			t.Fatal(err)
		}
		return tasks, fds, maps
	}
	read() // let the runtime set up whatever a first read needs
	tasks0, fds0, _ := read()

	// A raw fd (no poller) must show as exactly one more.
	fd, err := unix.Open("/proc/self/exe", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if _, fds1, _ := read(); fds1 != fds0+1 {
		t.Errorf("%d fds after opening one, %d before", fds1, fds0)
	}

	// A file mapping (which merges with no neighbour) must show as one more
	// and go again when unmapped. The runtime maps and unmaps memory of its
	// own at any moment, so one of a few tries must see exactly that.
	var seen [][3]int
	for range 5 {
		_, _, before := read()
		mem, err := unix.Mmap(fd, 0, os.Getpagesize(), unix.PROT_READ, unix.MAP_PRIVATE)
		if err != nil {
			t.Fatal(err)
		}
		_, _, with := read()
		if err := unix.Munmap(mem); err != nil {
			t.Fatal(err)
		}
		_, _, after := read()
		if seen = append(seen, [3]int{before, with, after}); with == before+1 && after == before {
			break
		}
	}
	if last := seen[len(seen)-1]; last[1] != last[0]+1 || last[2] != last[0] {
		t.Errorf("mappings before, with and after a mapped page, in %d tries: %v; want n, n+1, n", len(seen), seen)
	}

	// Threads the Go runtime starts are not counted. Each locked, sleeping
	// goroutine holds a thread of its own, so one more of them than there
	// are threads makes the runtime start new ones, idle threads or not.
	all0, err := procfs.Tasks()
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var started sync.WaitGroup
	locked := len(all0) + 1
	for range locked {
		started.Add(1)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			started.Done()
			<-release
		}()
	}
	started.Wait()
	defer close(release)
	all1, err := procfs.Tasks()
	if err != nil {
		t.Fatal(err)
	}
	if len(all1) <= len(all0) {
		t.Fatalf("%d threads with %d locked goroutines, %d before: the runtime started none", len(all1), locked, len(all0))
	}
	if tasks1 := readUntil(read, tasks0); tasks1 != tasks0 {
		t.Errorf("Counts: %d tasks after the runtime started %d threads, %d before; want no change",
			tasks1, len(all1)-len(all0), tasks0)
	}

	// A task the runtime did not start is counted: a raw thread-style
	// clone blocked on a pipe.
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	task, err := rawclone.Clone(rawclone.ThreadFlags, rawclone.Body{Op: rawclone.OpBlockRead, In: p[0], CPU: rawclone.NoCPU}, rawclone.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tasks2 := readUntil(read, tasks0+1)
	if err := task.Kill(); err != nil {
		t.Fatal(err)
	}
	if tasks2 != tasks0+1 {
		t.Errorf("Counts: %d tasks with one raw thread alive, %d before; want one more", tasks2, tasks0)
	}
}

// StatFlags finds field 9 after the comm, whatever the comm holds: we are
// no kernel thread and not exiting, kthreadd (pid 2) is a kernel thread,
// and a comm with spaces and parentheses or a cut-off file is parsed or
// refused as such.
func TestStatFlags(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	odd := write("odd", "42 (a) (b c)) S 1 42 42 0 -1 4194564 0 0 0 0\n")
	short := write("short", "42 (x) S 1 42\n")
	type check struct {
		path          string
		want, wantNot uint64
		bad           bool
	}
	var extra []check
	if b, err := os.ReadFile("/proc/2/stat"); err == nil && strings.HasPrefix(string(b), "2 (kthreadd) ") {
		extra = append(extra, check{path: "/proc/2/stat", want: procfs.PFKthread}) // not in a pid namespace of our own
	}
	for _, tc := range append(extra, []check{
		{path: "/proc/self/stat", wantNot: procfs.PFKthread | procfs.PFExiting},
		{path: odd, want: 4194564},
		{path: short, bad: true},
		{path: dir + "/none", bad: true},
	}...) {
		got, err := procfs.StatFlags(tc.path)
		switch {
		case tc.bad && err == nil:
			t.Errorf("StatFlags(%s) = %#x, want an error", tc.path, got)
		case tc.bad:
		case err != nil:
			t.Errorf("StatFlags(%s): %v", tc.path, err)
		case got&tc.want != tc.want || got&tc.wantNot != 0:
			t.Errorf("StatFlags(%s) = %#x, want %#x set and %#x clear", tc.path, got, tc.want, tc.wantNot)
		}
	}
}

// TaskGone is true for both ways /proc says a task went: ENOENT at open,
// ESRCH from a read under way; for nothing else.
func TestTaskGone(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&os.PathError{Op: "open", Path: "/proc/self/task/1/stat", Err: unix.ENOENT}, true},
		{&os.PathError{Op: "read", Path: "/proc/self/task/1/stat", Err: unix.ESRCH}, true},
		{fmt.Errorf("settle: %w", unix.ESRCH), true},
		{&os.PathError{Op: "open", Path: "/proc/1/stat", Err: unix.EACCES}, false},
		{nil, false},
	} {
		if got := procfs.TaskGone(tc.err); got != tc.want {
			t.Errorf("TaskGone(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestSoftirq(t *testing.T) {
	if _, err := os.Stat("/proc/softirqs"); err != nil {
		t.Skip(err)
	}
	if _, err := procfs.Softirq("RCU"); err != nil {
		t.Errorf("Softirq(RCU): %v", err)
	}
	if _, err := procfs.Softirq("NO_SUCH"); !errors.Is(err, procfs.ErrNoSoftirq) {
		t.Errorf("Softirq(NO_SUCH): %v, want ErrNoSoftirq", err)
	}
}
