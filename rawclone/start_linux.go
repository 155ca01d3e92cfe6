//go:build linux && (amd64 || arm64)

package rawclone

// spinUntilSet returns once *flag is non-zero (start_linux_*.s).
//
//go:noescape
func spinUntilSet(flag *uint32)

// runLoopFrom is runLoop behind a start line: the spin runs in the same
// system-call window as the loop (the P is handed on, as for any blocking
// call, so the loops that have not arrived yet can run their Go setup),
// and nothing of Go runs between the flag and the loop's first clock read.
//
//go:nosplit
func runLoopFrom(l uintptr, flag *uint32) int {
	entersyscall()
	spinUntilSet(flag)
	r := loopAsm(l)
	exitsyscall()
	return r
}

// LoopFrom is Loop started from st together with the other loops of st:
// it does its setup, arrives, and runs its n ops once all have arrived
// (see Start). Use one Cloner per loop, each pinned (Pin) to its own CPU:
// a loop spins while it waits, so two on one CPU would take turns.
func (cl *Cloner) LoopFrom(st *Start, flags Flags, n int, opt Options) (LoopResult, error) {
	return cl.loopFrom(st, flags, n, opt, -1, 0, nil)
}
