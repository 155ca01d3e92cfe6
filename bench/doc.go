// Package bench holds clonebench's go test -bench entry points: one
// Benchmark function per catalogue family and one b.Run per row, so
//
//	go test -run '^$' -bench . ./bench/
//
// prints the same names and units as cmd/runbench, and benchstat reads
// either.
package bench
