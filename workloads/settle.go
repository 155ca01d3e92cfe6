package workloads

import "runtime/debug"

// Settle puts the measuring process in the same memory state before every
// sample: a full GC, and the freed pages handed back to the kernel.
//
// A fork-style op copies the page tables of everything the parent has
// resident, so its cost follows the parent's RSS. After runtime.GC alone
// (what go test does between runs) the garbage's pages stay resident until
// the background scavenger returns them, so a fork sample cost whatever
// the rows before it had allocated: over one default run the fork row
// drifted from ≈510 µs to ≈1 ms while the thread row stayed put, and a
// profiled twin's garbage made the next plain fork sample 2× slower.
// Settling makes what fork copies the live heap alone. It is outside every
// timed interval; both runbench and go test -bench call it.
func Settle() { debug.FreeOSMemory() }
