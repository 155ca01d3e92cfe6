package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/simkernel"
	"github.com/clonebench/clonebench/workloads"
)

// Options say what a run measures and where it writes. The zero value of
// each field after Wait is a default.
type Options struct {
	Suite workloads.Suite
	Run   *regexp.Regexp // rows whose name matches; nil matches all
	Sim   bool           // run on the simulated kernel
	// Profile names the simulated kernel's profile in the config lines
	// ("" is the default one); loading it is the caller's part.
	Profile string
	Probe   bool // also run each row's probe=sched twin
	Pprof   bool // also run each row's pprof=cpu twin, its profile a sidecar
	// Worker starts a worker process (WorkerCommand, served by Worker)
	// with the given arguments: each profiled twin's sample runs in one,
	// so nothing the sampling starts or maps lives in the process the
	// plain fork rows fork (worker.go). nil runs the twins in this
	// process (tests of synthetic rows).
	Worker    func(args ...string) *exec.Cmd
	Count     int           // samples of every row; 0 picks 6..30 to fit Budget
	Benchtime time.Duration // aim of one sample; 0 divides Budget
	Budget    time.Duration // the measuring time, report included; default 90 s, 10 min for Full
	Out       string        // the result file; "" a fresh name under ResultsDir/HOST
	// Target, if above 0, makes the run adaptive: rounds are added until
	// every stated ratio's 95% interval (from its pairs) is within ±Target
	// of its median (0.02 is ±2%), or the budget runs out; Count then only
	// sizes the samples.
	Target float64
	Wait   bool // wait for the machine's run lock instead of refusing

	Rows       []workloads.Row // default workloads.Catalogue()
	Now        func() time.Time
	ResultsDir string // default "results"
	// Lock names the machine's run lock (DefaultLock, whose doc says what it
	// is on this system); tests name their own.
	Lock string
	// Notify returns a context cancelled when the run should stop; the
	// default is on SIGINT, SIGTERM and SIGHUP.
	Notify func(context.Context) (context.Context, context.CancelFunc)
	Grace  time.Duration // how long a stopped run waits for the row in flight; default 1.2 s
	// BeforeSample, if set, is called before each sample is taken (tests
	// use it to deliver a signal at a known point).
	BeforeSample func(name string, sample int)
	// Softirqs reads the count that the washout before a pair's later
	// sample watches; the default is the kernel's RCU softirqs. Tests give
	// their own, so their pairs do not wait on this machine's kernel.
	Softirqs func() (uint64, error)
}

// StopSignals end a run with a partial file. SIGHUP is among them: a
// closed terminal or ssh session should keep the finished samples, as
// Ctrl-C does.
var StopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

