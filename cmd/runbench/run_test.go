package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clonebench/clonebench/cmd/runbench/internal/runner"
	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/resultfile"

	"golang.org/x/perf/benchfmt"

	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/workloads"
)

// testEnv writes results under dir, uses rows (the catalogue if nil), and
// records report calls instead of drawing.
func testEnv(dir string, rows []workloads.Row) *env {
	e := defaultEnv()
	e.run.ResultsDir = filepath.Join(dir, "results")
	// Not the machine's lock: a real run elsewhere must not stall the tests.
	e.run.Lock = filepath.Join(dir, "run.lock")
	e.ab.Lock = e.run.Lock
	e.run.Rows = rows
	e.run.Now = func() time.Time { return time.Date(2026, 11, 25, 17, 4, 0, 0, time.UTC) }
	e.run.Notify = func(ctx context.Context) (context.Context, context.CancelFunc) { return context.WithCancel(ctx) }
	// A count that never moves: each pair's washout is its quiet time,
	// whatever this machine's kernel is doing.
	e.run.Softirqs = func() (uint64, error) { return 0, nil }
	e.writeReport = func(dir string, files []*resultfile.File, cmp *comparison.Comparison) ([]string, error) {
		var paths []string
		for _, f := range files {
			paths = append(paths, f.Path)
		}
		p := filepath.Join(dir, "report.md")
		return []string{p}, os.WriteFile(p, []byte("report of "+strings.Join(paths, " ")+"\n"), 0o644)
	}
	return e
}

// spinRow is a fake row whose op spins for perOp, with a metric, so the
// runner's scheduling can be tested without the kernel. calls counts Run
// calls; order records them across rows.
type spinRow struct {
	name  string
	perOp time.Duration
	calls atomic.Int64
}

var order struct {
	sync.Mutex
	names []string
}

func (s *spinRow) row(suites workloads.Suite) workloads.Row {
	return workloads.Row{
		Name:   s.name,
		Suites: suites,
		Run: func(n int) (workloads.Result, error) {
			s.calls.Add(1)
			order.Lock()
			order.names = append(order.names, s.name)
			order.Unlock()
			start := time.Now()
			for time.Since(start) < time.Duration(n)*s.perOp {
			}
			el := time.Since(start)
			return workloads.Result{N: n, Elapsed: el, Metrics: []workloads.Metric{{Value: 1.5, Unit: "ctxsw/op"}}}, nil
		},
	}
}

func readBack(t *testing.T, path string) ([]*benchfmt.Result, string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(strings.NewReader(string(raw)), path)
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
	return out, string(raw)
}

func TestRunFakeRows(t *testing.T) {
	a := &spinRow{name: "Fake/op=a", perOp: 20 * time.Microsecond}
	b := &spinRow{name: "Fake/op=b", perOp: 50 * time.Microsecond}
	full := &spinRow{name: "Fake/op=full", perOp: time.Microsecond}
	skip := workloads.Row{Name: "Fake/op=skip", Suites: workloads.Quick, Run: a.row(0).Run,
		SkipReason: func() string { return "needs a unicorn" }}
	rows := []workloads.Row{a.row(workloads.Quick | workloads.Full), skip, b.row(workloads.Quick), full.row(workloads.Full)}
	dir := t.TempDir()
	e := testEnv(dir, rows)
	order.Lock()
	order.names = nil
	order.Unlock()
	out, errs, code := runCmd(t, e, "run", "-count", "6", "-budget", "3s")
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, errs)
	}
	host, _ := sysinfo.Hostname()
	wantPath := filepath.Join(dir, "results", host, "20261125T170400Z.txt")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[0] != wantPath || lines[1] != strings.TrimSuffix(wantPath, ".txt") {
		t.Fatalf("stdout = %q, want the result path %s and its report dir", out, wantPath)
	}
	if _, err := os.Stat(filepath.Join(lines[1], "report.md")); err != nil {
		t.Errorf("report not written: %v", err)
	}
	res, raw := readBack(t, wantPath)
	procs := runtime.GOMAXPROCS(0)
	count := map[string]int{}
	for _, r := range res {
		count[string(r.Name)]++
		if v, ok := r.Value("sec/op"); !ok || v <= 0 {
			t.Errorf("%s: no positive ns/op: %v", r.Name, r.Values)
		}
		if v, ok := r.Value("ctxsw/op"); !ok || v != 1.5 {
			t.Errorf("%s: ctxsw/op = %v, %v; want the row's metric 1.5", r.Name, v, ok)
		}
		for _, k := range []string{"goos", "goarch", "pkg", "cpu", "kernel", "nproc", "virtualization",
			"governor", "thp", "mitigations", "loadavg", "gomaxprocs", "go", "commit", "host"} {
			if r.GetConfig(k) == "" {
				t.Errorf("%s: no config %q", r.Name, k)
			}
		}
		if r.GetConfig("partial") != "" {
			t.Errorf("complete run marked partial")
		}
	}
	for _, n := range []string{runner.BenchName("Fake/op=a", procs), runner.BenchName("Fake/op=b", procs)} {
		if count[n] != 6 {
			t.Errorf("%s: %d samples, want 6 (have %v)", n, count[n], count)
		}
	}
	if len(count) != 2 {
		t.Errorf("rows in file: %v; want only the quick, runnable ones", count)
	}
	if !strings.Contains(raw, "# skip: Fake/op=skip: needs a unicorn\n") {
		t.Errorf("skip line missing:\n%s", raw)
	}
	if full.calls.Load() != 0 {
		t.Errorf("full-suite row ran in the quick suite")
	}
	// Interleaved: after the pilots, the file alternates a, b, a, b …
	for i, r := range res {
		want := []string{"Fake/op=a", "Fake/op=b"}[i%2]
		if string(r.Name) != runner.BenchName(want, procs) {
			t.Fatalf("sample %d is %s, want %s: rows not interleaved", i, r.Name, want)
		}
	}
	if !regexp.MustCompile(`\[runbench\] 2/2 Fake/op=b  sample 6/6  \d+s elapsed, ~\d+s left`).MatchString(errs) {
		t.Errorf("no progress line on stderr:\n%s", errs)
	}

	// A second run at the same time never replaces the first.
	before, _ := os.ReadFile(wantPath)
	out2, errs2, code := runCmd(t, e, "run", "-count", "6", "-budget", "2s", "-run", "op=a$")
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errs2)
	}
	if got := strings.Split(out2, "\n")[0]; got != strings.TrimSuffix(wantPath, ".txt")+"-2.txt" {
		t.Errorf("second run wrote %s", got)
	}
	if after, _ := os.ReadFile(wantPath); string(after) != string(before) {
		t.Errorf("second run changed the first file")
	}
}

