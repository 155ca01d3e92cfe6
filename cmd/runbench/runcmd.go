package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/simkernel"
	"github.com/clonebench/clonebench/workloads"
)

// runFlags are run's flags, checked; the fields after profile are derived
// from them.
type runFlags struct {
	auto      bool
	suiteName string
	filter    string
	count     int
	out       string
	baseline  string
	kernel    string
	benchtime time.Duration
	budget    time.Duration
	compare   *compareOpts // with -baseline
	report    bool
	profile   string
	wait      bool
	probe     bool

	suite workloads.Suite
	re    *regexp.Regexp
}

// cmdRun checks everything it is given before measuring, so a typo costs
// nothing: then it selects the rows, measures them, writes the result file
// and draws the report and comparison.
func (e *env) cmdRun(stdout, stderr io.Writer, args []string) error {
	stderr = &progressWriter{w: stderr}
	rf, err := parseRunFlags(stderr, args)
	if err != nil {
		return err
	}
	base, err := rf.prepare()
	if err != nil {
		return err
	}
	if base != nil {
		warnPartial(stderr, base)
	}
	plans, skips, config, err := e.selectRun(rf)
	if err != nil {
		return err
	}
	if rf.probe {
		fmt.Fprintf(stderr, "[runbench] probe: per-function attribution (fentry on dup_mmap): %s\n", fentryAnswer())
	}
	if err := e.checkOutput(rf); err != nil {
		return err
	}
	release, err := lockRun(e.lockPath, rf.wait, stderr)
	if err != nil {
		return err
	}
	defer release()
	warnIfBusy(stderr)
	start := e.now()
	samples, interrupted := e.measureRun(stderr, plans, rf, start)
	for _, p := range plans {
		if p.err != nil {
			skips = append(skips, skipped{p.row.Name, fmt.Sprintf("failed after %d samples: %v", p.done, p.err)})
		}
	}
	if interrupted {
		config = append(config, sysinfo.Fact{Key: "partial", Value: "true"})
	}
	if len(samples) == 0 {
		for _, s := range skips {
			fmt.Fprintf(stderr, "[runbench] skip %s: %s\n", s.Name, s.Reason)
		}
		if interrupted {
			return withCode(exitInterrupted, errors.New("interrupted before any sample finished; nothing written"))
		}
		return fmt.Errorf("no row ran (%d skipped); nothing written", len(skips))
	}
	write := func(w io.Writer) error { return writeResults(w, config, samples, skips) }
	path, err := e.writeRun(rf, start, interrupted, write)
	if err != nil {
		return rescue(stdout, stderr, err, write)
	}
	fmt.Fprintln(stdout, path)
	if err := writeSidecar(path, samples); err != nil {
		return fmt.Errorf("%s written, but its histogram sidecar: %w", path, err)
	}
	if interrupted {
		// The report and comparison of a partial run would mislead, and
		// the process must be gone within 2 s of the signal.
		return withCode(exitInterrupted, fmt.Errorf("interrupted: %d finished samples kept in %s (partial)", len(samples), path))
	}
	return e.followUp(stdout, stderr, rf, path, base, plans)
}

