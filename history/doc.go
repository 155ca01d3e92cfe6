// Package history follows each row of each machine across runs, finds
// the runs where its figure changed, and reports them as Intel's
// 0-day/LKP does: "row +5.1% regression at run 21 (file, commit, kernel)"
// with the figures on both sides.
//
// # Series
//
// Build groups result files by machine (resultfile.Row.Machine: the
// values of sysinfo.MachineKeys, the keys compare refuses to mix), orders
// each machine's runs (ByTime: runbench's file names, resultfile.RunName,
// results/HOST/UTCTIME[-partial][-N].txt; ByCommit: the files' commit line, in the order
// git rev-list --reverse --topo-order gives), and makes one Series per row
// (resultfile.Row.CompareName) and primary unit (ns/op, or sim-ns/op for
// simulated rows). Each run's point is the median of its samples with
// benchmath's distribution-free 95% interval. A row missing from a run has
// no point there; no other row moves. The kernel and its settings
// (sysinfo.ConfigKeys) are not part of the machine: one machine's runs
// across kernel versions are one series, and a Finding names the
// configuration change at its run (Finding.Config) and the runs a bisect
// starts from (Last and Run). Dedupe leaves out a run given twice.
//
// # Change points
//
// Detect is E-divisive means with Hunter's t-test (Fleming et al., "Hunter:
// Using Change Point Detection to Hunt for Performance Regressions",
// arXiv 2301.03034; Matteson and James's E-divisive, as MongoDB's CI and
// Apache Otava use it), implemented here: the per-run medians are split
// where the energy statistic is largest, Welch's t-test between the two
// sides decides (deterministic, unlike the original permutation test),
// both sides are searched again, and at the end every change point is
// re-tested against its neighbours' segments. Segments have at least
// DefaultMinSize (3) runs, so a series needs 6 runs to be tested and a
// change in the newest runs shows after its third night.
//
// False-positive rate: DefaultAlpha (1e-4) is the per-test level. Since the
// tested split is the best-looking one, pure noise is flagged more often:
// TestFalsePositiveRate measures 27 of 2000 Gaussian series of 30 runs
// (1.35%) with at least one change point, and asserts at most 2%. With N
// rows, expect about 0.0135·N rows falsely flagged per 30-run history; the
// exit code looks only at headline rows (rowspec.Spec.IsHeadline) and only at
// their newest segment.
//
// Power and limits, from the synthetic tests (testdata/*.golden): a 5%
// step in 2% noise is found, at its run or the run beside it (a 2.5σ step:
// the neighbour is as often a draw from the other side); a 20% drift over
// 30 runs is reported as a ramp (Finding.Ramp: the runs on both sides of
// the change drift its way, by an analysis-of-covariance slope test at
// 1%); a 10% drift over 30 runs in 2% noise is NOT recognised as a ramp
// and is reported as one step at its steepest point (ramp-slow.golden).
//
// # Fleet
//
// Upload and Query use golang.org/x/perf's storage server (the perfdata
// app, or localperfdata with SQLite) through its client. The server keeps
// a result's config and its name's labels in one set, so
// resultfile.ForStorage stores the config keys it would confuse (cpu, thp,
// gomaxprocs, …) as config-KEY; Query rebuilds each uploaded file and
// parses it with resultfile.
package history