func TestRunBadInput(t *testing.T) {
	a := &spinRow{name: "Fake/op=a", perOp: time.Microsecond}
	existing := filepath.Join(t.TempDir(), "exists.txt")
	if err := os.WriteFile(existing, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, `"bogus"`},
		{[]string{"run", "-nosuchflag"}, "-nosuchflag"},
		{[]string{"run", "-suite", "huge"}, "-suite"},
		{[]string{"run", "-count", "0"}, "-count"},
		{[]string{"run", "-kernel", "bsd"}, "-kernel"},
		{[]string{"run", "-target", "100%"}, "-target"},
		{[]string{"run", "-target", "-2%"}, "-target"},
		{[]string{"run", "-alpha", "NaN"}, "-alpha"},
		{[]string{"run", "-alpha", "1"}, "-alpha"},
		{[]string{"run", "-profile", "p.json"}, "-kernel sim"},
		{[]string{"run", "-run", "("}, "-run"},
		{[]string{"run", "-run", "nothing-matches"}, "nothing-matches"},
		{[]string{"run", "extra"}, `"extra"`},
		{[]string{"run", "-o", existing}, existing},
		{[]string{"compare", "-x", "a", "b"}, "-x"},
		{[]string{"info", "-kernel", "bsd"}, "-kernel"},
		{[]string{"report"}, "result file"},
		{[]string{runner.WorkerCommand, "-row", "Fake/op=a", "-n", "1"}, "Fake/op=a"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			e := testEnv(dir, []workloads.Row{a.row(workloads.Quick)})
			out, errs, code := runCmd(t, e, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			checkOneLine(t, errs, tt.want)
			if out != "" {
				t.Errorf("stdout %q", out)
			}
			assertEmptyDir(t, dir)
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me\n" {
		t.Errorf("-o overwrote an existing file")
	}
}

// exactRow reports exactly perOp per op, so two runs compare as equal or,
// scaled, as a clean regression; it tests the plumbing, not the timer.
func exactRow(name string, perOp time.Duration) workloads.Row {
	return workloads.Row{Name: name, Suites: workloads.Quick, Run: func(n int) (workloads.Result, error) {
		return workloads.Result{N: n, Elapsed: time.Duration(n) * perOp}, nil
	}}
}

// keepRuns makes n runs into e's results directory, as runbench keeps
// them: the earlier runs of the machine whose spread a one-run
// comparison is tested against.
func keepRuns(t *testing.T, e *env, n int) {
	t.Helper()
	for range n {
		if _, errs, code := runCmd(t, e, "run", "-count", "6", "-budget", "1s", "-report=false"); code != 0 {
			t.Fatalf("earlier run: exit %d: %s", code, errs)
		}
	}
}

func TestRunBaseline(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.txt")
	e := testEnv(dir, []workloads.Row{exactRow("Fake/op=a", time.Microsecond), exactRow("Fake/op=b", 2*time.Microsecond)})
	if _, errs, code := runCmd(t, e, "run", "-count", "6", "-budget", "1s", "-report=false", "-o", base); code != 0 {
		t.Fatalf("baseline run: exit %d: %s", code, errs)
	}
	keepRuns(t, e, 3)
	for _, tt := range []struct {
		name  string
		scale time.Duration // per-op time of op=b, in ns
		code  int
		want  string
	}{
		{"same", 2000, 0, "verdict: no significant regression over 5%"},
		{"30% slower", 2600, 1, "regression: Fake/op=b sec/op +30.00%"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.run.Rows = []workloads.Row{exactRow("Fake/op=a", time.Microsecond), exactRow("Fake/op=b", tt.scale)}
			out, errs, code := runCmd(t, e, "run", "-count", "6", "-budget", "1s", "-baseline", base)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errs)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("stdout lacks %q:\n%s", tt.want, out)
			}
			// The report gets the baseline too.
			lines := strings.Split(out, "\n")
			if len(lines) < 2 || !strings.HasSuffix(lines[1], strings.TrimSuffix(filepath.Base(lines[0]), ".txt")) {
				t.Errorf("no report path after the result path: %q", lines)
			}
		})
	}
}