// parseRunFlags parses and checks run's flags.
func parseRunFlags(stderr io.Writer, args []string) (*runFlags, error) {
	rf := &runFlags{}
	fs := newFlags("run", stderr, "[flags]")
	fs.BoolVar(&rf.auto, "auto", false, "the no-argument default: pick a sample count ≥6 that fits the budget")
	fs.StringVar(&rf.suiteName, "suite", "quick", "run the `suite`: quick or full")
	fs.StringVar(&rf.filter, "run", "", "run only rows whose name matches `regexp` (e.g. 'Create/style=(thread|fork)$')")
	fs.IntVar(&rf.count, "count", 10, "take `n` samples of every row")
	fs.StringVar(&rf.out, "o", "", "write results to `file` (default results/HOST/UTCTIME.txt); never overwritten")
	fs.StringVar(&rf.baseline, "baseline", "", "compare against the results in `file` after the run")
	fs.StringVar(&rf.kernel, "kernel", "real", "measure the `kernel`: real, or sim for the simulated kernel")
	fs.DurationVar(&rf.benchtime, "benchtime", 0, "aim each sample at `duration` (default: the budget divided across rows and samples)")
	fs.DurationVar(&rf.budget, "budget", 0, "spend about `duration` measuring (default 90s for quick, 10m for full)")
	rf.compare = compareFlags(fs)
	fs.StringVar(&rf.profile, "profile", "", "with -kernel sim: the calibration `profile` (default: the one shipped in simkernel)")
	fs.BoolVar(&rf.probe, "probe", false, "also run each selected raw creation row's (and cpu=same switch row's) probe=sched twin, its op split into phases by BPF programs (needs root), alternating with the plain row")
	fs.BoolVar(&rf.wait, "wait", false, "if another run holds the machine's run lock, wait for it instead of refusing")
	fs.BoolVar(&rf.report, "report", true, "draw charts and report.md beside the result file")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, badInput("unexpected argument %q", fs.Arg(0))
	}
	countSet := false
	fs.Visit(func(f *flag.Flag) { countSet = countSet || f.Name == "count" })
	if rf.auto && !countSet {
		rf.count = 0
	}
	switch rf.suiteName {
	case "quick":
		rf.suite = workloads.Quick
	case "full":
		rf.suite = workloads.Full
	default:
		return nil, badInput("-suite must be quick or full, not %q", rf.suiteName)
	}
	if rf.budget == 0 {
		rf.budget = 90 * time.Second
		if rf.suite == workloads.Full {
			rf.budget = 10 * time.Minute
		}
	}
	if rf.budget < 0 || rf.benchtime < 0 {
		return nil, badInput("-budget and -benchtime must not be negative")
	}
	if countSet && rf.count < 1 {
		return nil, badInput("-count must be at least 1, not %d", rf.count)
	}
	if rf.kernel != "real" && rf.kernel != "sim" {
		return nil, badInput("-kernel must be real or sim, not %q", rf.kernel)
	}
	if err := rf.compare.check(); err != nil {
		return nil, err
	}
	if rf.profile != "" && rf.kernel != "sim" {
		return nil, badInput("-profile needs -kernel sim")
	}
	re, err := regexp.Compile(rf.filter)
	if err != nil {
		return nil, badInput("-run: %w", err)
	}
	rf.re = re
	return rf, nil
}

// prepare checks the files run is given before minutes are spent
// measuring: it reads the baseline, refuses an -o that exists and loads the
// profile.
func (rf *runFlags) prepare() (base *resultfile.File, err error) {
	if rf.baseline != "" {
		if base, err = readResult(rf.baseline); err != nil {
			return nil, err
		}
	}
	if rf.out != "" {
		if _, err := os.Lstat(rf.out); err == nil {
			return nil, badInput("-o %s: file exists; runbench never overwrites results", rf.out)
		}
	}
	if rf.profile != "" {
		prof, err := simkernel.LoadProfile(rf.profile)
		if err != nil {
			return nil, badInput("-profile: %w", err)
		}
		workloads.SetSimProfile(prof)
	}
	return base, nil
}

