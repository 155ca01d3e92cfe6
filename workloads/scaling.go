package workloads

import (
	"fmt"

	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
)

// How creation scales (issue 24): CreatePar, CreateThreads, CreateMaps.
//
// CreatePar/style=S/par=N runs N creators at once, creator i on its own
// CPU, the i-th of topology.Creators (one thread of each core before any
// core's second, spread over nodes and LLCs). Each creator is a
// rawclone.Cloner running the assembly creation loop (clone → exit →
// join/reap), all behind one rawclone.Start: every creator does its setup,
// arrives, and spins on the one start flag, which the last to arrive sets;
// each then records its own CLOCK_MONOTONIC start and end and a counter
// reading after every op. The harness shares nothing else between
// creators (each has its own Cloner, control block, stack and readings).
// The creators are threads of this one process, so they share its mm,
// its fd table and its cgroup, as a thread pool or a pre-fork server's
// workers would: that contention is the kernel's and part of the figure.
//
// All creators are timed over the same window: from the latest start to
// the earliest end, when every creator was running. Each creator's ops
// are placed on that time line from its counter readings, and the
// creations inside the window are counted (an op cut by an edge counts
// by the share of it inside). ns/op is the per-creator cost, N × window ÷
// creations; creations/s is creations ÷ window; overlap is the window as a
// share of the whole span (first start to last end). A sample whose
// creators hardly overlapped (fewer creations in the window than
// creators) falls back to the whole span and every op, and its overlap
// says so. par=1 is the op of Create/…/cpu=same: the same loop on the same
// (first allowed) CPU with the Go runtime's threads moved off it. At
// par>1 the runtime's threads stay where they are (mostly asleep: the
// loops run in a system-call window, so no GC waits on them).
//
// CreateThreads/style=S/threads=N times Create/…/cpu=same's op while the
// process holds N more idle threads (raw thread-style clones blocked in
// read on a pipe), made for the row and ended (and joined) after it.
//
// CreateMaps/style=fork/maps=N times fork at cpu=same while the parent
// holds N more private anonymous mappings of one touched page each, kept
// apart by unmapped pages so the kernel cannot merge them: fork's
// dup_mmap copies each VMA (and its page-table entries), so the slope
// against N is what one VMA costs fork.

// parCounts are CreatePar's creator counts: powers of two as far as a
// large lab machine goes. A host with fewer allowed CPUs skips the rest.
var parCounts = []int{1, 2, 4, 8, 16, 32, 64, 128, 256}

// threadCounts and mapCounts are the CreateThreads and CreateMaps grids.
var (
	threadCounts = []int{0, 8, 64, 512}
	mapCounts    = []int{0, 1024, 16384}
)

// noSimScaling is why simkernel runs none of these rows.
const (
	noSimPar     = "simkernel models one creator on one CPU: it has no model of the locks several creators contend on (pid allocation, tasklist_lock, the mm's and the cgroup's)"
	noSimThreads = "simkernel's task model has no per-thread-group cost calibrated (the reference run has no CreateThreads rows), so a figure would be a guess"
	noSimMaps    = "simkernel's task model has no per-VMA copy cost calibrated (the reference run has no CreateMaps rows), so a figure would be a guess"
)

func init() {
	fork := rawSpec{Flags: rawclone.ForkFlags}
	thread := rawSpec{Flags: rawclone.ThreadFlags, Opt: rawclone.Options{Stack: rawclone.StackCached}}
	vfork := rawSpec{Flags: rawclone.VforkFlags}
	styles := []struct {
		style rowspec.Style
		spec  rawSpec
	}{{rowspec.StyleFork, fork}, {rowspec.StyleThread, thread}, {rowspec.StyleVfork, vfork}}
	for _, st := range styles {
		for _, par := range parCounts {
			register(parRow(rowspec.Spec{Family: rowspec.CreatePar, Style: st.style, Par: par}, st.spec))
		}
	}
	for _, st := range styles[:2] {
		for _, n := range threadCounts {
			register(threadsRow(rowspec.Spec{Family: rowspec.CreateThreads, Style: st.style, Threads: n}, st.spec))
		}
	}
	for _, n := range mapCounts {
		register(mapsRow(rowspec.Spec{Family: rowspec.CreateMaps, Style: rowspec.StyleFork, Maps: n}, fork))
	}
}

func parRow(sp rowspec.Spec, spec rawSpec) Row {
	par := sp.Par
	return Row{
		Spec:   sp,
		Suites: Full,
		Needs:  Needs{Linux: true, CPUs: par},
		Doc: fmt.Sprintf("%d creators at once, each pinned to its own allowed CPU in topology order, each running raw clone(%s flags)+exit+reap/join in the assembly loop from one start flag; "+
			"ns/op per creator and creations/s over the window all %d ran", par, sp.Style, par),
		Run:        func(n int) (Result, error) { return runCreatePar(spec, par, n) },
		SkipReason: func() string { return parSkip(par) },
		NoSim:      noSimPar,
	}
}

func threadsRow(sp rowspec.Spec, spec rawSpec) Row {
	nthr := sp.Threads
	return Row{
		Spec:   sp,
		Suites: Full,
		Needs:  Needs{Linux: true},
		Doc: fmt.Sprintf("raw clone(%s flags)+exit+reap/join while the process holds %d more idle threads (raw thread clones blocked in read), made for the row and joined after it; "+
			"parent and child pinned to one CPU, the Go runtime's threads moved off it", sp.Style, nthr),
		Run: func(n int) (Result, error) {
			release, err := holdIdleThreads(nthr)
			if err != nil {
				return Result{}, fmt.Errorf("hold %d idle threads: %w", nthr, err)
			}
			res, err := onOneCPU(func() (Result, error) { return runRaw(spec, n) })
			if rerr := release(); rerr != nil {
				return Result{}, fmt.Errorf("end %d idle threads: %w", nthr, rerr)
			}
			return res, err
		},
		NoSim: noSimThreads,
	}
}

func mapsRow(sp rowspec.Spec, spec rawSpec) Row {
	nmaps := sp.Maps
	return Row{
		Spec:   sp,
		Suites: Full,
		Needs:  Needs{Linux: true},
		Doc: fmt.Sprintf("raw clone(fork flags)+exit+reap while the parent holds %d more private anonymous one-page mappings, each touched and kept apart by a hole so none merge (dup_mmap copies each); "+
			"parent and child pinned to one CPU, the Go runtime's threads moved off it", nmaps),
		Run: func(n int) (Result, error) {
			release, err := holdMappings(nmaps)
			if err != nil {
				return Result{}, fmt.Errorf("hold %d mappings: %w", nmaps, err)
			}
			res, err := onOneCPU(func() (Result, error) { return runRaw(spec, n) })
			if rerr := release(); rerr != nil {
				return Result{}, fmt.Errorf("unmap %d mappings: %w", nmaps, rerr)
			}
			return res, err
		},
		SkipReason: func() string { return mapsSkip(nmaps) },
		NoSim:      noSimMaps,
	}
}
