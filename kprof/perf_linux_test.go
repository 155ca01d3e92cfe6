//go:build linux

package kprof

import (
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openFDs and perfMaps count what a session holds: its event fds and ring
// mappings ([perf_event] or anon_inode:[perf_event] in /proc/self/maps).
func openFDs(t *testing.T) int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func perfMaps(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "perf_event")
}

// A short getpid loop (0.2 s) on a locked thread: its profile names the
// system call's kernel functions, and Stop leaves no fd or mapping behind.
// Nothing about time is asserted.
func TestSessionNamesKernelFunctions(t *testing.T) {
	// The session follows this thread; it changes no thread state, so
	// the lock is released at the end.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	fds, maps := openFDs(t), perfMaps(t)
	s, err := StartThread()
	if err != nil {
		t.Skipf("perf events refused: %v", err)
	}
	for end := time.Now().Add(200 * time.Millisecond); time.Now().Before(end); {
		for range 1000 {
			unix.Getpid()
		}
	}
	if got := perfMaps(t); got == maps {
		t.Error("a live session maps no ring buffer")
	}
	p, err := s.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after Stop: %v", err)
	}
	if got := openFDs(t); got != fds {
		t.Errorf("%d fds open after Stop, %d before", got, fds)
	}
	if got := perfMaps(t); got != maps {
		t.Errorf("%d perf mappings after Stop, %d before", got, maps)
	}
	if err := SymbolizeLive(p); err != nil {
		t.Fatal(err)
	}
	if len(p.Sample) == 0 {
		t.Fatal("no samples in 0.2 s of getpid")
	}
	var names []string
	for _, f := range Functions(p) {
		if f.Kernel {
			names = append(names, f.Name)
		}
	}
	t.Logf("source %s, scope %s, kernel functions %v", s.Source(), s.Scope(), names[:min(len(names), 10)])
	k, _ := ReadKallsyms()
	if k.Hidden {
		return
	}
	if !slices.ContainsFunc(names, func(n string) bool {
		return strings.Contains(n, "sys_getpid") || n == "do_syscall_64" || strings.HasPrefix(n, "entry_SYSCALL")
	}) {
		t.Errorf("kernel functions %v name no part of getpid's path", names)
	}
}

// Close on an error path releases everything too.
func TestSessionCloseReleases(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	fds, maps := openFDs(t), perfMaps(t)
	s, err := StartThread()
	if err != nil {
		t.Skipf("perf events refused: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stop(); err == nil {
		t.Error("Stop after Close gave a profile")
	}
	if got := openFDs(t); got != fds {
		t.Errorf("%d fds open after Close, %d before", got, fds)
	}
	if got := perfMaps(t); got != maps {
		t.Errorf("%d perf mappings after Close, %d before", got, maps)
	}
}
