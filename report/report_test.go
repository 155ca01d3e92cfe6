package report

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/internal/chartkit/chartkittest"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// -regen (registered by cmpimg) rewrites the *_golden.png files; -update
// rewrites report_golden.md and the other text goldens.
var update = flag.Bool("update", false, "rewrite the text golden files in testdata")

func mustLoad(t *testing.T, paths ...string) *Data {
	t.Helper()
	d, err := Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// mustCompare is the comparison runbench computes for old against new.
func mustCompare(t *testing.T, old, new string) *comparison.Comparison {
	t.Helper()
	files, err := resultfile.ReadAll(old, new)
	if err != nil {
		t.Fatal(err)
	}
	c, err := comparison.Compare(files[0], files[1], comparison.DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestChartsGolden draws every chart from the fixtures into t.TempDir() and
// compares each with testdata/NAME_golden.png. cmpimg.CheckPlotApprox
// insists on writing its images under ./testdata, which tests must not do,
// so this test uses cmpimg's comparison and -regen flag directly.
func TestChartsGolden(t *testing.T) {
	cur := mustLoad(t, "testdata/kvm.txt", "testdata/lab.txt")
	dir := t.TempDir()
	paths, err := Write(dir, cur, Options{Comparison: mustCompare(t, "testdata/baseline.txt", "testdata/kvm.txt")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"creation.png", "cloneflags.png", "fork-rss.png", "switch.png", "switch-ws.png", "distribution.png", "compare.png", "hosts.png", "placement.png", "report.md"}
	var got []string
	for _, p := range paths {
		got = append(got, filepath.Base(p))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("Write wrote %v, want %v", got, want)
	}
	for _, name := range want[:len(want)-1] {
		t.Run(name, func(t *testing.T) { checkImage(t, filepath.Join(dir, name)) })
	}
}

// TestSimulatedCharts checks simulated rows get their own golden charts,
// marked as such.
func TestSimulatedCharts(t *testing.T) {
	d := mustLoad(t, "testdata/sim.txt")
	dir := t.TempDir()
	paths, err := Write(dir, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	if got, want := strings.Join(names, " "), "creation.png cloneflags.png distribution.png report.md"; got != want {
		t.Fatalf("Write wrote %s, want %s", got, want)
	}
	for _, name := range []string{"creation.png", "cloneflags.png"} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			sim := filepath.Join(dir, "sim-"+name)
			if err := os.Rename(p, sim); err != nil {
				t.Fatal(err)
			}
			checkImage(t, sim)
		})
	}
}

// checkImage compares a chart drawn into t.TempDir() with its golden image.
func checkImage(t *testing.T, path string) {
	t.Helper()
	chartkittest.CheckGolden(t, path)
}

// TestReportGolden checks report.md against testdata/report_golden.md.
func TestReportGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		inputs []string
		base   string
	}{
		{"report_golden.md", []string{"testdata/kvm.txt", "testdata/lab.txt"}, "testdata/baseline.txt"},
		{"report_sim_golden.md", []string{"testdata/sim.txt"}, ""},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			opts := Options{}
			if tc.base != "" {
				opts.Comparison = mustCompare(t, tc.base, tc.inputs[0])
			}
			dir := t.TempDir()
			if _, err := Write(dir, mustLoad(t, tc.inputs...), opts); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, "report.md"))
			if err != nil {
				t.Fatal(err)
			}
			checkText(t, filepath.Join("testdata", tc.golden), got)
		})
	}
}

func checkText(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gotPath := filepath.Join(t.TempDir(), filepath.Base(golden)+".got")
	os.WriteFile(gotPath, got, 0o644)
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s differs at line %d:\n got: %q\nwant: %q\n(run with -update if the change is intended)", golden, i+1, g, w)
			return
		}
	}
}

