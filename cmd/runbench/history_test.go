package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/resultfile"
)

// writeSeries writes runs result files of three headline rows into dir,
// a day apart, with 1% noise between runs; Create/style=fork/cpu=same
// steps up by stepFrac from run stepAt (0-based) if stepFrac ≠ 0. commits
// gives each run's commit line, if set.
func writeSeries(t *testing.T, dir string, runs, stepAt int, stepFrac float64, commits []string) []string {
	t.Helper()
	rng := rand.New(rand.NewPCG(16, 2026))
	t0 := time.Date(2026, 11, 1, 3, 17, 0, 0, time.UTC)
	var paths []string
	for run := 0; run < runs; run++ {
		var b strings.Builder
		fmt.Fprintf(&b, "goos: linux\ngoarch: amd64\ncpu: test\nkernel: 6.18.0\nnproc: 2\nhost: lab1\n")
		if commits != nil {
			fmt.Fprintf(&b, "commit: %s\n", commits[run])
		}
		b.WriteString("\n")
		for i, name := range []string{"Create/style=fork/cpu=same", "Create/style=thread/cpu=same", "Switch/mech=pipe/mode=thread/cpu=same/ws=0"} {
			v := float64(1000*(i+1)) * (1 + 0.01*rng.NormFloat64())
			if i == 0 && stepFrac != 0 && run >= stepAt {
				v *= 1 + stepFrac
			}
			for s := 0; s < 8; s++ {
				fmt.Fprintf(&b, "Benchmark%s-2 100 %.1f ns/op\n", name, v*(1+0.002*rng.NormFloat64()))
			}
		}
		p := filepath.Join(dir, resultfile.NewRunName(t0.Add(time.Duration(run)*24*time.Hour), false).String())
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func TestHistoryCommand(t *testing.T) {
	flat, stepped := t.TempDir(), t.TempDir()
	writeSeries(t, flat, 12, 0, 0, nil)
	writeSeries(t, stepped, 12, 8, 0.06, nil)
	improved := t.TempDir()
	writeSeries(t, improved, 12, 8, -0.06, nil)
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout, or stderr when code is 2
	}{
		{"flat", []string{"history", flat}, 0, "verdict: no headline row's newest segment is a significant regression over 2%"},
		{"step", []string{"history", stepped}, 1, "verdict: REGRESSION Create/style=fork/cpu=same +6."},
		{"step at its run", []string{"history", stepped}, 1, "regression at run 9 of 12: " + filepath.Join(stepped, "20261109T031700Z.txt")},
		{"step under threshold", []string{"history", "-threshold", "10%", stepped}, 0, "regression at run 9 of 12"},
		{"improvement", []string{"history", improved}, 0, "improvement at run 9 of 12"},
		{"bad order", []string{"history", "-by", "size", flat}, 2, "-by must be time or commit"},
		{"missing", []string{"history", filepath.Join(flat, "nope")}, 2, "no such file"},
		{"no args", []string{"history"}, 2, "want result files"},
		{"server without query", []string{"history", "-server", "http://127.0.0.1:1"}, 2, "-server and -q go together"},
		{"bad min", []string{"history", "-min", "1", flat}, 2, "-min must be at least 2"},
		{"upload without server", []string{"upload", filepath.Join(flat, "20261101T031700Z.txt")}, 2, "-server is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := runCmd(t, nil, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errs)
			}
			where := out
			if code == 2 {
				where = errs
				if n := strings.Count(errs, "\n"); n != 1 {
					t.Errorf("stderr has %d lines, want one:\n%s", n, errs)
				}
			}
			if !strings.Contains(where, tt.want) {
				t.Errorf("output lacks %q:\nstdout:\n%s\nstderr:\n%s", tt.want, out, errs)
			}
		})
	}
}

// TestHistoryNamedBadly: a file named on the command line that cannot be
// ordered by time is bad input; in a directory it is left out with a note.
func TestHistoryNamedBadly(t *testing.T) {
	dir := t.TempDir()
	paths := writeSeries(t, dir, 6, 0, 0, nil)
	odd := filepath.Join(dir, "copy.txt")
	b, _ := os.ReadFile(paths[0])
	os.WriteFile(odd, b, 0o644)
	if _, errs, code := runCmd(t, nil, "history", odd); code != 2 || !strings.Contains(errs, "copy.txt: not a runbench run name") {
		t.Errorf("named file: exit %d, stderr %q", code, errs)
	}
	if _, errs, code := runCmd(t, nil, "history", dir); code != 0 || !strings.Contains(errs, "leaving out "+odd) {
		t.Errorf("in a directory: exit %d, stderr %q", code, errs)
	}
}

