package rawclone

import "sync/atomic"

// Start is the start line of several assembly loops run at once, one per
// Cloner on its own CPU (workloads' CreatePar). The loops share nothing
// else: each has its own Cloner, control block, stack and tick array.
//
// How the start is synchronised: each LoopFrom does all its Go setup
// first (control block, stack, the tick array faulted in), then arrives;
// the last of the n to arrive sets the start flag, and every loop spins on
// that flag in assembly (PAUSE / YIELD between reads, inside the same
// system-call window as the loop, so no Go code runs between the flag and
// the loop's first CLOCK_MONOTONIC reading). The flag sits alone on its
// cache line and is written once, so after the start no creator touches
// anything another one writes. Each loop then records its own
// CLOCK_MONOTONIC start and end (LoopResult.Start, End); the caller
// decides what window to time over.
//
// A Start is used once. A LoopFrom that fails before its loop still
// arrives, so the others never spin for ever.
type Start struct {
	_     [64]byte
	flag  uint32 // 0 until every loop has arrived; read by spinUntilSet
	_     [60]byte
	ready atomic.Int32
	n     int32
}

// NewStart is a start line for n loops.
func NewStart(n int) *Start { return &Start{n: int32(n)} }

// arrive counts one loop in; the last one sets the flag.
func (s *Start) arrive() {
	if s.ready.Add(1) == s.n {
		atomic.StoreUint32(&s.flag, 1)
	}
}

// Withdraw counts in a loop that will not run (its Cloner could not be
// made, or it was never pinned), so the others start without it.
func (s *Start) Withdraw() { s.arrive() }

// Started reports whether every loop has arrived.
func (s *Start) Started() bool { return atomic.LoadUint32(&s.flag) != 0 }