// TestLoadErrors: empty, result-free, binary and malformed input fail with
// a sentinel and an error naming the file (and line where there is one).
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, content string
		sentinel      error
		mention       string
	}{
		{"empty.txt", "", ErrNoResults, "empty.txt: empty file"},
		{"nobench.txt", "goos: linux\ncpu: x\nPASS\nok  \tpkg\t0.1s\n", ErrNoResults, "nobench.txt: no Benchmark result lines"},
		{"junk.bin", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", ErrNoResults, "junk.bin: binary data"},
		{"badvalue.txt", "goos: linux\nBenchmarkCreate/style=fork-2 200 12x ns/op\n", ErrMalformed, "badvalue.txt:2: parsing measurement"},
		{"nounit.txt", "BenchmarkCreate/style=fork-2 200 1200\n", ErrMalformed, "nounit.txt:1: missing units"},
		{"noiters.txt", "BenchmarkCreate/style=fork-2 abc 1200 ns/op\n", ErrMalformed, "noiters.txt:1: parsing iteration count"},
		{"longline.txt", strings.Repeat("x", 100000) + "\n", ErrMalformed, "longline.txt:0: bufio.Scanner: token too long"},
		{"truncated.txt", "BenchmarkCreate/style=fork-2 200 1200 ns/op\nBenchmarkCreate/style=fork-2 200 12", ErrMalformed, "truncated.txt: truncated"},
		{"nan.txt", "BenchmarkCreate/style=fork-2 200 NaN ns/op\n", ErrMalformed, "nan.txt:1: Create/style=fork: NaN ns/op is not a finite number"},
		{"mixed.txt", "BenchmarkCreate/style=fork-8 200 588614 sim-ns/op 1 ns/op\n", ErrMalformed, "mixed.txt:1: Create/style=fork mixes simulated"},
		{"twice.txt", "BenchmarkCreate/style=fork-8 200 588614 sim-ns/op 5 p50-ns 6 sim-p50-ns\n", ErrMalformed, "twice.txt:1: Create/style=fork has both sim-p50-ns and p50-ns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(tc.name, tc.content))
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("error %q does not wrap %v", err, tc.sentinel)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not say %q", err, tc.mention)
			}
		})
	}
	if _, err := Load(filepath.Join(dir, "missing.txt")); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("missing file: got %v", err)
	}
	if _, err := Load(); !errors.Is(err, ErrNoResults) {
		t.Errorf("no files: got %v", err)
	}
	if _, err := Write(t.TempDir(), &Data{}, Options{}); !errors.Is(err, ErrNoResults) {
		t.Errorf("Write of empty data: got %v", err)
	}
}

// TestLoad checks grouping: -N stripped, samples merged across files of one
// machine, hosts told apart, simulated rows marked, skips found.
func TestLoad(t *testing.T) {
	d := mustLoad(t, "testdata/kvm.txt", "testdata/lab.txt", "testdata/sim.txt")
	if len(d.Hosts) != 3 {
		t.Fatalf("got %d hosts, want 3: %+v", len(d.Hosts), d.Hosts)
	}
	if h := d.Hosts[1]; h.ID != "host=lab-xeon" || h.Label != "lab-xeon" {
		t.Errorf("lab host: ID %q label %q", h.ID, h.Label)
	}
	if h := d.Hosts[2]; !h.Simulated || !strings.Contains(h.Label, "simulated") {
		t.Errorf("sim host not marked simulated: %+v", h)
	}
	r := d.find(d.Hosts[0], rowspec.MustParse("Create/style=thread"))
	if r == nil || r.Name != "BenchmarkCreate/style=thread" || len(r.Values["ns/op"]) != 8 || r.Simulated {
		t.Fatalf("kvm thread row: %+v", r)
	}
	if r := d.find(d.Hosts[0], rowspec.MustParse("Create/style=thread-fresh-stack")); r == nil {
		t.Error("style=thread-fresh-stack lost (the -N strip must take only a trailing -digits)")
	}
	if r := d.find(d.Hosts[1], rowspec.MustParse("Create/style=fork")); r == nil || r.Name != "BenchmarkCreate/style=fork" || !r.Known || r.Spec.Style != rowspec.StyleFork {
		t.Errorf("-64 suffix not stripped: %+v", r)
	}
	sr := d.find(d.Hosts[2], rowspec.MustParse("Create/style=fork"))
	if sr == nil || !sr.Simulated || len(sr.Values["ns/op"]) != 6 || !strings.Contains(sr.Label(), "simulated") {
		t.Errorf("sim row: %+v", sr)
	}
	s, ok := r.Primary()
	if !ok || !s.CIKnown() || s.Lo > s.Median || s.Hi < s.Median || s.N != 8 || s.P50 <= 0 || s.P99 <= s.P50 {
		t.Errorf("summary of thread: %+v", s)
	}
	wantSkips := []Skip{
		{"BenchmarkSwitch/mech=yield/mode=process/cpu=cross/ws=0", "mech=yield needs both tasks on one CPU: sched_yield only hands over to a task on the same runqueue", "testdata/kvm.txt:630"},
		{"BenchmarkSwitch/mech=futex/mode=goroutine/cpu=same/ws=0", "goroutines have no futex form; the Go scheduler parks them itself", "testdata/kvm.txt:948"},
	}
	if len(d.Skips) != len(wantSkips) {
		t.Fatalf("skips: got %+v, want %+v", d.Skips, wantSkips)
	}
	for i := range wantSkips {
		if d.Skips[i] != wantSkips[i] {
			t.Errorf("skip %d: got %+v, want %+v", i, d.Skips[i], wantSkips[i])
		}
	}
}