// TestHistoryReadsEveryRunName: the names runbench itself writes (-2 for a
// second run of one second, -partial for an interrupted one) are read, and
// ordered by time, -N after the plain name.
func TestHistoryReadsEveryRunName(t *testing.T) {
	dir := t.TempDir()
	paths := writeSeries(t, dir, 12, 8, 0.06, nil)
	rename := func(i int, partial bool, n int) string {
		t.Helper()
		// Run i takes run i-1's second: it must still come after it.
		prev, err := resultfile.ParseRunName(paths[i-1])
		if err != nil {
			t.Fatal(err)
		}
		to := filepath.Join(dir, resultfile.RunName{Time: prev.Time, Partial: partial, N: n}.String())
		if err := os.Rename(paths[i], to); err != nil {
			t.Fatal(err)
		}
		return to
	}
	second := rename(8, false, 2)
	rename(10, true, 1)
	rename(11, false, 3) // after run 10's partial name of the same second
	stdout, errs, code := runCmd(t, nil, "history", dir)
	if code != 1 || strings.Contains(errs, "leaving out") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, errs)
	}
	for _, want := range []string{"runs: 12 (", "regression at run 9 of 12: " + second} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

// TestHistoryDuplicates: one run counted twice would make change points of
// nothing; the same file given twice and a copy under another name are
// each read once, with a line on stderr naming what was left out.
func TestHistoryDuplicates(t *testing.T) {
	dir := t.TempDir()
	paths := writeSeries(t, dir, 12, 0, 0, nil)
	copyDir := t.TempDir()
	copied := filepath.Join(copyDir, "20261201T031700Z.txt")
	b, err := os.ReadFile(paths[3])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copied, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		note string
	}{
		{"directory twice", []string{dir, dir}, "leaving out " + paths[0] + ": the same file as " + paths[0]},
		{"file and its directory", []string{paths[5], dir}, "leaving out " + paths[5] + ": the same file as " + paths[5]},
		{"copy under another name", []string{dir, copyDir}, "leaving out " + copied + ": the same benchmark lines as " + paths[3]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stdout, errs, code := runCmd(t, nil, append([]string{"history"}, tt.args...)...)
			if code != 0 || !strings.Contains(stdout, "runs: 12 (") || !strings.Contains(stdout, "no change point") {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, errs)
			}
			if !strings.Contains(errs, tt.note) {
				t.Errorf("stderr lacks %q:\n%s", tt.note, errs)
			}
		})
	}
}

func TestHistoryOutput(t *testing.T) {
	in, out := t.TempDir(), filepath.Join(t.TempDir(), "h")
	writeSeries(t, in, 12, 8, 0.06, nil)
	stdout, errs, code := runCmd(t, nil, "history", "-o", out, in)
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, errs)
	}
	for _, f := range []string{"history.md", "history-lab1-Create.png", "history-lab1-Switch.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("-o: %v", err)
		}
		if !strings.Contains(stdout, filepath.Join(out, f)) {
			t.Errorf("stdout does not name %s:\n%s", f, stdout)
		}
	}
}

// TestHistoryByCommit orders runs by a git history whose order differs
// from the file names' times: the step is found at its commit.
func TestHistoryByCommit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git:", err)
	}
	repo := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(b))
	}
	git("init", "-q")
	var commits []string
	for i := 0; i < 12; i++ {
		git("commit", "-q", "--allow-empty", "-m", fmt.Sprint(i))
		commits = append(commits, git("rev-parse", "HEAD"))
	}
	// The files' times run backwards: commit order must win.
	rev := make([]string, len(commits))
	for i := range commits {
		rev[i] = commits[len(commits)-1-i]
	}
	dir := t.TempDir()
	// Run r (by time) has commit rev[r] = commits[11-r]; the step is in
	// runs 0–3 by time, i.e. commits 8–11.
	writeSeriesSteps(t, dir, rev)
	stdout, errs, code := runCmd(t, nil, "history", "-by", "commit", "-repo", repo, dir)
	if code != 1 || !strings.Contains(stdout, "regression at run 9 of 12") || !strings.Contains(stdout, "commit "+commits[8][:12]) {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, errs)
	}
	if _, errs, code := runCmd(t, nil, "history", "-by", "commit", "-repo", t.TempDir(), dir); code != 2 || !strings.Contains(errs, "git rev-list") {
		t.Errorf("not a repository: exit %d, stderr %q", code, errs)
	}
}

// writeSeriesSteps is writeSeries with the step in the runs that are
// first by time (the last by commit).
func writeSeriesSteps(t *testing.T, dir string, commits []string) {
	t.Helper()
	paths := writeSeries(t, dir, len(commits), 0, 0, commits)
	stepped := writeSeries(t, t.TempDir(), len(commits), 0, 0.06, commits)
	for i := 0; i < 4; i++ {
		b, err := os.ReadFile(stepped[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(paths[i], b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
