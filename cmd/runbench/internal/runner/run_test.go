package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/workloads"
)

// testOptions write results under dir, use rows, and take their own lock
// and no signals: a real run elsewhere must not stall the tests. Their
// RCU softirq count never moves, so each pair's washout is its quiet
// time and no more, whatever this machine's kernel is doing.
func testOptions(dir string, rows ...workloads.Row) Options {
	return Options{
		Suite:      workloads.Quick,
		Budget:     time.Second,
		Rows:       rows,
		ResultsDir: filepath.Join(dir, "results"),
		Lock:       filepath.Join(dir, "run.lock"),
		Now:        func() time.Time { return time.Date(2026, 11, 25, 17, 4, 0, 0, time.UTC) },
		Notify:     func(ctx context.Context) (context.Context, context.CancelFunc) { return context.WithCancel(ctx) },
		Softirqs:   func() (uint64, error) { return 0, nil },
	}
}

func run(opts Options) (stdout, stderr string, res *Result, err error) {
	var o, e bytes.Buffer
	res, err = Run(&o, &e, opts)
	return o.String(), e.String(), res, err
}

// spinRow's op spins for perOp; calls counts its Run calls.
type spinRow struct {
	name  string
	perOp time.Duration
	calls atomic.Int64
}

func (s *spinRow) row() workloads.Row {
	return workloads.Row{Name: s.name, Suites: workloads.Quick, Run: func(n int) (workloads.Result, error) {
		s.calls.Add(1)
		start := time.Now()
		for time.Since(start) < time.Duration(n)*s.perOp {
		}
		return workloads.Result{N: n, Elapsed: time.Since(start)}, nil
	}}
}

// exactRow reports exactly perOp per op: it tests the plumbing, not the
// timer.
func exactRow(name string, perOp time.Duration) workloads.Row {
	return workloads.Row{Name: name, Suites: workloads.Quick, Run: func(n int) (workloads.Result, error) {
		return workloads.Result{N: n, Elapsed: time.Duration(n) * perOp}, nil
	}}
}

func readBack(t *testing.T, path string) []*benchfmt.Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := benchfmt.NewReader(f, path)
	var out []*benchfmt.Result
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			out = append(out, rec.Clone())
		case *benchfmt.SyntaxError:
			t.Errorf("%v", rec)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRunAutoCount(t *testing.T) {
	a := &spinRow{name: "Fake/op=a", perOp: 10 * time.Microsecond}
	opts := testOptions(t.TempDir(), a.row())
	opts.Budget = 2 * time.Second
	_, errs, res, err := run(opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, errs)
	}
	if n := len(readBack(t, res.Path)); n < autoMinCount || n > autoMaxCount {
		t.Errorf("%d samples, want %d..%d", n, autoMinCount, autoMaxCount)
	}
}

func TestRunNoRows(t *testing.T) {
	opts := testOptions(t.TempDir(), exactRow("Fake/op=a", time.Microsecond))
	opts.Suite = workloads.Full
	if _, _, _, err := run(opts); !errors.Is(err, ErrNoRows) {
		t.Errorf("err %v, want ErrNoRows", err)
	}
}

// TestRunInterrupted: a signal mid-run keeps the finished samples in a file
// marked partial and returns within the grace period even when the row in
// flight never returns.
func TestRunInterrupted(t *testing.T) {
	for _, stuck := range []bool{false, true} {
		t.Run(fmt.Sprintf("stuck=%v", stuck), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			release := make(chan struct{})
			defer close(release)
			var inSample3 atomic.Bool
			row := workloads.Row{Name: "Fake/op=slow", Suites: workloads.Quick, Run: func(n int) (workloads.Result, error) {
				if inSample3.Load() && stuck {
					<-release // a row that does not notice the signal
				}
				start := time.Now()
				for time.Since(start) < time.Duration(n)*time.Microsecond {
				}
				return workloads.Result{N: n, Elapsed: time.Since(start)}, nil
			}}
			dir := t.TempDir()
			opts := testOptions(dir, row)
			opts.Count, opts.Budget, opts.Out = 10, 2*time.Second, filepath.Join(dir, "r.txt")
			opts.Notify = func(context.Context) (context.Context, context.CancelFunc) { return ctx, cancel }
			opts.Grace = 200 * time.Millisecond
			opts.BeforeSample = func(_ string, sample int) {
				if sample == 3 {
					inSample3.Store(true)
					cancel() // the signal arrives as sample 3 starts
				}
			}
			start := time.Now()
			out, errs, _, err := run(opts)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v after the signal", took)
			}
			if !errors.Is(err, ErrInterrupted) {
				t.Errorf("err %v, want ErrInterrupted; stderr:\n%s", err, errs)
			}
			path := filepath.Join(dir, "r-partial.txt")
			if strings.TrimSpace(out) != path {
				t.Errorf("stdout %q, want %s", out, path)
			}
			res := readBack(t, path)
			want := 2 // samples 1 and 2; sample 3 only if it finished within the grace
			if !stuck {
				want = 3
			}
			if len(res) != want {
				t.Errorf("%d samples kept, want %d", len(res), want)
			}
			for _, r := range res {
				if r.GetConfig("partial") != "true" {
					t.Errorf("sample not marked partial")
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "r.txt")); err == nil {
				t.Errorf("partial run wrote the complete name")
			}
		})
	}
}

