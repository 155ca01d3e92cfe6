// Package report turns clonebench results into PNG charts and a Markdown
// report that answer the process-versus-thread questions at a glance.
//
// Input is the standard Go benchmark format, as written by `go test -bench`
// or by cmd/runbench: config lines (goos: linux, cpu: …, kernel: 6.18.0,
// virtualization: kvm) followed by one line per sample, e.g.
//
//	BenchmarkCreate/style=thread-2   200   35000 ns/op   34000 p50-ns   60000 p99-ns
//
// Load reads files through resultfile (which validates them and strips the
// -N GOMAXPROCS suffix) and groups samples into rows per machine; each row
// carries its typed name, a rowspec.Spec, and charts and tables place rows
// by it. Rows rowspec does not know are listed under "All rows" only. Rows are
// summarised with golang.org/x/perf/benchmath (median and its 95% confidence
// interval, assuming nothing about the distribution, as benchstat does) and
// github.com/montanaflynn/stats for what benchmath lacks (median of the
// per-op percentiles, regression slopes).
//
// Write draws, into one directory:
//
//	creation.png      cost per creation by style, log scale, 95% CI bars
//	cloneflags.png    the clone-flag sweep as a staircase, each step labelled
//	fork-rss.png      creation cost against parent RSS, fitted slope in µs/MiB
//	switch.png        per-switch cost, process beside thread, cpu=same, with
//	                  the documented figures as a reference band and line
//	switch-ws.png     per-switch cost against working-set size
//	distribution.png  per-sample distributions of the creation styles
//	compare.png       % change per row against a baseline (Options.Baseline)
//	hosts.png         headline rows side by side per machine (several hosts)
//	scaling.png       per-creator creation cost against creators at once (CreatePar), log axes, ideal flat line
//	flame.png         icicle charts of fork's and thread's kernel stacks, from
//	                  the pprof=cpu sidecars (runbench run -pprof)
//	report.md         machine, headline table, ratios, charts, skipped rows
//
// A chart whose rows are absent is not drawn; report.md says why instead.
//
// Creation rows carry cpu=same (parent and child on one CPU) or cpu=any;
// names stored before cpu= existed ran unpinned and count as cpu=any. Where
// a chart or table shows one figure per style, step or point it takes
// cpu=same, else cpu=any, else the legacy name, and says which; a series (the
// clone-flag staircase, an RSS line, an fd step) is drawn at one placement,
// never a mix. The creation table shows each style at every placement.
// When the input has Create/style=fork-minimal the creation section sets it
// beside fork with the Go parent's footprint. Rows with per-sample
// disturb-ictxsw / disturb-migrations counts show how many samples were
// disturbed; the counts are never drawn.
//
// Machines are told apart by config lines: a `host:` line when present,
// otherwise cpu, kernel, virtualization, goos and goarch together. The
// single-machine charts show the first machine in the input.
//
// A row is simulated by its units (sim-ns/op, as resultfile decides) and is
// kept apart from real ones and marked "simulated" in every chart and table;
// a host is marked simulated by config `kernel: sim` or `sim: true`.
//
// Each chart is one entry of a registry (charts.go) with its file, title,
// caption, the families it places, whether the data supports it and whether
// what it draws is simulated; the chart itself is in chart_NAME.go.
//
// Profiles: each input's pprof sidecars (resultfile.ReadProfiles) are
// merged per machine and row (Data.Profiles). report.md's "Down to the
// kernel function" section gives the headline rows' top kernel functions
// as a share of the op, the function each clone-flag step moves most and
// the sampling source with its bias; profiled twins (…/pprof=cpu), like
// probed ones, are never placed as plain rows.
//
// Skipped rows come from resultfile, in either form:
//
//	--- SKIP: BenchmarkCreate/style=pthread     (go test -v; the reason is the
//	    bench_test.go:31: needs cgo               indented line before or after)
//	# skip: BenchmarkCreate/style=pthread: needs cgo   (runbench)
//
// `--- FAIL: NAME` lines are listed the same way, with the reason "failed".
//
// The API, as cmd/runbench uses it:
//
//	d, err := report.Load(files...)            // errors: "file:line: …", wrapping ErrNoResults or ErrMalformed
//	d, err := report.FromFiles(fs...)          // the same from files resultfile has read
//	base, err := report.Load(baseline)         // optional
//	paths, err := report.Write(dir, d, report.Options{Baseline: base, Title: "…"})
//	deltas, err := report.Compare(base, d, 0.05, 0.05) // per-row % change, CI range, U test
//
// Compare is what compare.png draws; runbench's own compare table and exit
// code come from benchstat's packages directly, and the two agree because
// both use benchmath.AssumeNothing.
//
// Tests: golden images in testdata/*_golden.png (compared with
// gonum.org/v1/plot/cmpimg at a per-pixel tolerance; `go test -regen`
// rewrites them) and testdata/report*_golden.md (`go test -update`).
package report
