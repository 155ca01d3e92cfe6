// Package rowspec is the row schema: the one place that says what a
// clonebench row name may hold.
//
// A row name is "Family/key=value/…", the benchmark name without
// "Benchmark". rowspec owns
//   - the families and, for each, its keys in order (Families, Family.Keys);
//   - the values each key allows (Key.Values, Key.Kind);
//   - the size format of rss= and ws= (FormatSize, ParseSize);
//   - the unit names every package writes and reads (units.go), and the
//     phases of a probed op (Phase, SwitchPhase): package probe numbers
//     its sums by them, rows report them by Phase.Unit;
//   - a benchmark's name: BenchPrefix and the row name (BenchName);
//   - Spec, a typed name whose String and Parse round-trip losslessly:
//     Parse(s).String() == s for every name Parse accepts, and
//     Parse(sp.String()) == sp for every Spec whose Validate passes.
//
// Names are a contract with stored results and nightly baselines, so Parse
// accepts exactly the canonical spelling (one form per size, keys in the
// family's order) and nothing else; workloads builds every name with
// Spec.String and testdata/names.golden holds the list.
//
// One key is optional: a creation row's probed twin (package probe) ends
// in "/probe=sched" after the family's keys (Spec.Probe, Spec.Plain), so
// it is never the same name as the plain row it was measured beside.
// Its sibling, a profiled twin (package kprof), ends in "/pprof=cpu"
// (Spec.Pprof) the same way; a name has at most one of the two.
//
// rowspec imports nothing of clonebench: clone flags appear as the string
// rawclone.Flags.String prints, and their meaning stays with rawclone.
package rowspec