// TestRunOutputCheckedFirst: a result directory that cannot be made is
// refused before any pilot, naming what the user gave.
func TestRunOutputCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name            string
		resultsDir, out string
		want            string
	}{
		{"-o under a file", "", filepath.Join(file, "sub", "r.txt"), "-o " + filepath.Join(file, "sub", "r.txt") + ": directory " + filepath.Join(file, "sub") + ": "},
		{"results under a file", filepath.Join(file, "results"), "", "results directory " + filepath.Join(file, "results")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := &spinRow{name: "Fake/op=a", perOp: time.Microsecond}
			opts := testOptions(t.TempDir(), a.row())
			opts.Count, opts.Out = 1, tt.out
			if tt.resultsDir != "" {
				opts.ResultsDir = tt.resultsDir
			}
			out, errs, _, err := run(opts)
			if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want bad input naming %q", err, tt.want)
			}
			if errs != "" || a.calls.Load() != 0 || out != "" {
				t.Errorf("measured before refusing: %d calls\n%s%s", a.calls.Load(), out, errs)
			}
		})
	}
}

// TestRunRescuesSamples: when -o appears during the run, the samples go to
// a file in the temporary directory, which stderr names.
func TestRunRescuesSamples(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.txt")
	opts := testOptions(dir, exactRow("Fake/op=a", time.Microsecond))
	opts.Count, opts.Out = 2, out
	opts.BeforeSample = func(_ string, sample int) {
		if sample == 1 {
			os.WriteFile(out, []byte("someone else's\n"), 0o644)
		}
	}
	_, errs, _, err := run(opts)
	if err == nil || errors.Is(err, ErrBadInput) {
		t.Errorf("err %v, want a failure; stderr:\n%s", err, errs)
	}
	if msg := fmt.Sprint(err); !strings.Contains(msg, "writing "+out+": file already exists") || strings.Contains(msg, ".tmp") {
		t.Errorf("err does not name %s (or names the temporary file): %s", out, msg)
	}
	kept, _ := filepath.Glob(filepath.Join(tmp, "runbench-rescued-*.txt"))
	if len(kept) != 1 || !strings.Contains(errs, kept[0]) {
		t.Fatalf("rescued files %v, stderr:\n%s", kept, errs)
	}
	if res := readBack(t, kept[0]); len(res) != 2 {
		t.Errorf("rescued %d samples, want 2", len(res))
	}
	if b, _ := os.ReadFile(out); string(b) != "someone else's\n" {
		t.Errorf("-o was overwritten")
	}
}

// brokenPipe is stderr piped into a reader that has gone away.
type brokenPipe struct{ writes int }

func (b *brokenPipe) Write([]byte) (int, error) {
	b.writes++
	return 0, syscall.EPIPE
}

// TestRunSurvivesBrokenStderr: progress to a closed pipe stops after the
// first failed write; the run goes on and writes its file.
func TestRunSurvivesBrokenStderr(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(dir, exactRow("Fake/op=a", time.Microsecond))
	opts.Count, opts.Out = 3, filepath.Join(dir, "r.txt")
	stderr := &brokenPipe{}
	if _, err := Run(&bytes.Buffer{}, stderr, opts); err != nil {
		t.Fatal(err)
	}
	if stderr.writes != 1 {
		t.Errorf("%d writes to the broken stderr, want 1", stderr.writes)
	}
	if res := readBack(t, opts.Out); len(res) != 3 {
		t.Errorf("%d samples, want 3", len(res))
	}
}

