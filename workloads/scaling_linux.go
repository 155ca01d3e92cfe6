//go:build linux

package workloads

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/topology"
	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
)

// parSkip is why CreatePar's par creators cannot each have a CPU here.
func parSkip(par int) string {
	top, err := topology.Live()
	if err != nil {
		return err.Error()
	}
	if _, err := top.Creators(par); err != nil {
		return err.Error()
	}
	return ""
}

// runCreatePar runs n ops on each of par creators at once (see scaling.go
// for the start and the window).
func runCreatePar(spec rawSpec, par, n int) (Result, error) {
	if n < 1 {
		return Result{}, fmt.Errorf("n=%d: need at least one op", n)
	}
	top, err := topology.Live()
	if err != nil {
		return Result{}, err
	}
	cpus, err := top.Creators(par)
	if err != nil {
		return Result{}, err
	}
	st := rawclone.NewStart(par)
	loops := make([]rawclone.LoopResult, par)
	errs := make([]error, par)
	creator := func(i int) {
		cl, err := rawclone.NewCloner()
		if err != nil {
			st.Withdraw()
			errs[i] = err
			return
		}
		restore, err := cl.Pin(cpus[i])
		if err != nil {
			st.Withdraw()
			errs[i] = errors.Join(err, cl.Close())
			return
		}
		loops[i], err = cl.LoopFrom(st, spec.Flags, n, spec.Opt)
		errs[i] = errors.Join(err, restore(), cl.Close())
	}
	if par == 1 {
		// Create/…/cpu=same's op exactly: the first allowed CPU (Spread's
		// first), the runtime's threads moved off it.
		if _, err := onOneCPU(func() (Result, error) { creator(0); return Result{}, nil }); err != nil {
			return Result{}, err
		}
	} else {
		var wg sync.WaitGroup
		for i := range par {
			wg.Go(func() { creator(i) })
		}
		wg.Wait()
	}
	for i, err := range errs {
		if err != nil {
			return Result{}, fmt.Errorf("par=%d: creator %d on CPU %d: %w", par, i, cpus[i], err)
		}
	}
	return parResult(loops)
}

// parResult times every creator's loop over the common window (the latest
// start to the earliest end), or over the whole span if they hardly
// overlapped.
func parResult(loops []rawclone.LoopResult) (Result, error) {
	par, n := len(loops), len(loops[0].Ops)
	w0, w1 := loops[0].Start, loops[0].End
	u0, u1 := w0, w1
	for _, l := range loops[1:] {
		w0, w1 = max(w0, l.Start), min(w1, l.End)
		u0, u1 = min(u0, l.Start), max(u1, l.End)
	}
	span := u1 - u0
	if span <= 0 {
		return Result{}, fmt.Errorf("par=%d: the creators recorded no time", par)
	}
	var inWindow float64
	var samples []time.Duration
	if w1 > w0 {
		for _, l := range loops {
			at := l.Start
			for _, d := range l.Ops {
				a, b := at, at+d
				at = b
				if d <= 0 || b <= w0 || a >= w1 {
					continue
				}
				inWindow += float64(min(b, w1)-max(a, w0)) / float64(d)
				if a >= w0 && b <= w1 {
					samples = append(samples, d)
				}
			}
		}
	}
	window, overlap := w1-w0, float64(max(w1-w0, 0))/float64(span)
	if inWindow < float64(par) {
		// Too little ran at once to count: every op over the whole span.
		window, inWindow, samples = span, float64(par*n), nil
	}
	if len(samples) == 0 {
		for _, l := range loops {
			samples = append(samples, l.Ops...)
		}
	}
	perCreator := float64(par) * float64(window) / inWindow // ns per op per creator
	// Elapsed is n ops at that cost: about each creator's own span, the
	// part of the call the op loop took.
	res := Result{N: n, Elapsed: time.Duration(perCreator * float64(n)), Unit: rowspec.UnitNsOp, Samples: samples}
	m, err := percentileMetrics(samples)
	if err != nil {
		return Result{}, err
	}
	res.Metrics = append(m,
		Metric{Value: inWindow / window.Seconds(), Unit: rowspec.UnitCreationsPerSec},
		Metric{Value: overlap, Unit: rowspec.UnitOverlap})
	return res, nil
}

