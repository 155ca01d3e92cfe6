package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/comparison/comparisontest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// runCmd runs the command in e (defaultEnv if nil) and returns its output.
func runCmd(t *testing.T, e *env, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if e == nil {
		e = defaultEnv()
	}
	var out, errb bytes.Buffer
	code = e.main(&out, &errb, args)
	return out.String(), errb.String(), code
}

// golden compares got with testdata/name; -update rewrites the golden
// file. A mismatch shows the differing lines (tests never write into the
// repository otherwise).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff lists the lines that differ, position by position.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n-%s\n+%s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

func TestCompare(t *testing.T) {
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		golden string   // stdout golden, if any
		stderr []string // substrings of the one stderr line
	}{
		{"planted 20% regression", []string{"compare", "-history", "testdata/hist", "testdata/old.txt", "testdata/new.txt"}, 1, "compare-regression.golden", nil},
		// One run a side says nothing of the between-run spread: without
		// earlier runs the stated default (10%) makes 20% undetectable,
		// and the output says so.
		{"planted 20% regression, no history", []string{"compare", "testdata/old.txt", "testdata/new.txt"}, 0, "compare-nohistory.golden", nil},
		{"identical inputs", []string{"compare", "testdata/old.txt", "testdata/old.txt"}, 0, "compare-identical.golden", nil},
		{"regression under threshold", []string{"compare", "-history", "testdata/hist", "-threshold", "25%", "testdata/old.txt", "testdata/new.txt"}, 0, "", nil},
		{"regression not significant at tiny alpha", []string{"compare", "-history", "testdata/hist", "-alpha", "0.00001", "testdata/old.txt", "testdata/new.txt"}, 0, "", nil},
		{"different machines", []string{"compare", "testdata/old.txt", "testdata/othermachine.txt"}, 2, "", []string{"testdata/othermachine.txt", "different machines", "cpu", "nproc", "-force"}},
		{"different machines forced", []string{"compare", "-force", "testdata/old.txt", "testdata/othermachine.txt"}, 0, "", nil},
		{"sim against real", []string{"compare", "testdata/old.txt", "testdata/sim.txt"}, 2, "", []string{"kernel: sim", "never compared"}},
		{"sim units against real without a kernel line", []string{"compare", "testdata/gotest.txt", "testdata/sim.txt"}, 2, "", []string{"simulated", "never compared"}},
		{"sim against real forced", []string{"compare", "-force", "testdata/old.txt", "testdata/sim.txt"}, 2, "", []string{"kernel: sim"}},
		{"a host without raw clone: simulated and real rows in one file", []string{"compare", "testdata/nonlinux.txt", "testdata/nonlinux.txt"}, 0, "", nil},
		{"go test output against runbench output", []string{"compare", "-threshold", "1000", "testdata/gotest.txt", "testdata/old.txt"}, 0, "", nil},
		{"one file", []string{"compare", "testdata/old.txt"}, 2, "", []string{"two sides"}},
		{"history not a directory of runs", []string{"compare", "-history", "testdata/nonexistent", "testdata/old.txt", "testdata/new.txt"}, 2, "", []string{"-history", "testdata/nonexistent"}},
		{"bad threshold", []string{"compare", "-threshold", "x%", "testdata/old.txt", "testdata/new.txt"}, 2, "", []string{"-threshold"}},
		{"bad alpha", []string{"compare", "-alpha", "2", "testdata/old.txt", "testdata/new.txt"}, 2, "", []string{"-alpha"}},
		{"alpha NaN", []string{"compare", "-alpha", "NaN", "testdata/old.txt", "testdata/new.txt"}, 2, "", []string{"-alpha", "NaN"}},
		{"alpha 0", []string{"compare", "-alpha", "0", "testdata/old.txt", "testdata/new.txt"}, 2, "", []string{"-alpha"}},
		{"alpha 1", []string{"compare", "-alpha", "1", "testdata/old.txt", "testdata/new.txt"}, 2, "", []string{"-alpha"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := runCmd(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errs)
			}
			if tt.golden != "" {
				golden(t, tt.golden, out)
			}
			if tt.code == 2 {
				checkOneLine(t, errs, tt.stderr...)
				if out != "" {
					t.Errorf("bad input wrote to stdout:\n%s", out)
				}
			} else if errs != "" {
				t.Errorf("unexpected stderr: %s", errs)
			}
		})
	}
}

// checkOneLine asserts stderr is exactly one line holding every substring.
func checkOneLine(t *testing.T, stderr string, want ...string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr is not one line: %q", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q does not mention %q", stderr, w)
		}
	}
}

func TestCompareRegressionNamesRow(t *testing.T) {
	out, _, code := runCmd(t, nil, "compare", "-history", "testdata/hist", "testdata/old.txt", "testdata/new.txt")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	// The planted regression is on the goroutine row only.
	var regs []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "regression: ") {
			regs = append(regs, l)
		}
	}
	// It is named as -run selects it: without go test's -GOMAXPROCS.
	if len(regs) != 1 || !strings.Contains(regs[0], "regression: Create/style=goroutine/cpu=any sec/op +20.00% [") {
		t.Errorf("regression lines = %q, want one for Create/style=goroutine/cpu=any at +20%% (the files are from before cpu=)", regs)
	}
}