func (o *Options) defaults() {
	if o.Budget == 0 {
		o.Budget = 90 * time.Second
		if o.Suite == workloads.Full {
			o.Budget = 10 * time.Minute
		}
	}
	if o.Rows == nil {
		o.Rows = workloads.Catalogue()
	}
	if o.Run == nil {
		o.Run = regexp.MustCompile("")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ResultsDir == "" {
		o.ResultsDir = "results"
	}
	if o.Notify == nil {
		o.Notify = func(ctx context.Context) (context.Context, context.CancelFunc) {
			return signal.NotifyContext(ctx, StopSignals...)
		}
	}
	if o.Grace == 0 {
		o.Grace = 1200 * time.Millisecond
	}
	if o.Softirqs == nil {
		o.Softirqs = rcuSoftirqs
	}
}

// Errors Run's errors may wrap, which the caller turns into exit codes.
var (
	// ErrBadInput: what the caller gave cannot work (an output directory
	// that cannot be written, another run holding the lock); nothing ran.
	ErrBadInput = errors.New("bad input")
	// ErrNoRows: no row of the suite matches Options.Run.
	ErrNoRows = errors.New("no row matches")
	// ErrInterrupted: a signal stopped the run; what finished is kept in
	// a file marked partial, if anything finished.
	ErrInterrupted = errors.New("interrupted")
)

// kindError is err, also matching kind in errors.Is, without changing the
// message.
type kindError struct{ kind, err error }

func (e kindError) Error() string   { return e.err.Error() }
func (e kindError) Unwrap() []error { return []error{e.kind, e.err} }

func badInput(format string, a ...any) error {
	return kindError{ErrBadInput, fmt.Errorf(format, a...)}
}

// WithKind is err, also matching kind (ErrBadInput, ErrInterrupted) in
// errors.Is: the error kinds every engine of runbench's commands returns,
// so each command maps them to exit codes alike.
func WithKind(kind, err error) error { return kindError{kind, err} }

// Result is a run that wrote its file.
type Result struct {
	Path   string   // the result file
	Failed []string // rows that failed part-way, by name
}

// Run checks everything it is given before measuring, so a mistake costs
// nothing; then it measures the selected rows and writes the result file,
// whose path it prints on stdout, and its sidecar. Progress goes to
// stderr. Interrupted, it writes what finished to a -partial file and
// returns that Result with an error wrapping ErrInterrupted.
func Run(stdout, stderr io.Writer, opts Options) (*Result, error) {
	opts.defaults()
	stderr = &progressWriter{w: stderr}
	if err := opts.Check(); err != nil {
		return nil, err
	}
	plans, skips, config, err := selectRun(opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, p := range plans {
			p.closeSpool()
		}
	}()
	if opts.Probe {
		fmt.Fprintf(stderr, "[runbench] probe: per-function attribution (fentry on dup_mmap): %s\n", fentryAnswer())
	}
	if err := checkOutput(opts); err != nil {
		return nil, err
	}
	release, err := Lock(opts.Lock, opts.Wait, stderr)
	if err != nil {
		return nil, err
	}
	defer release()
	removeLeftovers(stderr)
	warnIfBusy(stderr)
	distortions := watchDistortions(stderr, config, opts.Sim)
	start := opts.Now()
	lines, rounds, interrupted := measureRun(stderr, plans, opts, start)
	config = append(config, distortions()...)
	res := &Result{}
	for _, p := range plans {
		if p.err != nil {
			skips = append(skips, resultfile.Skip{Name: p.row.Name, Reason: fmt.Sprintf("failed after %d samples: %v", p.done, p.err)})
			res.Failed = append(res.Failed, p.row.Name)
		}
	}
	if interrupted {
		config = append(config, resultfile.Config{Key: sysinfo.KeyPartial, Value: "true"})
	}
	if len(lines) == 0 {
		for _, s := range skips {
			fmt.Fprintf(stderr, "[runbench] skip %s: %s\n", s.Name, s.Reason)
		}
		if interrupted {
			return nil, kindError{ErrInterrupted, errors.New("interrupted before any sample finished; nothing written")}
		}
		return nil, fmt.Errorf("no row ran (%d skipped); nothing written", len(skips))
	}
	write := func(w io.Writer) error { return resultfile.Write(w, config, lines, skips) }
	if res.Path, err = writeRun(opts, start, interrupted, write); err != nil {
		return nil, rescue(stdout, stderr, err, write, lines)
	}
	fmt.Fprintln(stdout, res.Path)
	if err := resultfile.WriteSidecar(res.Path, lines); err != nil {
		return nil, rescueSidecar(stderr, res.Path, err, lines)
	}
	if err := resultfile.WriteRounds(res.Path, rounds); err != nil {
		return nil, fmt.Errorf("%s written, but its rounds sidecar: %w", res.Path, err)
	}
	if err := writeProfiles(stdout, res.Path, plans); err != nil {
		return nil, fmt.Errorf("%s written, but a profile sidecar: %w", res.Path, err)
	}
	if interrupted {
		// The report and comparison of a partial run would mislead, and
		// the process must be gone within 2 s of the signal.
		return res, kindError{ErrInterrupted, fmt.Errorf("interrupted: %d finished samples kept in %s (partial)", len(lines), res.Path)}
	}
	return res, nil
}

// Check is Run's first step, for a caller that wants its refusals before
// output of its own: it refuses an Out that exists and loads the simulated
// kernel's Profile.
func (o Options) Check() error {
	if o.Out != "" {
		if _, err := os.Lstat(o.Out); err == nil {
			return badInput("-o %s: file exists; runbench never overwrites results", o.Out)
		}
	}
	if o.Profile != "" {
		prof, err := simkernel.LoadProfile(o.Profile)
		if err != nil {
			return badInput("-profile: %w", err)
		}
		workloads.SetSimProfile(prof)
	}
	return nil
}

// selectRun picks the rows to measure and the config lines of their file.
func selectRun(opts Options) ([]*plan, []resultfile.Skip, []resultfile.Config, error) {
	plans, skips := selectRows(opts.Rows, opts.Suite, opts.Run, opts.Sim)
	if opts.Probe {
		plans, skips = withProbed(plans, skips)
	}
	if opts.Pprof {
		plans, skips = withProfiled(plans, skips)
	}
	if opts.Worker != nil {
		inWorkers(plans, opts.Worker)
	}
	if len(plans) == 0 && len(skips) == 0 {
		return nil, nil, nil, ErrNoRows
	}
	sim := false
	for _, p := range plans {
		sim = sim || p.sim
	}
	var config []resultfile.Config
	for _, f := range Config(sim) {
		config = append(config, resultfile.Config{Key: f.Key, Value: f.Value})
	}
	if !sim {
		// Whether the switch rows carry p50-ns … p99.9-ns and a sidecar,
		// and if not, why (CLONEBENCH_RECORD=off, no invariant TSC).
		v := "on"
		if on, why := workloads.LatencyRecording(); !on {
			v = "off: " + why
		}
		config = append(config, resultfile.Config{Key: sysinfo.KeyLatencyRecording, Value: strings.Join(strings.Fields(v), " ")})
	}
	if sim {
		prof := "default"
		if opts.Profile != "" {
			prof = opts.Profile
		}
		config = append(config, resultfile.Config{Key: sysinfo.KeyProfile, Value: prof})
	}
	return plans, skips, config, nil
}

// removeStaleCgroups is workloads.RemoveStaleCgroups; tests see it called.
var removeStaleCgroups = workloads.RemoveStaleCgroups

// removeLeftovers removes what runs killed before they could clean up
// left behind and the suite can tell for its own: the test cgroups of
// dead pids. It runs as every run starts, holding the lock (so no other
// run is making them), whatever rows are selected.
func removeLeftovers(stderr io.Writer) {
	removed, err := removeStaleCgroups()
	if len(removed) > 0 {
		fmt.Fprintf(stderr, "[runbench] removed %d test cgroup(s) a killed run left: %s\n", len(removed), strings.Join(removed, " "))
	}
	if err != nil {
		fmt.Fprintf(stderr, "[runbench] warning: %v\n", err)
	}
}

// measureRun takes the samples until done or interrupted.
func measureRun(stderr io.Writer, plans []*plan, opts Options, start time.Time) (lines []resultfile.Line, rounds *resultfile.Rounds, interrupted bool) {
	ctx, stop := opts.Notify(context.Background())
	defer stop()
	m := &measurer{opts: opts, ctx: ctx, stderr: stderr, start: start}
	lines = m.measure(plans)
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
	return lines, m.rounds, m.interrupted
}

// resultDir is the directory the result file will go in.
func resultDir(opts Options) string {
	if opts.Out != "" {
		return filepath.Dir(opts.Out)
	}
	return filepath.Join(opts.ResultsDir, resultHost())
}

func resultHost() string {
	host, err := sysinfo.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return host
}

// checkOutput refuses, before minutes are spent measuring, a result
// directory that cannot be written.
func checkOutput(opts Options) error {
	dir := resultDir(opts)
	what := "results directory " + dir
	if opts.Out != "" {
		what = "-o " + opts.Out + ": directory " + dir
	}
	if err := resultfile.CheckDir(dir); err != nil {
		return badInput("%s: %w", what, err)
	}
	return nil
}

// rescue keeps the samples when the result file cannot be written after
// all (the disk filled, -o appeared during the run): minutes of measuring
// are worth a file in the temporary directory, or at worst stdout.
func rescue(stdout, stderr io.Writer, werr error, write func(io.Writer) error, lines []resultfile.Line) error {
	f, err := os.CreateTemp("", "runbench-rescued-*.txt")
	if err == nil {
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			kept := f.Name()
			// The histograms go beside it, under the name report and
			// compare look for (runbench-rescued-N.hist).
			if herr := resultfile.WriteSidecar(f.Name(), lines); herr != nil {
				fmt.Fprintf(stderr, "[runbench] the latency histograms are lost: %v\n", herr)
			} else if sp := hist.SidecarPath(f.Name()); fileExists(sp) {
				kept += " (histograms in " + sp + ")"
			}
			fmt.Fprintf(stderr, "[runbench] the samples are kept in %s\n", kept)
			return fmt.Errorf("%w; the samples are kept in %s", werr, kept)
		}
		os.Remove(f.Name())
	}
	fmt.Fprintf(stderr, "[runbench] could not keep the samples in %s either (%v); they follow on stdout\n", os.TempDir(), err)
	if err := write(stdout); err != nil {
		return fmt.Errorf("%w; writing the samples to stdout: %w", werr, err)
	}
	return fmt.Errorf("%w; the samples were written to stdout", werr)
}

