// Package ab is runbench ab's engine: a paired A/B session of two
// executables that take go test's -test.* flags and print the benchmark
// format (two builds of ./bench, or a wrapper that changes the
// environment and execs one), or of one executable under two values of a
// kernel setting (-knob).
//
// Every round runs each selected row once on each side, back to back, in
// a random order within the pair, with the rows shuffled per round (RMIT,
// Abedi & Brecht 2017): the host's drift between rounds moves both figures
// of a pair alike, and their ratio cancels it. Each sample is one exec
// that selects exactly one sub-benchmark (rowspec.Spec.BenchPattern) with
// a fixed op count: a pilot on side A sizes it to about Options.SampleTime
// and both sides keep it for the whole session. The statistics and their
// text are package comparison's (ComparePaired); this package only
// schedules, execs, parses, records and stops.
//
// A knob session writes the setting before every sample and reads it back.
// Before its first write it journals the original value (0600, under
// /var/lib/clonebench), restores it on every way out (an error, SIGINT,
// SIGTERM, SIGHUP), and the next session restores a journal a SIGKILL
// left behind.
package ab
