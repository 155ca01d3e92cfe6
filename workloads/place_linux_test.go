package workloads

import (
	"os"
	"runtime"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// isolate pins the calling thread to one CPU, moves every other thread of
// the process off it, and restore puts every mask back.
func TestIsolate(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs 2 CPUs to move the runtime's threads to")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := masks(t)
	restore, err := isolate()
	if err != nil {
		t.Fatal(err)
	}
	during := masks(t)
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	self := unix.Gettid()
	own := during[self]
	if own.Count() != 1 {
		t.Fatalf("pinned thread may run on %d CPUs, want 1", own.Count())
	}
	cpu := -1
	for i := 0; i < 1024 && cpu < 0; i++ {
		if own.IsSet(i) {
			cpu = i
		}
	}
	for tid, m := range during {
		b := before[tid]
		if tid != self && m.IsSet(cpu) && b.Count() > 1 {
			t.Errorf("thread %d may still run on the pinned CPU %d", tid, cpu)
		}
	}
	after := masks(t)
	for tid, m := range before {
		if a, ok := after[tid]; ok && a != m {
			t.Errorf("thread %d: mask not restored", tid)
		}
	}
}

func masks(t *testing.T) map[int]unix.CPUSet {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]unix.CPUSet{}
	for _, e := range ents {
		tid, _ := strconv.Atoi(e.Name())
		var m unix.CPUSet
		if unix.SchedGetaffinity(tid, &m) == nil {
			out[tid] = m
		}
	}
	return out
}
