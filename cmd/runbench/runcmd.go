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

	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/simkernel"
	"github.com/clonebench/clonebench/workloads"
)

// Scheduling constants. The pilot grows n until the timed part of one call
// reaches pilotTarget (or a call takes pilotMax, for rows with costly
// setup); samples then aim at a per-sample target derived from the budget.
const (
	pilotTarget  = 20 * time.Millisecond
	pilotMax     = 300 * time.Millisecond
	minSample    = 30 * time.Millisecond // below this, auto count drops towards 6
	floorSample  = 5 * time.Millisecond
	ceilSample   = time.Second
	autoMinCount = 6 // benchstat's CI needs ≥6 samples for a 95% interval
	autoMaxCount = 10
	reportSlack  = 10 * time.Second // kept back from the budget for the report
)

// plan is one selected row and how it will be measured.
type plan struct {
	row  workloads.Row
	fn   func(int) (workloads.Result, error)
	sim  bool
	name string // benchmark name as go test prints it, without "Benchmark"
	// wall ≈ a + b·n seconds for one call of fn(n), from the pilot.
	a, b float64
	n    int
	done int   // finished samples
	err  error // set when the row failed; no more samples are taken
}

type runFlags struct {
	auto      bool
	suite     string
	filter    string
	count     int
	out       string
	baseline  string
	kernel    string
	benchtime time.Duration
	budget    time.Duration
	threshold percent
	alpha     float64
	report    bool
	profile   string
}

