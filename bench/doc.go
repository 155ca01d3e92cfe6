// Package bench holds clonebench's go test -bench entry points: one
// Benchmark function per catalogue family and one b.Run per row, so
//
//	go test -run '^$' -bench . ./bench/
//
// prints the same names and units as cmd/runbench, and benchstat reads
// either.
//
// CLONEBENCH_PROBE=sched is runbench run -probe's switch here: each raw
// creation row is followed by its probe=sched twin, which runs with
// package probe's BPF programs attached and reports its op's phases
// (copy-ns/op, teardown-ns/op, …). It needs root; without it the twins
// skip with the reason. Any other value fails the benchmark.
package bench
