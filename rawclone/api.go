package rawclone

// This file is the contract the rest of clonebench codes against.
// Implementations live in clone_linux.go / clone_other.go and the
// assembly files; keep these signatures stable.

import "time"

// Op selects what the child's assembly body does.
type Op int

const (
	// OpExit: exit at once (exit for a thread-group member, exit_group otherwise).
	OpExit Op = iota
	// OpBlockRead: block reading one byte from Body.In, then exit, so a test
	// can inspect the live child.
	OpBlockRead
	// OpPingPong: Body.Warmup+Body.N round trips over Body.Mech, then exit.
	OpPingPong
	// OpLoopback: the same mechanism's signal+wait in one task with no
	// partner and no switch (lmbench's overhead method), N times.
	OpLoopback
)

// Mech selects how a ping-pong side waits for and wakes its partner.
type Mech int

const (
	// MechFD: read IOSize bytes from In, write IOSize bytes to Out
	// (pipes and socketpairs use 1, eventfd uses 8).
	MechFD Mech = iota
	// MechFutex: FUTEX_WAIT/FUTEX_WAKE on Body.Word (shared futex ops, so the
	// word may live in MAP_SHARED memory between processes).
	MechFutex
	// MechYield: spin on Body.Word calling sched_yield; both sides must run
	// on one CPU.
	MechYield
)

// Body describes what the child runs. The zero value is OpExit.
type Body struct {
	Op   Op
	Mech Mech

	In, Out int // file descriptors for OpBlockRead (In) and MechFD
	IOSize  int // bytes per read/write for MechFD: 1 (pipe, socket) or 8 (eventfd)

	// Initiator sends first: each round trip it signals then waits; the
	// other side waits then signals. The initiator records the timed interval.
	Initiator bool
	N         int // timed round trips
	Warmup    int // untimed round trips before the timer starts

	// Word is the futex/yield turn word shared by both sides (NewWord).
	Word *Word

	// WorkingSet is touched (every cache line read) between round trips.
	// It must be memory the child can address: for a process, memory mapped
	// before the clone; allocate it with Map so it outlives the task.
	WorkingSet []byte

	// CallRet: each system call in the ping-pong/loopback loop is issued
	// through a call to a one-instruction stub followed by a return, as a
	// C program calling glibc's read/write does; off, the loop issues them
	// inline. After a system call that switched tasks that return is
	// mispredicted, and on CPUs that refill the return stack buffer on a
	// switch (SRSO, retbleed mitigations) it costs a fraction of a µs, which
	// perf bench sched pipe pays and the inline loop does not.
	CallRet bool

	// RSeq: the task registers a restartable-sequences area (rseq(2)) before
	// its loop, as glibc does for every thread; a task that inherited a
	// registration across fork keeps it. The kernel then does its rseq work
	// (updating the area's cpu_id and friends) on every return to user
	// after a preemption or switch, which every glibc program pays and a
	// task with no registration does not.
	RSeq bool

	// RoundTrips, on the initiator of an OpPingPong, records every timed
	// round trip into a log-linear histogram of cycle-counter ticks (the
	// hist package's buckets), read on the loop's own CPU: amd64 RDTSC
	// after LFENCE, which needs an invariant TSC (constant_tsc and
	// nonstop_tsc, or Clone refuses with ErrUnsupported). Result.NsPerTick
	// converts. The cost is one counter read and one bucket increment per
	// round trip.
	RoundTrips *Latency

	// Wake records, on both sides of an OpPingPong (not MechYield), the
	// wake-up latency of every timed round: each side writes the counter
	// into WakeStamp (one Word both sides share) just before its wake call
	// (write, FUTEX_WAKE after the turn flip), and the woken side reads the
	// counter as soon as its wait returns to user space and records the
	// difference. Cross-CPU this needs counters in step across CPUs (an
	// invariant TSC the kernel uses as its clocksource); a negative
	// difference counts as 0.
	Wake      *Latency
	WakeStamp *Word

	// CPU pins the task with sched_setaffinity before it starts; -1 leaves
	// the inherited affinity. The zero value pins to CPU 0, so callers that
	// do not care must set -1 (see NoCPU).
	CPU int
}

// NoCPU leaves a task's affinity as inherited.
const NoCPU = -1

// StackMode chooses how a CLONE_VM (non-vfork) child gets its stack.
type StackMode int

const (
	// StackCached reuses stacks from a pool, like glibc's warm stack cache.
	StackCached StackMode = iota
	// StackFresh maps a new stack with a guard page for every task and unmaps
	// it after the join, like glibc on a cold stack cache.
	StackFresh
)