// TestBadFiles: every malformed result file gives one line on stderr
// naming the file, exit 2 and no output, whichever side it is on and for
// every command that reads result files.
func TestBadFiles(t *testing.T) {
	bad, err := filepath.Glob("testdata/bad/*")
	if err != nil || len(bad) == 0 {
		t.Fatalf("no bad inputs: %v", err)
	}
	bad = append(bad, filepath.Join(t.TempDir(), "missing.txt"))
	unreadable := filepath.Join(t.TempDir(), "unreadable.txt")
	if err := os.Mkdir(unreadable, 0o755); err != nil { // a directory cannot be read as a file
		t.Fatal(err)
	}
	bad = append(bad, unreadable)
	for _, f := range bad {
		for _, args := range [][]string{
			{"compare", f, "testdata/old.txt"},
			{"compare", "testdata/old.txt", f},
			{"report", "-o", filepath.Join(t.TempDir(), "r"), f},
			{"run", "-baseline", f, "-run", "nothing"},
		} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				dir := t.TempDir()
				e := testEnv(dir, nil)
				out, errs, code := runCmd(t, e, args...)
				if code != 2 {
					t.Errorf("exit %d, want 2 (stderr %q)", code, errs)
				}
				checkOneLine(t, errs, f)
				if out != "" {
					t.Errorf("stdout: %q", out)
				}
				assertEmptyDir(t, dir)
			})
		}
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("wrote %s", filepath.Join(dir, e.Name()))
	}
}

// TestCompareNonFinite: a NaN or infinite figure is bad input naming the
// file and its line, on either side, and compare returns promptly instead
// of handing benchmath samples it cannot rank.
func TestCompareNonFinite(t *testing.T) {
	old, err := os.ReadFile("testdata/old.txt")
	if err != nil {
		t.Fatal(err)
	}
	const figure = " 519.5 ns/op "
	if !strings.Contains(string(old), figure) {
		t.Fatalf("testdata/old.txt lacks %q", figure)
	}
	for _, v := range []string{"NaN", "+Inf", "-Inf"} {
		path := filepath.Join(t.TempDir(), "nonfinite.txt")
		if err := os.WriteFile(path, []byte(strings.Replace(string(old), figure, " "+v+" ns/op ", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"compare", "testdata/old.txt", path},
			{"compare", path, "testdata/old.txt"},
		} {
			t.Run(v+" "+strings.Join(args, " "), func(t *testing.T) {
				type result struct {
					out, errs string
					code      int
				}
				done := make(chan result, 1)
				go func() {
					var r result
					r.out, r.errs, r.code = runCmd(t, nil, args...)
					done <- r
				}()
				var r result
				select {
				case r = <-done:
				case <-time.After(30 * time.Second):
					t.Fatal("compare of a non-finite figure did not return within 30s")
				}
				if r.code != exitBadInput {
					t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, exitBadInput, r.out, r.errs)
				}
				checkOneLine(t, r.errs, path+":", "not a finite number")
				if r.out != "" {
					t.Errorf("bad input wrote to stdout:\n%s", r.out)
				}
			})
		}
	}
}