// holdIdleThreads starts n raw thread-style clones (the process's thread
// group grows by n) that block reading a pipe; release writes one byte
// for each (a pipe holds far more than 512), so each reads its byte and
// exits, and joins them all.
func holdIdleThreads(n int) (release func() error, err error) {
	if n == 0 {
		return func() error { return nil }, nil
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("pipe: %w", err)
	}
	tasks := make([]*rawclone.Task, 0, n)
	release = func() error {
		var errs []error
		if len(tasks) > 0 {
			if _, err := unix.Write(p[1], make([]byte, len(tasks))); err != nil {
				errs = append(errs, fmt.Errorf("wake %d idle threads: %w", len(tasks), err))
			}
		}
		errs = append(errs, unix.Close(p[1]))
		for _, t := range tasks {
			errs = append(errs, t.Wait(taskGoneGrace))
		}
		errs = append(errs, unix.Close(p[0]), rawclone.SettleExiting(taskGoneGrace))
		return errors.Join(errs...)
	}
	cl, err := rawclone.NewCloner()
	if err != nil {
		return nil, errors.Join(err, release())
	}
	body := rawclone.Body{Op: rawclone.OpBlockRead, In: p[0], CPU: rawclone.NoCPU}
	for len(tasks) < n {
		t, err := cl.Clone(rawclone.ThreadFlags, body, rawclone.Options{Stack: rawclone.StackCached})
		if err != nil {
			return nil, errors.Join(fmt.Errorf("thread %d of %d: %w", len(tasks)+1, n, err), cl.Close(), release())
		}
		tasks = append(tasks, t)
	}
	if err := cl.Close(); err != nil {
		return nil, errors.Join(err, release())
	}
	return release, nil
}

// holdMappings maps n private anonymous one-page regions, each touched
// (so each has its page-table entry and anon_vma, which fork copies) and
// kept apart from the next by an unmapped page: neighbours with the same
// flags would merge into one VMA. release unmaps each page on its own, so
// nothing the runtime may since have mapped into a hole is touched.
func holdMappings(n int) (release func() error, err error) {
	if n == 0 {
		return func() error { return nil }, nil
	}
	page := unix.Getpagesize()
	base, err := unix.MmapPtr(-1, 0, nil, uintptr(2*n*page), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("mmap %d pages: %w", 2*n, err)
	}
	kept := 0
	release = func() error {
		var errs []error
		for i := range kept {
			if err := unix.MunmapPtr(unsafe.Add(base, 2*i*page), uintptr(page)); err != nil {
				errs = append(errs, fmt.Errorf("munmap mapping %d: %w", i, err))
			}
		}
		// Pages past kept were never split off: one range.
		if kept < n {
			if err := unix.MunmapPtr(unsafe.Add(base, 2*kept*page), uintptr(2*(n-kept)*page)); err != nil {
				errs = append(errs, fmt.Errorf("munmap the rest: %w", err))
			}
		}
		return errors.Join(errs...)
	}
	for i := range n {
		if err := unix.MunmapPtr(unsafe.Add(base, (2*i+1)*page), uintptr(page)); err != nil {
			return nil, errors.Join(fmt.Errorf("munmap hole %d: %w", i, err), release())
		}
		*(*byte)(unsafe.Add(base, 2*i*page)) = 1
		kept++
	}
	return release, nil
}

// mapsSkip is why n more mappings would not fit under vm.max_map_count.
func mapsSkip(n int) string {
	if n == 0 {
		return ""
	}
	const path = "/proc/sys/vm/max_map_count"
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("needs %d mappings under vm.max_map_count: %v", n, err)
	}
	limit, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Sprintf("needs %d mappings under vm.max_map_count: %s: %v", n, path, err)
	}
	have, err := countLines("/proc/self/maps")
	if err != nil {
		return fmt.Sprintf("needs %d mappings under vm.max_map_count: %v", n, err)
	}
	// A margin for what the runtime maps meanwhile.
	if want := have + n + 1024; want > limit {
		return fmt.Sprintf("needs %d mappings (%d held, %d more, a margin), vm.max_map_count is %d", want, have, n, limit)
	}
	return ""
}

func countLines(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strings.Count(string(b), "\n"), nil
}