// TestRunRemovesStaleCgroups: every run removes the test cgroups killed
// runs left, also one that selects no CreateCgroup row (once only such a
// row did), and says which.
func TestRunRemovesStaleCgroups(t *testing.T) {
	calls := 0
	old := removeStaleCgroups
	removeStaleCgroups = func() ([]string, error) {
		calls++
		return []string{"/sys/fs/cgroup/clonebench-99999-1"}, nil
	}
	defer func() { removeStaleCgroups = old }()
	dir := t.TempDir()
	opts := testOptions(dir, exactRow("Fake/op=a", time.Microsecond))
	opts.Count = 1
	_, errs, _, err := run(opts)
	if err != nil {
		t.Fatalf("%v: %s", err, errs)
	}
	if calls != 1 || !strings.Contains(errs, "removed 1 test cgroup(s) a killed run left: /sys/fs/cgroup/clonebench-99999-1") {
		t.Errorf("%d calls, stderr:\n%s", calls, errs)
	}
}

// histRow reports exactly perOp per op and a latency histogram, as a
// switch row does.
func histRow(name string, perOp time.Duration) workloads.Row {
	return workloads.Row{Name: name, Suites: workloads.Quick, Run: func(n int) (workloads.Result, error) {
		h := &hist.Histogram{}
		h.RecordN(uint64(perOp), uint64(n))
		return workloads.Result{N: n, Elapsed: time.Duration(n) * perOp,
			Latency: []workloads.Latency{{Kind: "roundtrip", Hist: h}}}, nil
	}}
}

// TestRunRescuesHistograms: the latency histograms are kept when their
// file cannot be written (a full disk lost them once, while the samples
// were rescued): beside the rescued samples when the result file failed,
// in a temporary directory under the sidecar's name when only it did.
func TestRunRescuesHistograms(t *testing.T) {
	for _, tc := range []struct {
		name  string
		block func(out string) string // the path made to fail
	}{
		{"result file", func(out string) string { return out }},
		{"sidecar only", func(out string) string { return hist.SidecarPath(out) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			dir := t.TempDir()
			out := filepath.Join(dir, "r.txt")
			opts := testOptions(dir, histRow("Fake/op=a", time.Microsecond))
			opts.Count, opts.Out = 2, out
			opts.BeforeSample = func(_ string, sample int) {
				if sample == 1 {
					os.WriteFile(tc.block(out), []byte("someone else's\n"), 0o644)
				}
			}
			_, errs, _, err := run(opts)
			if err == nil {
				t.Fatalf("no error; stderr:\n%s", errs)
			}
			kept, _ := filepath.Glob(filepath.Join(tmp, "runbench-rescued-*.hist"))
			if len(kept) == 0 {
				kept, _ = filepath.Glob(filepath.Join(tmp, "runbench-rescued-*", "r.hist"))
			}
			if len(kept) != 1 || !strings.Contains(errs, kept[0]) || !strings.Contains(err.Error(), kept[0]) {
				t.Fatalf("rescued histograms %v; err %v; stderr:\n%s", kept, err, errs)
			}
			f, err := os.Open(kept[0])
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			entries, err := hist.Read(f, kept[0])
			if err != nil || len(entries) != 1 || entries[0].Samples != 2 {
				t.Errorf("rescued %v (%v), want one histogram of 2 samples", entries, err)
			}
		})
	}
}

// The measuring process holds one histogram per row and kind, not one per
// sample (each a page-sized block fork would copy): later samples merge
// into the first's as they are taken. The sidecar still counts every
// sample and every value, and a row that reuses its histogram between
// calls is not added to itself.
func TestRunFoldsHistograms(t *testing.T) {
	dir := t.TempDir()
	reused := &hist.Histogram{}
	row := workloads.Row{Name: "Fake/op=reuse", Suites: workloads.Quick, Run: func(n int) (workloads.Result, error) {
		*reused = hist.Histogram{}
		reused.RecordN(uint64(time.Microsecond), uint64(n))
		return workloads.Result{N: n, Elapsed: time.Duration(n) * time.Microsecond,
			Latency: []workloads.Latency{{Kind: hist.KindRoundTrip, Hist: reused}}}, nil
	}}
	opts := testOptions(dir, row, histRow("Fake/op=fresh", 2*time.Microsecond))
	opts.Count, opts.Benchtime = 4, time.Millisecond
	_, errs, res, err := run(opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, errs)
	}
	ops := map[string]uint64{}
	for _, l := range readBack(t, res.Path) {
		ops[string(l.Name)] += uint64(l.Iters)
	}
	f, err := os.Open(hist.SidecarPath(res.Path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := hist.Read(f, "sidecar")
	if err != nil || len(entries) != 2 {
		t.Fatalf("sidecar %v (%v), want two histograms", entries, err)
	}
	for _, e := range entries {
		name := strings.TrimPrefix(e.Name, "Benchmark")
		if e.Samples != 4 || e.Hist.Count() != ops[name] {
			t.Errorf("%s: %d samples, %d values; want 4 samples and the %d ops the result file has", e.Name, e.Samples, e.Hist.Count(), ops[name])
		}
	}
}