// TestCompareLegacyNames: a baseline stored before creation rows had cpu=
// compares with a run whose rows have it: the old unpinned rows are today's
// cpu=any rows, and a 10% slowdown planted there is flagged.
func TestCompareLegacyNames(t *testing.T) {
	dir := t.TempDir()
	var oldb, newb strings.Builder
	oldb.WriteString("goos: linux\ngoarch: amd64\n")
	newb.WriteString("goos: linux\ngoarch: amd64\n")
	for i := range 10 {
		fmt.Fprintf(&oldb, "BenchmarkCreate/style=fork-2 100 %d ns/op\n", 100000+i*10)
		fmt.Fprintf(&newb, "BenchmarkCreate/style=fork/cpu=any-2 100 %d ns/op\n", 110000+i*10)
		fmt.Fprintf(&newb, "BenchmarkCreate/style=fork/cpu=same-2 100 %d ns/op\n", 90000+i*10)
	}
	oldp, newp := filepath.Join(dir, "old.txt"), filepath.Join(dir, "new.txt")
	if err := os.WriteFile(oldp, []byte(oldb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(newp, []byte(newb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, nil, "compare", "-history", jitteredRuns(t, newp, 4, 0.01), oldp, newp)
	if code != 1 || !strings.Contains(out, "regression: Create/style=fork/cpu=any sec/op +10.") {
		t.Errorf("exit %d, stderr %q, output:\n%s\nwant the legacy fork row compared with cpu=any and flagged", code, errs, out)
	}
	if strings.Contains(out, "regression: Create/style=fork/cpu=same") {
		t.Errorf("the legacy row was compared with cpu=same:\n%s", out)
	}
}

// TestCompareMachineShift: when every row of both families moves together
// compare calls it the machine's (exit 4); when only the creation rows
// move, the same figures are regressions (exit 1).
func TestCompareMachineShift(t *testing.T) {
	dir := t.TempDir()
	rows := []string{"Create/style=fork/cpu=same", "Create/style=thread/cpu=same", "Switch/mech=pipe/mode=process/cpu=same/ws=0", "Switch/mech=pipe/mode=thread/cpu=same/ws=0"}
	write := func(name string, factor func(row string) float64) string {
		var b strings.Builder
		b.WriteString("goos: linux\ngoarch: amd64\n")
		for i := range 12 {
			for _, r := range rows {
				fmt.Fprintf(&b, "Benchmark%s-2 100 %g ns/op\n", r, (10000+float64(i*20))*factor(r))
			}
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := write("base.txt", func(string) float64 { return 1 })
	all := write("all.txt", func(string) float64 { return 1.2 })
	creation := write("creation.txt", func(r string) float64 {
		if strings.HasPrefix(r, "Create") {
			return 1.2
		}
		return 1
	})
	hist := jitteredRuns(t, base, 5, 0.01)
	if out, _, code := runCmd(t, nil, "compare", "-history", hist, base, all); code != exitMachineShift || !strings.Contains(out, "verdict: machine shift: all 4 rows") {
		t.Errorf("all rows +20%%: exit %d, want %d:\n%s", code, exitMachineShift, out)
	}
	if out, _, code := runCmd(t, nil, "compare", "-history", hist, base, creation); code != exitFail || strings.Contains(out, "machine shift") {
		t.Errorf("creation rows +20%%: exit %d, want %d:\n%s", code, exitFail, out)
	}
}

// headlineRows are issue 12's headline rows, as the default run names them.
var headlineRows = []string{
	"Create/style=fork/cpu=same", "Create/style=thread/cpu=same", "Create/style=vfork/cpu=same", "Create/style=pthread/cpu=same",
	"Switch/mech=pipe/mode=process/cpu=same/ws=0", "Switch/mech=futex/mode=process/cpu=same/ws=0",
	"Switch/mech=pipe/mode=thread/cpu=same/ws=0", "Switch/mech=futex/mode=thread/cpu=same/ws=0",
}

// jitteredRuns writes n runs of the machine of the result file src,
// drifting sd apart (comparisontest.Jittered), into a new directory and
// returns it.
func jitteredRuns(t *testing.T, src string, n int, sd float64) string {
	t.Helper()
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := comparisontest.Jittered(string(raw), n, sd)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for k, run := range runs {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("20261101T%02d0000Z.txt", k)), []byte(run), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestComparePlantedShift plants a 5% slowdown in every headline row of a
// copy of a real default run (the other rows unchanged, so it is no
// machine shift). One run a side is judged against the machine's
// between-run spread: with ten earlier runs that drift 0.5%, compare calls
// each planted row a regression and no other; with no earlier runs the
// stated default spread (10%) cannot see 5%, and compare says so instead
// of calling it. A regression is a change over the threshold, and the
// planted change is exactly 5%, so the threshold here is 4%.
func TestComparePlantedShift(t *testing.T) {
	raw, err := os.ReadFile("testdata/default-run.txt")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) > 3 && slices.Contains(headlineRows, strings.TrimSuffix(strings.TrimPrefix(f[0], "Benchmark"), "-2")) {
			for i := 2; i+1 < len(f); i += 2 {
				if f[i+1] == "ns/op" {
					v, err := strconv.ParseFloat(f[i], 64)
					if err != nil {
						t.Fatal(err)
					}
					f[i] = strconv.FormatFloat(v*1.05, 'f', 2, 64)
				}
			}
			line = strings.Join(f, "\t") + "\n"
		}
		b.WriteString(line)
	}
	planted := filepath.Join(t.TempDir(), "planted.txt")
	if err := os.WriteFile(planted, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, nil, "compare", "-threshold", "4%", "testdata/default-run.txt", planted)
	if code != exitOK || strings.Contains(out, "regression: ") || !strings.Contains(out, "stated default of 10%") {
		t.Errorf("no earlier runs: exit %d, want 0 and the default spread named; stderr %q\n%s", code, errs, out)
	}
	hist := jitteredRuns(t, "testdata/default-run.txt", 10, 0.005)
	out, errs, code = runCmd(t, nil, "compare", "-history", hist, "-threshold", "4%", "testdata/default-run.txt", planted)
	if code != exitFail {
		t.Fatalf("exit %d, want %d; stderr %q\n%s", code, exitFail, errs, out)
	}
	for _, row := range headlineRows {
		if !strings.Contains(out, "regression: "+row+" sec/op +5.00%") {
			t.Errorf("planted 5%% in %s not flagged:\n%s", row, out)
		}
	}
	// Unchanged rows stay quiet.
	if n := strings.Count(out, "regression: "); n != len(headlineRows) {
		t.Errorf("%d regressions for %d planted rows:\n%s", n, len(headlineRows), out)
	}
}
