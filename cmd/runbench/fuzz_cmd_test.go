package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCompareReport drives arbitrary file contents through the commands a
// user runs on them, not only the parser: compare of two files and report
// of one against the other. Each either does its work or refuses with exit
// 2 and one line naming an input; it never panics, hangs (the fuzzer's
// per-input deadline catches that: a NaN once sent the U-test into an
// endless loop), fails with another code, or leaves a half-written report.
func FuzzCompareReport(f *testing.F) {
	var seeds [][]byte
	for _, glob := range []string{"testdata/*.txt", "testdata/bad/*"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				seeds = append(seeds, b)
			}
		}
	}
	for _, s := range []string{
		"BenchmarkCreate/style=fork/cpu=same-2 10 5 ns/op\n",
		"BenchmarkCreate/style=fork/cpu=same-2 10 NaN ns/op\n",
		"BenchmarkCreate/style=fork/cpu=same-2 10 +Inf ns/op\n",
		"BenchmarkCreate/style=fork/cpu=same-2 10 1e308 ns/op\n",
		"BenchmarkCreate/style=fork/cpu=same-2 10 0 ns/op\n",
		"BenchmarkCreate/style=fork/cpu=same-2 10 -3 ns/op\n",
		"BenchmarkSwitch/mech=pipe/mode=thread/cpu=same/ws=0-2 10 5000 ns/op 2 ctxsw/op\n",
		"kernel: sim\nBenchmarkCreate/style=thread/cpu=same-2 10 5 sim-ns/op\n",
		"# skip: Create/style=pthread/cpu=same: needs cgo\nBenchmarkX 1 1 ns/op\n",
	} {
		seeds = append(seeds, []byte(s))
	}
	// Pairs: each seed against itself and against its neighbour, so the
	// corpus starts with comparable and incomparable pairs.
	for i, s := range seeds {
		f.Add(s, s)
		f.Add(s, seeds[(i+1)%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, old, cur []byte) {
		dir := t.TempDir()
		a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
		if err := os.WriteFile(a, old, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(b, cur, 0o644); err != nil {
			t.Fatal(err)
		}
		check := func(args []string, codes ...int) int {
			t.Helper()
			_, stderr, code := runCmd(t, nil, args...)
			ok := false
			for _, c := range codes {
				ok = ok || c == code
			}
			if !ok {
				t.Fatalf("runbench %s: exit %d, want one of %v; stderr:\n%s", strings.Join(args, " "), code, codes, stderr)
			}
			if code == exitBadInput {
				lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
				last := lines[len(lines)-1]
				if !strings.Contains(last, a) && !strings.Contains(last, b) {
					t.Fatalf("runbench %s: exit 2 with %q, which names neither input", strings.Join(args, " "), last)
				}
			}
			return code
		}
		// 0 same, 1 regression, 2 bad input, 4 the machine moved.
		check([]string{"compare", a, b}, exitOK, exitFail, exitBadInput, 4)
		out := filepath.Join(dir, "report")
		if check([]string{"report", "-o", out, "-baseline", a, b}, exitOK, exitBadInput) == exitOK {
			if _, err := os.Stat(filepath.Join(out, "report.md")); err != nil {
				t.Fatalf("report exited 0 without report.md: %v", err)
			}
		} else if _, err := os.Lstat(out); err == nil {
			t.Fatalf("report refused the input but left %s behind", out)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				t.Fatalf("hidden leftover %s after report", e.Name())
			}
		}
	})
}