func (e *env) cmdRun(stdout, stderr io.Writer, args []string) error {
	var rf runFlags
	fs := newFlags("run", stderr, "[flags]")
	fs.BoolVar(&rf.auto, "auto", false, "the no-argument default: pick a sample count ≥6 that fits the budget")
	fs.StringVar(&rf.suite, "suite", "quick", "run the `suite`: quick or full")
	fs.StringVar(&rf.filter, "run", "", "run only rows whose name matches `regexp` (e.g. 'Create/style=(thread|fork)$')")
	fs.IntVar(&rf.count, "count", 10, "take `n` samples of every row")
	fs.StringVar(&rf.out, "o", "", "write results to `file` (default results/HOST/UTCTIME.txt); never overwritten")
	fs.StringVar(&rf.baseline, "baseline", "", "compare against the results in `file` after the run")
	fs.StringVar(&rf.kernel, "kernel", "real", "measure the `kernel`: real, or sim for the simulated kernel")
	fs.DurationVar(&rf.benchtime, "benchtime", 0, "aim each sample at `duration` (default: the budget divided across rows and samples)")
	fs.DurationVar(&rf.budget, "budget", 0, "spend about `duration` measuring (default 90s for quick, 10m for full)")
	rf.threshold = 5
	fs.Var(&rf.threshold, "threshold", "with -baseline: a significant slowdown over `percent` fails the run")
	fs.Float64Var(&rf.alpha, "alpha", 0.05, "with -baseline: significance level `α` of the Mann-Whitney U test")
	fs.StringVar(&rf.profile, "profile", "", "with -kernel sim: the calibration `profile` (default: the one shipped in simkernel)")
	fs.BoolVar(&rf.report, "report", true, "draw charts and report.md beside the result file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badInput("unexpected argument %q", fs.Arg(0))
	}
	countSet := false
	fs.Visit(func(f *flag.Flag) { countSet = countSet || f.Name == "count" })
	if rf.auto && !countSet {
		rf.count = 0
	}
	var suite workloads.Suite
	switch rf.suite {
	case "quick":
		suite = workloads.Quick
	case "full":
		suite = workloads.Full
	default:
		return badInput("-suite must be quick or full, not %q", rf.suite)
	}
	if rf.budget == 0 {
		rf.budget = 90 * time.Second
		if suite == workloads.Full {
			rf.budget = 10 * time.Minute
		}
	}
	if rf.budget < 0 || rf.benchtime < 0 {
		return badInput("-budget and -benchtime must not be negative")
	}
	if countSet && rf.count < 1 {
		return badInput("-count must be at least 1, not %d", rf.count)
	}
	if rf.kernel != "real" && rf.kernel != "sim" {
		return badInput("-kernel must be real or sim, not %q", rf.kernel)
	}
	if rf.alpha <= 0 || rf.alpha >= 1 {
		return badInput("-alpha must be in range (0, 1)")
	}
	re, err := regexp.Compile(rf.filter)
	if err != nil {
		return badInput("-run: %v", err)
	}
	// Check every input before spending minutes measuring.
	var base *resultSet
	if rf.baseline != "" {
		if base, err = readResults(rf.baseline); err != nil {
			return err
		}
	}
	if rf.out != "" {
		if _, err := os.Lstat(rf.out); err == nil {
			return badInput("-o %s: file exists; runbench never overwrites results", rf.out)
		}
	}

	if rf.profile != "" {
		if rf.kernel != "sim" {
			return badInput("-profile needs -kernel sim")
		}
		prof, err := simkernel.LoadProfile(rf.profile)
		if err != nil {
			return badInput("-profile: %v", err)
		}
		workloads.SetSimProfile(prof)
	}

	plans, skips := e.selectRows(suite, re, rf.kernel == "sim")
	if len(plans) == 0 && len(skips) == 0 {
		return badInput("no row of the %s suite matches -run %q", rf.suite, rf.filter)
	}
	sim := false
	for _, p := range plans {
		sim = sim || p.sim
	}
	config := runConfig(sim)
	if sim {
		prof := "default"
		if rf.profile != "" {
			prof = rf.profile
		}
		config = append(config, sysinfo.Fact{Key: "profile", Value: prof})
	}
	warnIfBusy(stderr)

	ctx, stop := e.notify(context.Background())
	defer stop()
	start := e.now()
	m := &measurer{e: e, ctx: ctx, stderr: stderr, start: start}
	samples := m.measure(plans, rf)
	if m.abandoned {
		// The row in flight will never clean up: its process children
		// would outlive us (thread-style ones end with the process).
		if n, err := killChildren(time.Now().Add(200 * time.Millisecond)); err == nil && n > 0 {
			fmt.Fprintf(stderr, "[runbench] killed and reaped %d child process(es) of the abandoned row\n", n)
		}
	}
	for _, p := range plans {
		if p.err != nil {
			skips = append(skips, skipped{p.row.Name, fmt.Sprintf("failed after %d samples: %v", p.done, p.err)})
		}
	}
	if m.interrupted {
		config = append(config, sysinfo.Fact{Key: "partial", Value: "true"})
	}
	if len(samples) == 0 {
		for _, s := range skips {
			fmt.Fprintf(stderr, "[runbench] skip %s: %s\n", s.Name, s.Reason)
		}
		if m.interrupted {
			return withCode(exitInterrupted, errors.New("interrupted before any sample finished; nothing written"))
		}
		return fmt.Errorf("no row ran (%d skipped); nothing written", len(skips))
	}

	write := func(w io.Writer) error { return writeResults(w, config, samples, skips) }
	var path string
	if rf.out != "" {
		path = rf.out
		if m.interrupted {
			path = partialName(path)
		}
		if err := writeNew(path, write); err != nil {
			return err
		}
	} else {
		host, err := sysinfo.Hostname()
		if err != nil || host == "" {
			host = "unknown-host"
		}
		base := filepath.Join(e.resultsDir, host, start.UTC().Format("20060102T150405Z"))
		if m.interrupted {
			base += "-partial"
		}
		if path, err = writeFresh(base, ".txt", write); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, path)
	if m.interrupted {
		// The report and comparison of a partial run would mislead, and
		// the process must be gone within 2 s of the signal.
		return withCode(exitInterrupted, fmt.Errorf("interrupted: %d finished samples kept in %s (partial)", len(samples), path))
	}
	var failed []string
	for _, p := range plans {
		if p.err != nil {
			failed = append(failed, p.row.Name)
		}
	}
	if rf.report {
		dir, err := e.reportBeside(path, rf.baseline)
		if err != nil {
			fmt.Fprintf(stderr, "[runbench] report: %v\n", err)
			failed = append(failed, "report")
		} else {
			fmt.Fprintln(stdout, dir)
		}
	}
	if base != nil {
		cur, err := readResults(path)
		if err != nil {
			return err
		}
		if err := compareSets(stdout, base, cur, compareOpts{threshold: float64(rf.threshold), alpha: rf.alpha}); err != nil {
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
			skips = append(skips, skipped{row.Name, "no simulated version of this row"})
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
// machine widens the confidence intervals and can fake a regression.
func warnIfBusy(stderr io.Writer) {
	l, err := sysinfo.LoadAvg()
	if err != nil {
		return
	}
	if n := float64(runtime.NumCPU()); l[0] > 0.25*n {
		fmt.Fprintf(stderr, "[runbench] warning: machine not quiet: 1-minute load average %.2f on %d CPUs; expect noisy figures\n", l[0], int(n))
	}
}

// measurer runs the rows: a pilot per row, then samples interleaved
// round-robin so drift hits every row alike.
type measurer struct {
	e           *env
	ctx         context.Context
	stderr      io.Writer
	start       time.Time
	interrupted bool
	abandoned   bool // a row's Run did not return within the grace period
}

// call runs fn(n) on its own goroutine so a signal can abandon it: rows
// clean up their own children when they return; if one does not return
// within the grace period, the caller writes what it has and the process
// exits (which ends thread-group children; see doc.go for the rest).
func (m *measurer) call(fn func(int) (workloads.Result, error), n int) (workloads.Result, time.Duration, error, bool) {
	type outcome struct {
		res  workloads.Result
		wall time.Duration
		err  error
	}
	ch := make(chan outcome, 1)
	go func() {
		t0 := time.Now()
		res, err := fn(n)
		ch <- outcome{res, time.Since(t0), err}
	}()
	select {
	case o := <-ch:
		return o.res, o.wall, o.err, false
	case <-m.ctx.Done():
	}
	m.interrupted = true
	select {
	case o := <-ch:
		// The row finished its ops within the grace period: a whole sample.
		return o.res, o.wall, o.err, false
	case <-time.After(m.e.grace):
		m.abandoned = true
		return workloads.Result{}, 0, nil, true
	}
}

func (m *measurer) stopped() bool {
	if m.ctx.Err() != nil {
		m.interrupted = true
	}
	return m.interrupted
}

func (m *measurer) measure(plans []*plan, rf runFlags) []sample {
	t0 := time.Now()
	live := 0
	for i, p := range plans {
		if m.stopped() {
			return nil
		}
		fmt.Fprintf(m.stderr, "[runbench] pilot %d/%d %s\n", i+1, len(plans), p.row.Name)
		m.pilot(p)
		if p.err == nil {
			live++
		}
	}
	if live == 0 {
		return nil
	}
	count, target := schedule(plans, rf, rf.budget-time.Since(t0)-min(reportSlack, rf.budget/10))
	var predicted time.Duration
	for _, p := range plans {
		if p.err == nil {
			p.n = opsFor(p, target)
			predicted += p.predict()
		}
	}
	predicted *= time.Duration(count)
	fmt.Fprintf(m.stderr, "[runbench] %d rows × %d samples, ~%v per sample, ~%v estimated\n",
		live, count, target.Round(time.Millisecond), predicted.Round(time.Second))

	var samples []sample
	var spent, spentPredicted time.Duration
	deadline := m.start.Add(rf.budget - min(reportSlack, rf.budget/10))
	for s := 1; s <= count; s++ {
		if s > 1 && rf.benchtime == 0 {
			m.rescale(plans, count-s+1, time.Until(deadline), float64(spent)/float64(spentPredicted))
		}
		for i, p := range plans {
			if p.err != nil {
				continue
			}
			if m.stopped() {
				return samples
			}
			left := remaining(plans, i, count-s)
			if spentPredicted > 0 {
				left = time.Duration(float64(left) * float64(spent) / float64(spentPredicted))
			}
			fmt.Fprintf(m.stderr, "[runbench] %d/%d %s  sample %d/%d  %s elapsed, ~%s left\n",
				i+1, len(plans), p.row.Name, s, count, roundSec(time.Since(m.start)), roundSec(left))
			if m.e.beforeSample != nil {
				m.e.beforeSample(p.row.Name, s)
			}
			runtime.GC() // as go test does: no garbage from one sample lands on the next
			res, wall, err, abandoned := m.call(p.fn, p.n)
			if abandoned {
				return samples
			}
			spent += wall
			spentPredicted += p.predict()
			if err == nil && res.N <= 0 {
				err = fmt.Errorf("Run(%d) reported N=%d", p.n, res.N)
			}
			if err != nil {
				p.err = err
				fmt.Fprintf(m.stderr, "[runbench] %s failed: %v\n", p.row.Name, err)
				continue
			}
			p.done++
			samples = append(samples, sample{name: p.name, iters: res.N, values: values(res)})
		}
	}
	return samples
}

// rescale shrinks n for the rounds left when the rounds so far ran slower
// than predicted (ratio = actual/predicted wall time), so the run keeps to
// its budget. Samples of one row may then differ in n: benchstat compares
// per-op figures, which do not depend on n.
func (m *measurer) rescale(plans []*plan, rounds int, left time.Duration, ratio float64) {
	if ratio <= 0 || math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return
	}
	var setup, ops float64
	for _, p := range plans {
		if p.err == nil {
			setup += p.a * ratio
			ops += p.b * float64(p.n) * ratio
		}
	}
	perRound := left.Seconds() / float64(rounds)
	if ops <= 0 || setup+ops <= perRound {
		return
	}
	f := max((perRound-setup)/ops, 0.05)
	for _, p := range plans {
		if p.err == nil && !p.sim {
			p.n = max(1, int(float64(p.n)*f))
		}
	}
	// What was spent stays; later predictions use the smaller n.
}

// remaining predicts the wall time of the steps from plans[i] in this round
// and of the rounds after it.
func remaining(plans []*plan, i, rounds int) time.Duration {
	var d, round time.Duration
	for j, p := range plans {
		if p.err != nil {
			continue
		}
		round += p.predict()
		if j >= i {
			d += p.predict()
		}
	}
	return d + time.Duration(rounds)*round
}

func roundSec(d time.Duration) string {
	return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s"
}

// pilot finds the wall-time model a + b·n of one call, growing n until the
// timed part reaches pilotTarget.
func (m *measurer) pilot(p *plan) {
	n := 1
	if p.sim {
		n = simOps
	}
	var prevN int
	var prevWall time.Duration
	for {
		res, wall, err, abandoned := m.call(p.fn, n)
		if abandoned {
			p.err = errors.New("interrupted")
			return
		}
		if err == nil && res.N <= 0 {
			err = fmt.Errorf("Run(%d) reported N=%d", n, res.N)
		}
		if err != nil {
			p.err = err
			fmt.Fprintf(m.stderr, "[runbench] %s failed: %v\n", p.row.Name, err)
			return
		}
		w := wall.Seconds()
		switch el := res.Elapsed.Seconds(); {
		case !p.sim && el > 0 && el <= w:
			// Real rows time a part of the call: the rest is setup.
			p.b, p.a = el/float64(n), w-el
		case prevN > 0 && n > prevN && wall > prevWall:
			p.b = (w - prevWall.Seconds()) / float64(n-prevN)
			p.a = math.Max(0, w-p.b*float64(n))
		default:
			p.b, p.a = w/float64(n), 0
		}
		if p.b <= 0 {
			p.b = w / float64(n)
		}
		if p.sim || p.b*float64(n) >= pilotTarget.Seconds() || wall >= pilotMax || n >= 1e8 || m.stopped() {
			return
		}
		next := int(math.Ceil(1.2 * pilotTarget.Seconds() / p.b))
		next = max(next, 2*n)
		next = min(next, 100*n)
		prevN, prevWall, n = n, wall, next
	}
}

func (p *plan) predict() time.Duration {
	return time.Duration((p.a + p.b*float64(p.n)) * 1e9)
}

// schedule picks the sample count and the per-sample target. An explicit
// -count is kept; the no-argument default takes the most samples in
// [6, 10] whose samples still last minSample within the budget.
func schedule(plans []*plan, rf runFlags, budget time.Duration) (count int, target time.Duration) {
	var rows int
	var setup float64
	for _, p := range plans {
		if p.err == nil {
			rows++
			setup += p.a
		}
	}
	per := func(c int) time.Duration {
		return time.Duration((budget.Seconds()/float64(c) - setup) / float64(rows) * 1e9)
	}
	count = rf.count
	if count == 0 {
		count = autoMinCount
		for c := autoMaxCount; c >= autoMinCount; c-- {
			if per(c) >= minSample {
				count = c
				break
			}
		}
	}
	if rf.benchtime > 0 {
		return count, rf.benchtime
	}
	return count, min(max(per(count), floorSample), ceilSample)
}

// opsFor is the n whose timed part lasts about target.
// simOps is n for a simulated row: the model runs in virtual time and is
// deterministic, so more ops (sized by wall time, as for real rows) would
// only spend the budget on identical figures.
const simOps = 200

func opsFor(p *plan, target time.Duration) int {
	if p.sim {
		return simOps
	}
	if p.b <= 0 {
		return 1
	}
	n := target.Seconds() / p.b
	return int(min(max(n, 1), 1e9))
}

// values turns a row's result into a benchmark line's values, as bench's
// report does under go test: the primary figure in its unit (ns/op, or
// sim-ns/op alone for a simulated row), then the row's metrics.
func values(res workloads.Result) []benchfmt.Value {
	unit := res.Unit
	if unit == "" {
		unit = "ns/op"
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
