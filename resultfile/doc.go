// Package resultfile reads and writes clonebench result files: the Go
// benchmark format that runbench run and go test -bench write, with
// runbench's config lines and "# skip:" lines.
//
// Read validates and parses in one pass, so "what is a valid result file"
// and "what makes a row simulated" each have one owner:
//   - the input is a regular file (or a reader) of bounded size, text, and
//     ends with a newline;
//   - every Benchmark line parses (go test -v's bare name line before a
//     benchmark's log is allowed);
//   - every value is finite and no value of a time or count unit is
//     negative;
//   - each row has a primary figure, ns/op (real) or sim-ns/op (simulated),
//     never both: a row is simulated by its unit, and a file by its
//     "kernel: sim" line or any simulated row.
//
// Rows are grouped by name, machine (sysinfo.MachineKeys) and kind (real or
// simulated); each keeps its samples line by line, so a figure that is only
// meaningful within one line (a Switch row's overhead) can be derived.
// Every row name that rowspec knows carries its typed Spec.
//
// Sidecars sit beside a result file UTCTIME.txt and share its UTCTIME,
// each read only by those who need it:
//   - UTCTIME.hist: the latency histograms (format in package hist;
//     ReadSidecar, WriteSidecar);
//   - UTCTIME.pairs: the run's rounds (ReadRounds, WriteRounds): round by
//     round, which sample of which row was taken, which two were measured
//     back to back as the pair of a stated ratio (rowspec.RatioPairs), the
//     machine's steal time in that round, and how long the round waited
//     for the kernel's deferred work before samples (the washout line
//     gives the rule and when it applies). It is a sidecar rather than
//     a "round: N" config line before each round: a config line that
//     changes between results splits benchstat's tables (its default
//     -table is .config), while a sidecar leaves the result file exactly
//     as benchstat and older readers know it. A file without one (older
//     runs, go test -bench output) simply has no rounds, and its ratios no
//     pairs;
//   - UTCTIME.ROW.pprof: one per profiled row (runbench run -pprof), a
//     gzipped pprof protobuf that `go tool pprof` opens: the row's
//     samples' profiles merged (package kprof takes them). ROW is the
//     plain row's name made a safe file name (ProfilePath); the profile's
//     first comments, "row: NAME/pprof=cpu" and "ops: N", say which row
//     and over how many ops, so a function's time per op is its value
//     over N (ReadProfiles, WriteProfile).
package resultfile
