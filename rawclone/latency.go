package rawclone

// Latency is a log-linear histogram of cycle-counter ticks (the hist
// package's 1920 buckets of uint64) in MAP_SHARED memory, so that a
// fork-style child's assembly loop records into the same memory we read.
// Create it with NewLatency before the clone, read it with Ticks after the
// task has ended, and Free it once no task uses it.
type Latency struct {
	mem []byte
}