// Options tune Clone. The zero value is StackCached.
type Options struct {
	Stack StackMode
}

// Result is what a task recorded about itself, read after Wait.
type Result struct {
	// Start and End are CLOCK_MONOTONIC readings taken by the task around
	// the timed round trips (initiator only; zero otherwise).
	Start, End time.Duration
	Rounds     int   // round trips completed (warm-up included)
	Bytes      int64 // bytes read by this side (MechFD)
	// Voluntary and involuntary context switches of this task over the timed
	// interval, from getrusage(RUSAGE_THREAD) at its start and end.
	Nvcsw, Nivcsw int64
	// TicksStart and TicksEnd are the cycle counter read beside Start and
	// End (initiator only; zero where the platform records no ticks).
	TicksStart, TicksEnd uint64
}

// Elapsed is End-Start.
func (r Result) Elapsed() time.Duration { return r.End - r.Start }

// NsPerTick calibrates the cycle counter against CLOCK_MONOTONIC over the
// timed interval: 0 if the task recorded no ticks.
func (r Result) NsPerTick() float64 {
	if r.TicksEnd <= r.TicksStart || r.End <= r.Start {
		return 0
	}
	return float64(r.Elapsed().Nanoseconds()) / float64(r.TicksEnd-r.TicksStart)
}

// The rest of the contract, implemented per platform (clone_linux.go,
// clone_other.go, word_linux.go); listed here so callers can code against it:
//
//	type Flags uint64 // CLONE_* bits | exit signal in the low byte (flags.go, all platforms)
//	const CloneVM, CloneFS, CloneFiles, CloneSighand, CloneThread, … Flags; SIGCHLD, SignalMask Flags
//	func (f Flags) String() string            // "VM|FS|FILES|SIGHAND|THREAD|…|SIGCHLD"; "0" for none
//	func (f Flags) Has(g Flags) bool          // every bit of g set
//	func (f Flags) ExitSignal() int           // the low byte
//	func ParseFlags(s string) (Flags, error)  // that form, or "fork", "thread", "vfork"
//	var ForkFlags, ThreadFlags, VforkFlags Flags
//
//	func Clone(flags Flags, body Body, opt Options) (*Task, error)
//	func NewCloner() (*Cloner, error)                 // one locked thread, signals blocked for a batch of clones
//	func (cl *Cloner) Clone(flags Flags, body Body, opt Options) (*Task, error)
//	func (cl *Cloner) Close() error
//	func (t *Task) Tid() int
//	func (t *Task) Flags() Flags
//	func (t *Task) Wait(timeout time.Duration) error // join or reap; 0 = no timeout
//	func (t *Task) Kill() error                      // end the task now and join/reap it
//	func (t *Task) Gone(timeout time.Duration) error // after Wait/Kill: until the kernel has released it (a join comes before do_exit ends)
//	func SettleExiting(timeout time.Duration) error  // until no thread of ours is in do_exit (after a batch of joins)
//	func (t *Task) Result() Result                    // valid after Wait
//
//	// Creation timed in assembly, no Go between ops (loop.go, loop_linux.go):
//	func (cl *Cloner) Loop(flags Flags, n int, opt Options) (LoopResult, error) // n × clone → exit → join/reap; StackCached only
//	func (cl *Cloner) Loop3(c Clone3, n int) (LoopResult, error)                // the same through clone3 (loop3.go): PIDFD, INTO_CGROUP, a child's write
//	func (cl *Cloner) MinimalForkLoop(n int) (LoopResult, Footprint, error)     // n forks from a child that unmapped Go
//	func (cl *Cloner) Pin(cpu int) (restore func() error, err error)            // the Cloner thread (and its children) on one CPU
//	func (cl *Cloner) LoopFrom(st *Start, flags Flags, n int, opt Options) (LoopResult, error) // Loop from a start line several Cloners share (start.go)
//	type LoopResult struct{ Ops []time.Duration; Elapsed time.Duration; Ticks []uint64; NsPerTick float64; Start, End time.Duration }
//	type Footprint struct{ Kept []Mapping; Mappings int; Bytes int64 }
//
//	type Word struct{ … }                 // a futex word in MAP_SHARED memory (word.go)
//	func NewWord() (*Word, error)         // zeroed: the initiator's turn
//	func (w *Word) Load() uint32
//	func (w *Word) Store(v uint32)        // reset between runs (0 = initiator's turn)
//	func (w *Word) Free() error           // only once no task uses it
//
//	func Map(size int, hugepages bool) ([]byte, error) // private anonymous, THP advised on/off, every page touched
//	func Unmap(b []byte) error