// selectRun picks the rows to measure and the config lines of their file.
func (e *env) selectRun(rf *runFlags) ([]*plan, []skipped, []sysinfo.Fact, error) {
	plans, skips := e.selectRows(rf.suite, rf.re, rf.kernel == "sim")
	if rf.probe {
		plans, skips = withProbed(plans, skips)
	}
	if len(plans) == 0 && len(skips) == 0 {
		return nil, nil, nil, badInput("no row of the %s suite matches -run %q", rf.suiteName, rf.filter)
	}
	sim := false
	for _, p := range plans {
		sim = sim || p.sim
	}
	config := runConfig(sim)
	if !sim {
		// Whether the switch rows carry p50-ns … p99.9-ns and a sidecar,
		// and if not, why (CLONEBENCH_RECORD=off, no invariant TSC).
		v := "on"
		if on, why := workloads.LatencyRecording(); !on {
			v = "off: " + why
		}
		config = append(config, sysinfo.Fact{Key: "latency-recording", Value: strings.Join(strings.Fields(v), " ")})
	}
	if sim {
		prof := "default"
		if rf.profile != "" {
			prof = rf.profile
		}
		config = append(config, sysinfo.Fact{Key: "profile", Value: prof})
	}
	return plans, skips, config, nil
}

// measureRun takes the samples until done or interrupted.
func (e *env) measureRun(stderr io.Writer, plans []*plan, rf *runFlags, start time.Time) (samples []sample, interrupted bool) {
	ctx, stop := e.notify(context.Background())
	defer stop()
	m := &measurer{e: e, ctx: ctx, stderr: stderr, start: start}
	samples = m.measure(plans, *rf)
	if m.abandoned {
		// The row in flight will never clean up: its process children
		// would outlive us (thread-style ones end with the process).
		if n, err := killChildren(time.Now().Add(200 * time.Millisecond)); err == nil && n > 0 {
			fmt.Fprintf(stderr, "[runbench] killed and reaped %d child process(es) of the abandoned row\n", n)
		}
		// Its children gone, the cgroups it made are empty and can go.
		if err := workloads.RemoveTestCgroups(); err != nil {
			fmt.Fprintf(stderr, "[runbench] removing the abandoned row's test cgroups: %v\n", err)
		}
	}
	return samples, m.interrupted
}

// resultDir is the directory the result file will go in.
func (e *env) resultDir(rf *runFlags) string {
	if rf.out != "" {
		return filepath.Dir(rf.out)
	}
	return filepath.Join(e.resultsDir, resultHost())
}

func resultHost() string {
	host, err := sysinfo.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return host
}

