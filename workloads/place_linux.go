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
	first := firstCPUs(&own, 1)
	if len(first) == 0 {
		return nil, fmt.Errorf("cpu=same: empty affinity mask")
	}
	cpu := first[0]
	var one unix.CPUSet
	one.Set(cpu)
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		return nil, fmt.Errorf("cpu=same: pin to CPU %d: %w", cpu, err)
	}
	saved := map[int]unix.CPUSet{}
	restore = func() error {
		var errs []error
		if err := unix.SchedSetaffinity(0, &own); err != nil {
			errs = append(errs, fmt.Errorf("cpu=same: restore own mask: %w", err))
		}
		// A thread started while we were isolated inherited its starter's
		// narrowed mask and is in no list: it gets the mask the process
		// had (ours). Another may start while we restore, from a thread
		// not yet restored, so go round until a pass finds nothing to fix.
		for pass := 0; pass < 5; pass++ {
			fixed, err := eachThread(func(tid int, m unix.CPUSet) (bool, error) {
				want, ok := saved[tid]
				if !ok {
					want = own
				}
				if m == want {
					return false, nil
				}
				return true, unix.SchedSetaffinity(tid, &want)
			})
			if err != nil {
				errs = append(errs, fmt.Errorf("cpu=same: restore masks: %w", err))
				break
			}
			if fixed == 0 {
				break
			}
		}
		return errors.Join(errs...)
	}
	if _, err := eachThread(func(tid int, m unix.CPUSet) (bool, error) {
		rest := m
		rest.Clear(cpu)
		if rest.Count() == 0 {
			return false, nil // a thread allowed only our CPU stays: nothing else it may use
		}
		saved[tid] = m
		return true, unix.SchedSetaffinity(tid, &rest)
	}); err != nil {
		return nil, errors.Join(fmt.Errorf("cpu=same: move threads off CPU %d: %w", cpu, err), restore())
	}
	return restore, nil
}

// eachThread calls fn with every other thread of the process and its mask;
// fn says whether it changed the thread and how that went. Threads that exit
// meanwhile are passed over. It returns how many fn changed.
func eachThread(fn func(tid int, mask unix.CPUSet) (bool, error)) (int, error) {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0, err
	}
	self := unix.Gettid()
	changed := 0
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil || tid == self {
			continue
		}
		var m unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &m); err != nil {
			continue // exited since the listing
		}
		did, err := fn(tid, m)
		if errors.Is(err, unix.ESRCH) {
			continue
		}
		if err != nil {
			return changed, fmt.Errorf("thread %d: %w", tid, err)
		}
		if did {
			changed++
		}
	}
	return changed, nil
}

// firstCPUs lists up to n CPUs of set, lowest first: where cpu=same (the
// first) and cpu=cross (the first two) place their tasks.
func firstCPUs(set *unix.CPUSet, n int) []int {
	var cpus []int
	for i := 0; i < 1024 && len(cpus) < n; i++ { // IsSet is false past the set's end
		if set.IsSet(i) {
			cpus = append(cpus, i)
		}
	}
	return cpus
}
