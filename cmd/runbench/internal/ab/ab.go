package ab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/clonebench/clonebench/cmd/runbench/internal/runner"
	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// MinRounds is the fewest rounds a session takes: with fewer pairs the
// median ratio has no 95% distribution-free interval.
const MinRounds = 6

// Options say what a session compares and for how long. The zero value of
// each field after Compare is a default.
type Options struct {
	A, B string // the executables; in a Knob session B is A
	Knob *Knob  // nil: compare A with B
	Rows []rowspec.Spec
	// Compare is what the comparison is held to (-threshold, -alpha).
	Compare comparison.Options

	SampleTime time.Duration // aim of one sample's timed part; default 50 ms
	Budget     time.Duration // stop adding rounds after about this; default 60 s
	Rounds     int           // at most this many rounds (≥ MinRounds); 0: the budget decides
	// Target, a fraction, stops the session once every compared row's
	// interval lies within ±Target of its change (0: no target).
	Target float64
	// Pprof adds, after the rounds, one profiled pass of each row on each
	// side (its pprof=cpu twin under CLONEBENCH_PPROF=cpu), written beside
	// a.txt and b.txt, and the functions whose time per op moved most.
	Pprof bool
	// Lock names the machine's run lock (runner.DefaultLock unless a test
	// names its own); Wait waits for a holder instead of refusing.
	Lock string
	Wait bool
	// OutDir holds a.txt and b.txt; default ResultsDir/HOST/ab-UTCTIME.
	OutDir     string
	ResultsDir string // default "results"

	Seed   uint64 // orders the rounds; 0 picks one
	Now    func() time.Time
	Notify func(context.Context) (context.Context, context.CancelFunc) // default: SIGINT, SIGTERM, SIGHUP
}

// StopSignals end a session early; a knob is restored on each.
var StopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