// checkOutput refuses, before minutes are spent measuring, a result
// directory that cannot be written. It creates nothing that stays: a
// missing directory is judged by its nearest existing ancestor, where
// MkdirAll would have to create it.
func (e *env) checkOutput(rf *runFlags) error {
	dir := e.resultDir(rf)
	what := "results directory " + dir
	if rf.out != "" {
		what = "-o " + rf.out + ": directory " + dir
	}
	probe := dir
	for {
		fi, err := os.Stat(probe)
		if err == nil {
			if !fi.IsDir() {
				return badInput("%s: %s is not a directory", what, probe)
			}
			break
		}
		if !errors.Is(err, os.ErrNotExist) {
			return badInput("%s: %w", what, unwrapPath(err))
		}
		up := filepath.Dir(probe)
		if up == probe {
			return badInput("%s: no existing ancestor", what)
		}
		probe = up
	}
	f, err := os.CreateTemp(probe, ".runbench-probe-*")
	if err != nil {
		return badInput("%s: not writable: %w", what, unwrapPath(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// rescue keeps the samples when the result file cannot be written after
// all (the disk filled, -o appeared during the run): minutes of measuring
// are worth a file in the temporary directory, or at worst stdout.
func rescue(stdout, stderr io.Writer, werr error, write func(io.Writer) error) error {
	f, err := os.CreateTemp("", "runbench-rescued-*.txt")
	if err == nil {
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			fmt.Fprintf(stderr, "[runbench] the samples are kept in %s\n", f.Name())
			return fmt.Errorf("%w; the samples are kept in %s", werr, f.Name())
		}
		os.Remove(f.Name())
	}
	fmt.Fprintf(stderr, "[runbench] could not keep the samples in %s either (%v); they follow on stdout\n", os.TempDir(), err)
	if err := write(stdout); err != nil {
		return fmt.Errorf("%w; writing the samples to stdout: %w", werr, err)
	}
	return fmt.Errorf("%w; the samples were written to stdout", werr)
}

// writeRun writes the result file to -o, or to a fresh name under
// results/HOST/, marked partial when interrupted, and returns its path.
func (e *env) writeRun(rf *runFlags, start time.Time, interrupted bool, write func(io.Writer) error) (string, error) {
	if rf.out != "" {
		path := rf.out
		if interrupted {
			path = partialName(path)
		}
		return path, writeNew(path, write)
	}
	base := filepath.Join(e.resultsDir, resultHost(), start.UTC().Format("20060102T150405Z"))
	if interrupted {
		base += "-partial"
	}
	return writeFresh(base, ".txt", write)
}

// followUp draws the report and compares with the baseline after a whole
// run. A failed row or report fails the run only after both are done, so
// one broken row still leaves the rest reported and compared.
func (e *env) followUp(stdout, stderr io.Writer, rf *runFlags, path string, base *resultfile.File, plans []*plan) error {
	var failed []string
	for _, p := range plans {
		if p.err != nil {
			failed = append(failed, p.row.Name)
		}
	}
	// One comparison: report.md shows what stdout prints and what the
	// exit code says.
	var cmp *comparison.Comparison
	if base != nil {
		cur, err := readResult(path)
		if err != nil {
			return err
		}
		if cmp, err = compareFiles(base, cur, *rf.compare); err != nil {
			return err
		}
	}
	if rf.report {
		dir, err := e.reportBeside(path, cmp)
		if err != nil {
			fmt.Fprintf(stderr, "[runbench] report: %v\n", err)
			failed = append(failed, "report")
		} else {
			fmt.Fprintln(stdout, dir)
		}
	}
	if cmp != nil {
		if err := printComparison(stdout, cmp); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

// partialName marks a result path as partial: x.txt → x-partial.txt.
func partialName(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-partial" + ext
}

// selectRows picks the suite's rows that match re, and says why the others
// in the selection cannot run. With sim, rows run on the simulated kernel;
// on hosts without raw clone, Linux-only rows with a simulated version run
// simulated and the portable rows run for real.
func (e *env) selectRows(suite workloads.Suite, re *regexp.Regexp, sim bool) ([]*plan, []skipped) {
	var plans []*plan
	var skips []skipped
	procs := runtime.GOMAXPROCS(0)
	for _, row := range e.rows() {
		if row.Suites&suite == 0 || !re.MatchString(row.Name) {
			continue
		}
		p := &plan{row: row, name: benchName(row.Name, procs)}
		switch {
		case sim && row.Sim == nil:
			why := "no simulated version of this row"
			if row.NoSim != "" {
				why = row.NoSim
			}
			skips = append(skips, skipped{row.Name, why})
			continue
		case sim:
			p.fn, p.sim = row.Sim, true
		default:
			reason := row.Skip()
			if reason != "" && row.Needs.Linux && row.Sim != nil && runtime.GOOS != "linux" {
				p.fn, p.sim = row.Sim, true
				break
			}
			if reason != "" {
				skips = append(skips, skipped{row.Name, reason})
				continue
			}
			p.fn = row.Run
		}
		if p.fn == nil {
			skips = append(skips, skipped{row.Name, "row has no Run function"})
			continue
		}
		plans = append(plans, p)
	}
	return plans, skips
}

// benchName is the name go test prints for a row: with -GOMAXPROCS when
// that is not 1.
func benchName(name string, procs int) string {
	if procs == 1 {
		return name
	}
	return name + "-" + strconv.Itoa(procs)
}

// warnIfBusy says so on stderr when the machine is not quiet: a busy
// machine widens the confidence intervals and can fake a regression. The
// load average is no guide (an idle 2-CPU guest sits near 0.6 from kernel
// threads and I/O wait), so it samples /proc/stat over a moment and counts
// only the CPU time other tasks used.
func warnIfBusy(stderr io.Writer) {
	before, err := readCPUTicks()
	if err != nil {
		return
	}
	time.Sleep(200 * time.Millisecond)
	after, err := readCPUTicks()
	if err != nil {
		return
	}
	if msg, busy := busyVerdict(before, after, runtime.NumCPU()); busy {
		fmt.Fprintf(stderr, "[runbench] warning: machine not quiet: %s; expect noisy figures\n", msg)
	}
}

// cpuTicks is a /proc/stat reading: busy and total ticks of all CPUs, and
// our own process's user+system ticks.
type cpuTicks struct{ busy, total, self uint64 }

// busyOthers is the share of one CPU other tasks may use before a run is
// called noisy.
const busyOthers = 0.10

// busyVerdict reports whether other tasks used more than busyOthers of a
// CPU between two readings, and the reading in words.
func busyVerdict(before, after cpuTicks, ncpu int) (string, bool) {
	total := after.total - before.total
	if after.total <= before.total || ncpu < 1 {
		return "", false
	}
	busy := float64(after.busy-before.busy) - float64(after.self-before.self)
	others := max(busy, 0) / (float64(total) / float64(ncpu)) // in CPUs
	return fmt.Sprintf("other tasks used %.0f%% of a CPU (of %d) over 200 ms", others*100, ncpu), others > busyOthers
}

func readCPUTicks() (cpuTicks, error) {
	var t cpuTicks
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return t, err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return t, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return t, fmt.Errorf("/proc/stat: %w", err)
		}
		if i >= 8 { // guest and guest_nice are already in user and nice
			break
		}
		t.total += n
		if i != 3 && i != 4 { // idle and iowait are not work
			t.busy += n
		}
	}
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return t, err
	}
	// The command name may hold spaces; the fields after it do not.
	_, rest, ok := strings.Cut(string(self), ") ")
	sf := strings.Fields(rest)
	if !ok || len(sf) < 13 {
		return t, errors.New("/proc/self/stat: unexpected format")
	}
	for _, v := range sf[11:13] { // utime, stime
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return t, fmt.Errorf("/proc/self/stat: %w", err)
		}
		t.self += n
	}
	return t, nil
}

// values turns a row's result into a benchmark line's values, as bench's
// report does under go test: the primary figure in its unit (ns/op, or
// sim-ns/op alone for a simulated row), then the row's metrics.
func values(res workloads.Result) []benchfmt.Value {
	unit := res.Unit
	if unit == "" {
		unit = rowspec.UnitNsOp
	}
	vals := []benchfmt.Value{{Value: tidyDigits(res.PerOp()), Unit: unit}}
	for _, m := range res.Metrics {
		vals = append(vals, benchfmt.Value{Value: tidyDigits(m.Value), Unit: m.Unit})
	}
	return vals
}

// tidyDigits rounds v to the decimals go test prints (testing's
// prettyPrint): none from 1000 up, then one more per decade below, so the
// two tools' files read alike and no digit below the noise is written.
func tidyDigits(v float64) float64 {
	prec := 0
	switch y := math.Abs(v); {
	case y == 0 || y >= 999.95:
		prec = 0
	case y >= 99.995:
		prec = 1
	case y >= 9.9995:
		prec = 2
	case y >= 0.99995:
		prec = 3
	case y >= 0.099995:
		prec = 4
	case y >= 0.0099995:
		prec = 5
	case y >= 0.00099995:
		prec = 6
	default:
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', prec, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// percent is a flag value such as "5%" or "5".
type percent float64

func (p *percent) String() string { return strconv.FormatFloat(float64(*p), 'g', -1, 64) + "%" }
func (p *percent) Set(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("want a percentage such as 5%%, not %q", s)
	}
	*p = percent(v)
	return nil
}