// rescueSidecar keeps the histograms of a result file written at path
// whose sidecar could not be: in a fresh temporary directory, under the
// sidecar's own name, so moving it beside path is all it takes.
func rescueSidecar(stderr io.Writer, path string, werr error, lines []resultfile.Line) error {
	werr = fmt.Errorf("%s written, but its histogram sidecar: %w", path, werr)
	dir, err := os.MkdirTemp("", "runbench-rescued-*")
	if err == nil {
		if err = resultfile.WriteSidecar(filepath.Join(dir, filepath.Base(path)), lines); err == nil {
			kept := hist.SidecarPath(filepath.Join(dir, filepath.Base(path)))
			fmt.Fprintf(stderr, "[runbench] the latency histograms are kept in %s; move it beside %s\n", kept, path)
			return fmt.Errorf("%w; the histograms are kept in %s", werr, kept)
		}
		os.RemoveAll(dir)
	}
	return fmt.Errorf("%w; keeping them in %s failed too: %w", werr, os.TempDir(), err)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// writeRun writes the result file to Out, or to a fresh name under
// ResultsDir/HOST/ (resultfile.WriteRun), marked partial when interrupted,
// and returns its path.
func writeRun(opts Options, start time.Time, interrupted bool, write func(io.Writer) error) (string, error) {
	if opts.Out != "" {
		path := opts.Out
		if interrupted {
			path = resultfile.PartialPath(path)
		}
		return path, resultfile.WriteNew(path, write)
	}
	return resultfile.WriteRun(filepath.Join(opts.ResultsDir, resultHost()), start, interrupted, write)
}

// selectRows picks the suite's rows that match re, and says why the others
// in the selection cannot run. With sim, rows run on the simulated kernel;
// on hosts without raw clone, Linux-only rows with a simulated version run
// simulated and the portable rows run for real.
func selectRows(rows []workloads.Row, suite workloads.Suite, re *regexp.Regexp, sim bool) ([]*plan, []resultfile.Skip) {
	var plans []*plan
	var skips []resultfile.Skip
	procs := runtime.GOMAXPROCS(0)
	for _, row := range rows {
		if row.Suites&suite == 0 || !re.MatchString(row.Name) {
			continue
		}
		p := &plan{row: row, name: BenchName(row.Name, procs)}
		switch {
		case sim && row.Sim == nil:
			why := "no simulated version of this row"
			if row.NoSim != "" {
				why = row.NoSim
			}
			skips = append(skips, resultfile.Skip{Name: row.Name, Reason: why})
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
				skips = append(skips, resultfile.Skip{Name: row.Name, Reason: reason})
				continue
			}
			p.fn = row.Run
		}
		if p.fn == nil {
			skips = append(skips, resultfile.Skip{Name: row.Name, Reason: "row has no Run function"})
			continue
		}
		plans = append(plans, p)
	}
	return plans, skips
}

// BenchName is the name go test prints for a row: with -GOMAXPROCS when
// that is not 1.
func BenchName(name string, procs int) string {
	if procs == 1 {
		return name
	}
	return name + "-" + strconv.Itoa(procs)
}

// progressWriter is stderr for progress lines: once a write fails with
// EPIPE, later ones are dropped, so a closed pipe never stops a run.
type progressWriter struct {
	w      io.Writer
	broken bool
}

func (p *progressWriter) Write(b []byte) (int, error) {
	if p.broken {
		return len(b), nil
	}
	n, err := p.w.Write(b)
	if err != nil && errors.Is(err, syscall.EPIPE) {
		p.broken = true
		return len(b), nil
	}
	return n, err
}