// TestSkips: skipped rows in either form reach Data.Skips, named as rows
// are ("Benchmark…" without -N).
func TestSkips(t *testing.T) {
	const result = "BenchmarkX 1 2 ns/op\n"
	for _, tc := range []struct {
		name, in string
		want     []Skip
	}{
		{"verbose", "BenchmarkCreate/style=pthread\n    b_test.go:4: needs cgo\n--- SKIP: BenchmarkCreate/style=pthread\n",
			[]Skip{{"BenchmarkCreate/style=pthread", "needs cgo", "f:3"}}},
		{"reason after", "--- SKIP: BenchmarkCreate/style=pthread-2\n    needs cgo\n    (CGO_ENABLED=0)\n",
			[]Skip{{"BenchmarkCreate/style=pthread", "needs cgo (CGO_ENABLED=0)", "f:1"}}},
		{"no reason", "--- SKIP: BenchmarkA/b\n", []Skip{{"BenchmarkA/b", "no reason given", "f:1"}}},
		{"fail", "--- FAIL: BenchmarkA/b\n    a_test.go:9: clone: EPERM\n", []Skip{{"BenchmarkA/b", "failed: clone: EPERM", "f:1"}}},
		{"runbench", "# skip: CreateRSS/style=fork/thp=on/rss=1GiB: needs 1.1 GiB free, 0.8 GiB available\n",
			[]Skip{{"BenchmarkCreateRSS/style=fork/thp=on/rss=1GiB", "needs 1.1 GiB free, 0.8 GiB available", "f:1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(strings.NewReader(tc.in+result), "f")
			if err != nil {
				t.Fatal(err)
			}
			got := d.Skips
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("got %+v, want %+v", got[i], tc.want[i])
				}
			}
		})
	}
}

func TestFitSlope(t *testing.T) {
	a, b, err := fitSlope([]float64{0, 0, 16, 16, 64}, []float64{9, 11, 170, 170, 650})
	if err != nil {
		t.Fatal(err)
	}
	if b < 9.9 || b > 10.1 || a < -1 || a > 11 {
		t.Errorf("fit: a=%v b=%v, want about b=10", a, b)
	}
	if _, _, err := fitSlope([]float64{1, 1}, []float64{2, 3}); !errors.Is(err, errFit) {
		t.Errorf("one x value: got %v", err)
	}
}

func TestFlagStep(t *testing.T) {
	for _, tc := range []struct{ prev, cur, want string }{
		{"", "SIGCHLD", "SIGCHLD"},
		{"SIGCHLD", "VM|SIGCHLD", "+VM"},
		{"CLONE_VM|SIGCHLD", "CLONE_VM|CLONE_FS|SIGCHLD", "+FS"},
		{"VM|FS|FILES|SIGHAND|SIGCHLD", "VM|FS|FILES|SIGHAND|THREAD", "+THREAD −SIGCHLD"},
		{"VM", "VM", "(same)"},
	} {
		if got := flagStep(tc.prev, tc.cur); got != tc.want {
			t.Errorf("flagStep(%q, %q) = %q, want %q", tc.prev, tc.cur, got, tc.want)
		}
	}
}

