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
//   - Switch*: one round trip between two ready tasks; creating the partners
//     and touching memory are outside the timed interval.
package workloads
