// Package workloads is clonebench's catalogue: every measured row once — its
// name, its suite, what it needs to run, and how to run n operations of it.
//
// bench/ (go test -bench) and cmd/runbench both iterate Catalogue(), so a
// row's name, its measurement and its skip reason exist in one place. A row
// named "Create/style=thread" is BenchmarkCreate/style=thread under go test
// and the same line in runbench's output.
//
// Op boundaries, one per family:
//   - Create*, CloneFlags: create the task + let it exit + reap or join it.
//     Raw rows clone through rawclone from one locked OS thread; style=spawn
//     is os/exec's path, clone(VM|VFORK|PIDFD|SIGCHLD) then execve, so it
//     times vfork+exec+wait, not fork. Every row records one sample per op
//     and reports p50-ns and p99-ns beside ns/op.
//   - Switch*: one round trip between two ready tasks; creating the partners
//     and touching memory are outside the timed interval.
//
// Probed twins (probe.go) are not in the catalogue: Probed and WithProbes
// derive "…/probe=sched" from each raw creation row for runbench -probe
// and CLONEBENCH_PROBE=sched; they run the same op with package probe's
// programs attached and add its phases as PHASE-ns/op. Profiled twins
// (pprof.go: Profiled, WithProfiles) do the same for "…/pprof=cpu": the op
// under package kprof's perf_event sampling, its profile in Result.Profile.
package workloads