func (o *Options) defaults() {
	if o.SampleTime == 0 {
		o.SampleTime = 50 * time.Millisecond
	}
	if o.Budget == 0 {
		o.Budget = 60 * time.Second
	}
	if o.ResultsDir == "" {
		o.ResultsDir = "results"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Seed == 0 {
		o.Seed = rand.Uint64()
	}
	if o.Notify == nil {
		o.Notify = func(ctx context.Context) (context.Context, context.CancelFunc) {
			return signal.NotifyContext(ctx, StopSignals...)
		}
	}
}

// Errors Run's errors may wrap, which the caller turns into exit codes:
// the run engine's kinds, so run and ab end alike.
var (
	// ErrBadInput: what the caller gave cannot work; nothing ran.
	ErrBadInput = runner.ErrBadInput
	// ErrInterrupted: a signal stopped the session; the samples taken are
	// kept in files marked partial.
	ErrInterrupted = runner.ErrInterrupted
)

func badInput(format string, a ...any) error {
	return runner.WithKind(ErrBadInput, fmt.Errorf(format, a...))
}

// Failure is a row that was not compared, and why.
type Failure struct {
	Row    string
	Reason string
}

// Result is a session that ran.
type Result struct {
	// Comparison is of the rows that did not fail; nil when none is left.
	Comparison *comparison.Comparison
	Files      []string // a.txt and b.txt, as written
	Failed     []Failure
	Rounds     int
	// HalfWidth is each compared row's interval half-width, the larger
	// side around its change (+Inf while unbounded); Reached the rows
	// within Options.Target, in the comparison's order.
	HalfWidth map[string]float64
	Reached   []string
	Seed      uint64
	// Profiles says, per row and side, where its profile went or why
	// there is none (Options.Pprof).
	Profiles []string
}

// row is one row's session state.
type row struct {
	spec   rowspec.Spec
	n      int // ops per sample, both sides
	a, b   []float64
	rounds []int
	failed string
}

type session struct {
	opts      Options
	stderr    io.Writer
	ctx       context.Context
	rng       *rand.Rand
	bins      [2]string
	knob      *setting
	rows      []*row
	lines     [2][]resultfile.Line
	lineRound [2][]int // each line's round
	start     time.Time
	// fatal is an error of the session's, not a row's (the knob stopped
	// taking): it stops the rounds.
	fatal error
}

// Run checks everything it is given, restores a knob a killed session
// left changed, then pilots each row and takes rounds of pairs until
// Rounds, Budget or Target says stop; it writes each side's samples as a
// result file and compares the pairs. Progress goes to stderr.
func Run(stderr io.Writer, opts Options) (res *Result, err error) {
	opts.defaults()
	if err := opts.check(); err != nil {
		return nil, err
	}
	if err := recoverJournal(stderr); err != nil {
		if opts.Knob != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "[runbench] ab: warning: %v\n", err)
	}
	s := &session{opts: opts, stderr: stderr, rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)), start: opts.Now()}
	for i, b := range []string{opts.A, opts.B} {
		if s.bins[i], err = filepath.Abs(b); err != nil {
			return nil, badInput("%s: %v", b, err)
		}
	}
	dir, err := s.outDir()
	if err != nil {
		return nil, err
	}
	// A run or another session on these CPUs would be measured with us.
	release, err := runner.Lock(opts.Lock, opts.Wait, stderr)
	if err != nil {
		return nil, err
	}
	defer release()
	// Signals are caught before the knob is first written and until it
	// is restored: a second Ctrl-C must not kill us in between.
	ctx, stop := opts.Notify(context.Background())
	defer stop()
	s.ctx = ctx
	if opts.Knob != nil {
		if s.knob, err = openSetting(*opts.Knob); err != nil {
			return nil, err
		}
		defer func() {
			if rerr := s.knob.restore(); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}()
	}
	config, err := s.config()
	if err != nil {
		return nil, err
	}
	for _, sp := range opts.Rows {
		s.rows = append(s.rows, &row{spec: sp})
	}
	res = &Result{Seed: opts.Seed}
	s.pilot()
	res.Rounds = s.rounds()
	if res.Files, err = s.write(dir, config); err != nil {
		return res, errors.Join(s.fatal, err)
	}
	for _, r := range s.rows {
		if r.failed != "" {
			res.Failed = append(res.Failed, Failure{r.spec.String(), r.failed})
		}
	}
	kept := "no sample was taken"
	if len(res.Files) > 0 {
		kept = "the samples are kept in " + strings.Join(res.Files, " and ") + ", marked partial"
	}
	if s.fatal != nil {
		return res, fmt.Errorf("%w (after %d rounds; %s)", s.fatal, res.Rounds, kept)
	}
	if ctx.Err() != nil {
		return res, runner.WithKind(ErrInterrupted, fmt.Errorf("interrupted after %d rounds; %s", res.Rounds, kept))
	}
	a, b, err := readSides(res.Files)
	if err != nil {
		return res, fmt.Errorf("no row compared: %w", err)
	}
	c, hw, err := s.compare(a, b)
	if err != nil {
		return res, fmt.Errorf("no row compared: %w", err)
	}
	res.Comparison, res.HalfWidth = c, hw
	if opts.Pprof {
		var got [2][]resultfile.RowProfile
		got, res.Profiles = s.profiles(res.Files)
		c.AddProfiles(got[0], got[1])
	}
	for _, r := range c.Primary().Rows {
		if opts.Target > 0 && hw[r.Name] <= opts.Target {
			res.Reached = append(res.Reached, r.Name)
		}
	}
	return res, nil
}

// check refuses options that cannot work, naming the flag.
func (o Options) check() error {
	for _, b := range []string{o.A, o.B} {
		fi, err := os.Stat(b)
		switch {
		case err != nil:
			return badInput("%s: %v", b, unwrapPath(err))
		case fi.IsDir():
			return badInput("%s: a directory, not an executable", b)
		case fi.Mode()&0o111 == 0 && os.PathSeparator == '/':
			return badInput("%s: not executable", b)
		}
	}
	switch {
	case len(o.Rows) == 0:
		return badInput("no row selected")
	case o.Rounds != 0 && o.Rounds < MinRounds:
		return badInput("-rounds must be at least %d (fewer pairs give no 95%% interval), not %d", MinRounds, o.Rounds)
	case o.Budget < 0, o.SampleTime < 0:
		return badInput("-budget and -sampletime must be positive")
	case !(o.Target >= 0) || math.IsInf(o.Target, 0):
		return badInput("-target must be a finite percentage ≥ 0")
	}
	if err := o.Compare.Check(); err != nil {
		return badInput("%v", err)
	}
	return nil
}

