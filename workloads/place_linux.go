//go:build linux

package workloads

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// onOneCPU runs fn on a locked OS thread pinned to the first CPU this
// process may use (CPU 0 on an unrestricted host, so it matches taskset -c
// 0), with every other thread of the process (the Go runtime's: sysmon, GC
// workers, idle Ms) moved to the other allowed CPUs while fn runs, so a
// creation row's parent and child share their CPU with nothing of ours.
// Children inherit the pinned thread's mask. Threads the runtime starts
// while fn runs inherit the mask of the thread that starts them, which is
// never the pinned one: fn's op loop makes no runtime call.
func onOneCPU(fn func() (Result, error)) (res Result, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	restore, err := isolate()
	if err != nil {
		return Result{}, err
	}
	defer func() { err = errors.Join(err, restore()) }()
	return fn()
}

// isolate pins the calling (locked) thread to its first allowed CPU and
// the process's other threads to the rest. restore puts every mask back.
func isolate() (restore func() error, err error) {
	var own unix.CPUSet
	if err := unix.SchedGetaffinity(0, &own); err != nil {
		return nil, fmt.Errorf("cpu=same: sched_getaffinity: %w", err)
	}
	cpu := -1
	for i := 0; i < 1024; i++ { // IsSet is false past the set's end
		if own.IsSet(i) {
			cpu = i
			break
		}
	}
	if cpu < 0 {
		return nil, fmt.Errorf("cpu=same: empty affinity mask")
	}
	var one unix.CPUSet
	one.Set(cpu)
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		return nil, fmt.Errorf("cpu=same: pin to CPU %d: %w", cpu, err)
	}
	type saved struct {
		tid  int
		mask unix.CPUSet
	}
	var moved []saved
	restore = func() error {
		var errs []error
		if err := unix.SchedSetaffinity(0, &own); err != nil {
			errs = append(errs, fmt.Errorf("cpu=same: restore own mask: %w", err))
		}
		for _, s := range moved {
			// A thread that exited meanwhile has nothing to restore.
			if err := unix.SchedSetaffinity(s.tid, &s.mask); err != nil && !errors.Is(err, unix.ESRCH) {
				errs = append(errs, fmt.Errorf("cpu=same: restore thread %d: %w", s.tid, err))
			}
		}
		return errors.Join(errs...)
	}
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, errors.Join(fmt.Errorf("cpu=same: %w", err), restore())
	}
	self := unix.Gettid()
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil || tid == self {
			continue
		}
		var m unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &m); err != nil {
			continue // exited since the listing
		}
		rest := m
		rest.Clear(cpu)
		if rest.Count() == 0 {
			continue // a thread allowed only our CPU stays; nothing else it may use
		}
		if err := unix.SchedSetaffinity(tid, &rest); err != nil {
			if errors.Is(err, unix.ESRCH) {
				continue
			}
			return nil, errors.Join(fmt.Errorf("cpu=same: move thread %d off CPU %d: %w", tid, cpu, err), restore())
		}
		moved = append(moved, saved{tid, m})
	}
	return restore, nil
}
