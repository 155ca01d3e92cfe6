// Package hist is a log-linear latency histogram that merges by adding
// counts, as fio's, schbench's and HdrHistogram's do: each power of two is
// split into 32 equal buckets (values below 64 have a bucket each), so a
// bucket is at most 1/32 (3.1%) of its lower bound wide over the whole
// uint64 range, in 1920 buckets. Percentiles are read from the buckets,
// never averaged: the p99 of two merged runs is the p99 of the union of
// their values, to within a bucket.
//
// rawclone's assembly ping-pong loop computes the same bucket index from
// cycle-counter ticks (a BSR, two shifts and an add) and increments the
// bucket in shared memory; Scale turns that tick histogram into one of
// nanoseconds with the run's calibration.
//
// # Sidecar format
//
// A run's histograms are stored beside its result file (UTCTIME.txt →
// UTCTIME.hist), one per row and kind, in text that benchstat and benchfmt
// ignore (no line is a "Benchmark…" line or a "key: value" config line):
//
//	# clonebench-hist v1: log-linear, 32 sub-buckets per power of two, values in ns
//	H BenchmarkSwitch/mech=pipe/mode=process/cpu=same/ws=0-2 roundtrip 2 3650=14 3651=120 …
//
// After "H": the benchmark name as the result file writes it, the kind
// (roundtrip: one round trip of a switch row; wake: from the waker's wake
// call to the wakee running in user space), the number of samples merged
// into the line, then bucket=count pairs, bucket being Index of the
// values it holds, in increasing order. Lines starting with '#' and blank
// lines are comments. A reader merges lines of one name and kind.
package hist
