package rawclone

// The loop API: creation timed op by op with no Go between ops. Signatures
// (implemented in loop_linux.go, stubbed in loop_other.go):
//
//	func (cl *Cloner) Loop(flags Flags, n int, opt Options) (LoopResult, error)
//	func (cl *Cloner) MinimalForkLoop(n int) (LoopResult, Footprint, error)
//	func (cl *Cloner) Pin(cpu int) (restore func() error, err error)
//	func (cl *Cloner) LoopFrom(st *Start, flags Flags, n int, opt Options) (LoopResult, error) // Loop behind a start line shared by several Cloners (start.go)
//
// Why: timing each create from Go (Cloner.Clone, Task.Wait, time.Now per
// op) lets the scheduler, the allocator and the GC run between ops, which
// made thread creation ~1.25x what a C loop doing the same raw clone and
// futex join pays. Loop runs the whole clone → child exits → join/reap
// loop in one assembly function and reads a cycle counter (amd64 RDTSC
// after LFENCE, arm64 CNTVCT_EL0 after ISB) after every join, so the only
// thing between two readings is what a C loop would do.

import "time"

// LoopResult is what a Loop or MinimalForkLoop measured.
type LoopResult struct {
	// Ops are the n per-op durations: Ops[i] runs from the counter reading
	// after op i-1's join (or, for op 0, just before it) to the one after
	// op i's. They sum to Elapsed (up to rounding), since the counter is
	// calibrated over exactly the span they cover.
	Ops []time.Duration

	// Elapsed is CLOCK_MONOTONIC from just before the first counter
	// reading to just after the last one, both read by raw clock_gettime
	// in the assembly loop (no vDSO: a minimal fork child has unmapped
	// Go's, and one code path is what keeps the two loops comparable).
	Elapsed time.Duration

	// Ticks are the n+1 raw counter readings and NsPerTick their
	// calibration, Elapsed / (Ticks[n] - Ticks[0]): the counter's own rate
	// (TSC, generic timer) is not trusted to be what the CPU reports.
	Ticks     []uint64
	NsPerTick float64

	// Start and End are the CLOCK_MONOTONIC readings Elapsed is the
	// difference of, as times since the clock's epoch, so that loops run
	// at once from several Cloners (LoopFrom) can be put on one time line.
	Start, End time.Duration
}

// Footprint is what a MinimalForkLoop's process kept of our address space
// while it forked. The child cannot read /proc once it has unmapped Go's
// runtime (and must not run Go), so this is computed in the parent from
// the ranges it told the child to keep; the kernel's view of the child may
// split them further (a text range inside the executable's mapping is one
// VMA of its own after the unmaps around it).
type Footprint struct {
	Kept     []Mapping
	Mappings int   // len(Kept)
	Bytes    int64 // their total size
}

// Mapping is one address range a minimal fork child kept.
type Mapping struct {
	Start, End uintptr
	// What it is: "text" (the pages of the loop's code), "shared" (the
	// MAP_SHARED area with the loop's inputs, tick readings and status),
	// "stack", or the kernel's name for a special mapping ("[vdso]",
	// "[vvar]", …).
	Name string
}