// TestAbsentCharts: a chart without rows is not drawn, and report.md says
// so instead.
func TestAbsentCharts(t *testing.T) {
	d, err := Parse(strings.NewReader("cpu: x\nkernel: 6.18.0\nBenchmarkSwitchOverhead/mech=pipe-2 100 2500 ns/op\n"), "overhead.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths, err := Write(dir, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || filepath.Base(paths[0]) != "report.md" {
		t.Fatalf("wrote %v, want report.md only", paths)
	}
	md, _ := os.ReadFile(paths[0])
	for _, want := range []string{
		"creation.png not drawn: no BenchmarkCreate rows",
		"switch.png not drawn: no BenchmarkSwitch rows",
		"compare.png not drawn: no baseline given",
		"hosts.png not drawn: results from one machine only",
		"Too few samples for a 95% confidence interval",
	} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// TestParseGoTestQuirks: go test output that is valid but not one result per
// line — -v name lines, a name line followed by a benchmark's log and blanks,
// config changing mid-file — loads without error.
func TestParseGoTestQuirks(t *testing.T) {
	in := "goos: linux\ncpu: x\nkernel: 6.18.0\n" +
		"BenchmarkCreate\n" +
		"BenchmarkCreate/style=fork\n" +
		"BenchmarkCreate/style=fork-2   \t\n" +
		"    create_test.go:12: touched 0 MiB\n" +
		"BenchmarkCreate/style=fork-2 \t 200\t 650000 ns/op\t 640000 p50-ns\t 900000 p99-ns\n" +
		"governor: performance\n" +
		"BenchmarkCreate/style=fork-2 \t 200\t 660000 ns/op\n" +
		"PASS\nok  \tpkg\t1.0s\n"
	d, err := Parse(strings.NewReader(in), "quirks.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Rows) != 1 || len(d.Rows[0].Values["ns/op"]) != 2 {
		t.Fatalf("rows: %+v", d.Rows)
	}
	if len(d.Hosts) != 1 || d.Hosts[0].Get("governor") != "performance" {
		t.Errorf("hosts: %+v (a config line added mid-file must not split the machine)", d.Hosts)
	}
	if got := d.Rows[0].Values["p50-ns"]; len(got) != 1 || got[0] != 640000 {
		t.Errorf("p50-ns: %v", got)
	}
}

// TestSimulatedByUnit: on a host without raw clone one run simulates the
// Linux-only rows and measures the portable ones for real; only the
// former may be marked simulated, and a row with no time per op is refused
// rather than left for the host to decide.
func TestSimulatedByUnit(t *testing.T) {
	in := "kernel: sim\nBenchmarkCreate/style=fork-2 200 344584 sim-ns/op 2 ctxsw/op\nBenchmarkCreate/style=goroutine-2 500000 430 ns/op\n"
	d, err := Parse(strings.NewReader(in), "mixed.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"BenchmarkCreate/style=fork":      true,  // sim-ns/op
		"BenchmarkCreate/style=goroutine": false, // ns/op, measured for real
	}
	if len(d.Rows) != len(want) {
		t.Fatalf("rows: %+v", d.Rows)
	}
	for _, r := range d.Rows {
		if w, ok := want[r.Name]; !ok || r.Simulated != w {
			t.Errorf("%s: Simulated = %v, want %v", r.Name, r.Simulated, w)
		}
	}
	// The prefix is dropped for storage; a count keeps its unit.
	if r := d.Rows[0]; len(r.Values[rowspec.UnitNsOp]) != 1 || len(r.Values[rowspec.UnitCtxswOp]) != 1 || len(r.Units) != 2 {
		t.Errorf("simulated row: units %q, values %v", r.Units, r.Values)
	}
	if _, err := Parse(strings.NewReader(in+"BenchmarkCreate/style=spawn-2 100 7000 p50-ns\n"), "noprimary.txt"); !errors.Is(err, ErrMalformed) {
		t.Errorf("a row without ns/op or sim-ns/op: got %v, want ErrMalformed", err)
	}
}