// outDir is where a.txt and b.txt go, checked before anything runs: -o DIR
// must not hold them already, and a default directory is a fresh one.
func (s *session) outDir() (string, error) {
	dir := s.opts.OutDir
	if dir == "" {
		host, err := sysinfo.Hostname()
		if err != nil || host == "" {
			host = "unknown-host"
		}
		base := filepath.Join(s.opts.ResultsDir, host, "ab-"+s.start.UTC().Format("20060102T150405Z"))
		dir = base
		for i := 2; ; i++ {
			if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
				break
			}
			dir = base + "-" + strconv.Itoa(i)
		}
	}
	for _, n := range []string{"a.txt", "b.txt"} {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			return "", badInput("-o %s: %s exists; runbench never overwrites results", dir, n)
		}
	}
	if err := resultfile.CheckDir(dir); err != nil {
		return "", badInput("-o %s: %v", dir, err)
	}
	return dir, nil
}

// config is each side's config lines: the machine's facts taken with the
// side's setting in place (a THP knob shows in thp:), the executable and
// the knob value. runbench's own go version and GOMAXPROCS say nothing of
// the executables', so they are left out.
func (s *session) config() ([2][]resultfile.Config, error) {
	var out [2][]resultfile.Config
	for i, tag := range []string{"A", "B"} {
		if err := s.setSide(i); err != nil {
			return out, err
		}
		for _, f := range sysinfo.Collect() {
			if f.Key != sysinfo.KeyGo && f.Key != sysinfo.KeyGOMAXPROCS {
				out[i] = append(out[i], resultfile.Config{Key: f.Key, Value: f.Value})
			}
		}
		out[i] = append(out[i], resultfile.Config{Key: sysinfo.KeyABSide, Value: tag}, resultfile.Config{Key: sysinfo.KeyABBinary, Value: s.bins[i]})
		if s.knob != nil {
			out[i] = append(out[i], resultfile.Config{Key: sysinfo.KeyABKnob, Value: s.knob.knob.Path + "=" + s.knob.knob.Values[i]})
		}
	}
	return out, nil
}

// timeout bounds one sample: a hung executable fails its row, not the
// session.
func (s *session) timeout() time.Duration { return time.Minute + 20*s.opts.SampleTime }

// run takes one sample of r on side i, with the side's setting in place.
// A knob that stops taking is the session's error, not the row's.
func (s *session) run(r *row, i int, benchtime string) (resultfile.Line, float64, error, bool) {
	if err := s.setSide(i); err != nil {
		return resultfile.Line{}, 0, err, true
	}
	l, ns, err := sample(s.ctx, s.bins[i], r.spec, benchtime, s.timeout())
	return l, ns, err, false
}

// setSide puts side i's setting in place, if the session has a knob.
func (s *session) setSide(i int) error {
	if s.knob == nil {
		return nil
	}
	if err := s.knob.set(s.knob.knob.Values[i]); err != nil {
		return fmt.Errorf("-knob %s: %w", s.knob.knob.Path, err)
	}
	return nil
}

// pilot sizes each row's samples on side A: go test's own ramp to a
// quarter of the sample time gives ns/op, and n makes a sample's timed
// part about SampleTime.
func (s *session) pilot() {
	bt := max(s.opts.SampleTime/4, time.Millisecond)
	for _, r := range s.rows {
		if s.ctx.Err() != nil {
			return
		}
		_, ns, err, fatal := s.run(r, 0, bt.String())
		if errors.Is(err, errStopped) {
			return
		}
		if err != nil {
			if fatal {
				s.fatal = err
				return
			}
			r.failed = "pilot on A: " + err.Error()
			fmt.Fprintf(s.stderr, "[runbench] ab pilot %s: failed: %s\n", r.spec, r.failed)
			continue
		}
		r.n = int(min(max(1, math.Round(float64(s.opts.SampleTime)/ns)), 1e9))
		fmt.Fprintf(s.stderr, "[runbench] ab pilot %s: %.1f ns/op, %d ops a sample\n", r.spec, ns, r.n)
	}
}
