//go:build linux

package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/cmd/runbench/internal/runner"
	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// TestMain lets the test binary stand in for the runbench command, so
// tests can signal a real process.
func TestMain(m *testing.M) {
	if os.Getenv("RUNBENCH_TEST_MAIN") == "1" {
		e := defaultEnv()
		if os.Getenv("RUNBENCH_TEST_STUCK_ROW") == "1" {
			e.run.Rows = []workloads.Row{stuckRow()}
		}
		os.Exit(e.main(os.Stdout, os.Stderr, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// findRow is the first catalogue row whose spec matches, skipping the test
// when there is none or it cannot run here. Tests find rows by their typed
// name, so a key the catalogue adds to a family does not break them.
func findRow(t *testing.T, what string, match func(rowspec.Spec) bool) workloads.Row {
	t.Helper()
	for _, r := range workloads.Catalogue() {
		if match(r.Spec) {
			if reason := r.Skip(); reason != "" {
				t.Skipf("%s: %s", r.Name, reason)
			}
			return r
		}
	}
	t.Skipf("no %s row in the catalogue", what)
	return workloads.Row{}
}

// exactly is a -run pattern matching the named rows and no others.
func exactly(rows ...workloads.Row) string {
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = regexp.QuoteMeta(r.Name)
	}
	return "^(" + strings.Join(names, "|") + ")$"
}

// benchPattern is go test's -bench pattern for exactly the row of spec s:
// go test matches a name level by level, so one anchored pattern per level.
func benchPattern(s rowspec.Spec) string {
	levels := []string{"^Benchmark" + regexp.QuoteMeta(string(s.Family)) + "$"}
	for _, k := range s.Family.Keys() {
		levels = append(levels, "^"+regexp.QuoteMeta(string(k)+"="+s.Value(k))+"$")
	}
	return strings.Join(levels, "/")
}

// TestEndToEnd runs a cheap real row through run and reads the file back
// as benchstat would, then compares it with go test -bench output of the
// same row.
func TestEndToEnd(t *testing.T) {
	r := findRow(t, "goroutine creation", func(s rowspec.Spec) bool {
		return s.Family == rowspec.Create && s.Style == rowspec.StyleGoroutine
	})
	row := r.Name
	dir := t.TempDir()
	out := filepath.Join(dir, "goroutine.txt")
	stdout, stderr, code := runCmd(t, nil, "run", "-run", exactly(r), "-count", "6", "-budget", "5s", "-report=false", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if strings.TrimSpace(stdout) != out {
		t.Errorf("stdout %q, want %s", stdout, out)
	}
	res, raw := readBack(t, out)
	if len(res) < 6 {
		t.Fatalf("%d samples, want ≥6:\n%s", len(res), raw)
	}
	want := runner.BenchName(row, runtime.GOMAXPROCS(0))
	for _, r := range res {
		if string(r.Name) != want {
			t.Errorf("name %q, want %q", r.Name, want)
		}
		for _, unit := range []string{"sec/op", "p50-sec", "p99-sec"} {
			if v, ok := r.Value(unit); !ok || v <= 0 {
				t.Errorf("%s: %s = %v, %v", r.Name, unit, v, ok)
			}
		}
		if r.Iters < 1 {
			t.Errorf("iterations %d", r.Iters)
		}
	}
	for _, line := range []string{"goos: linux\n", "pkg: github.com/clonebench/clonebench/bench\n", "kernel: ", "virtualization: ", "commit: ", "nproc: "} {
		if !strings.Contains(raw, line) {
			t.Errorf("no %q line in\n%s", line, raw)
		}
	}

	if testing.Short() {
		t.Skip("go test -bench interop skipped in -short")
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(goTool, "test", "-run", "^$", "-bench", benchPattern(r.Spec), "-benchtime", "20000x", "-count", "6", "../../bench/")
	gotest, err := cmd.Output()
	if err != nil {
		t.Fatalf("go test -bench: %v", err)
	}
	gt := filepath.Join(dir, "gotest.txt")
	if err := os.WriteFile(gt, gotest, 0o644); err != nil {
		t.Fatal(err)
	}
	// The same row from both tools lines up: same name, same units, same
	// machine; the verdict (0 or 1) depends on the noise of the moment.
	// compare names rows as -run selects them, without -GOMAXPROCS.
	cmpOut, cmpErr, code := runCmd(t, nil, "compare", gt, out)
	if code != 0 && code != 1 {
		t.Fatalf("compare go test output with runbench output: exit %d\n%s", code, cmpErr)
	}
	// Other metrics (p50-sec) are listed only where they moved beyond
	// their noise, so the per-op row is what must line up.
	if !strings.Contains(cmpOut, "\n"+row+" ") || !strings.Contains(cmpOut, "\nmethod: ") {
		t.Errorf("row or method missing from the comparison:\n%s", cmpOut)
	}
}

// TestInterruptRealRun sends SIGINT to a real runbench process measuring
// real rows: it must exit within 2 s, keep the finished samples in a file
// marked partial, and leave no process or zombie behind. The test process
// is a child subreaper, so any orphan of runbench would become its child.
func TestInterruptRealRun(t *testing.T) {
	pipe := findRow(t, "pipe ping-pong", func(s rowspec.Spec) bool {
		return s.Family == rowspec.Switch && s.Mech == rowspec.MechPipe && s.Mode == rowspec.ModeProcess && s.CPU == rowspec.CPUSame && s.WS == 0
	})
	fork := findRow(t, "fork creation", func(s rowspec.Spec) bool {
		return s.Family == rowspec.Create && s.Style == rowspec.StyleFork
	})
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Skipf("cannot become a subreaper: %v", err)
	}
	defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "run",
		"-run", exactly(pipe, fork),
		"-count", "10", "-budget", "30s", "-benchtime", "300ms", "-report=false", "-o", filepath.Join(dir, "r.txt"))
	cmd.Env = append(os.Environ(), "RUNBENCH_TEST_MAIN=1")
	var stdout strings.Builder
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Signal in the middle of the third round, while a row has children.
	sc := bufio.NewScanner(stderr)
	var log strings.Builder
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "sample 3/10") {
			break
		}
	}
	time.Sleep(100 * time.Millisecond)
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	after := make(chan string, 1)
	go func() { // drain, so runbench never blocks writing stderr
		var b strings.Builder
		for sc.Scan() {
			fmt.Fprintf(&b, "+%v %s\n", time.Since(sent).Round(time.Millisecond), sc.Text())
		}
		after <- b.String()
	}()
	err = cmd.Wait()
	took := time.Since(sent)
	tail := <-after
	if took > 2*time.Second {
		t.Errorf("exited %v after SIGINT, want ≤ 2s; stderr after the signal:\n%s", took, tail)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
		t.Errorf("exit: %v, want status %d\n%s", err, exitInterrupted, log.String())
	}
	partial := filepath.Join(dir, "r-partial.txt")
	if strings.TrimSpace(stdout.String()) != partial {
		t.Errorf("stdout %q, want %s", stdout.String(), partial)
	}
	res, raw := readBack(t, partial)
	if len(res) < 4 {
		t.Errorf("%d samples kept, want at least the two finished rounds:\n%s", len(res), raw)
	}
	if !strings.Contains(raw, "\npartial: true\n") {
		t.Errorf("file not marked partial")
	}
	// Orphans of runbench would now be our children (subreaper).
	noneLeftBehind(t)
}

// stuckRow clones a process child blocked reading a pipe and, after the
// first call, never lets it go nor returns: a row that ignores
// the signal, leaving runbench to kill and reap its child.
func stuckRow() workloads.Row {
	calls := 0
	return workloads.Row{Name: "Fake/op=stuck", Suites: workloads.Quick, Run: func(n int) (workloads.Result, error) {
		calls++
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			return workloads.Result{}, err
		}
		t, err := rawclone.Clone(rawclone.ForkFlags, rawclone.Body{Op: rawclone.OpBlockRead, In: p[0], CPU: rawclone.NoCPU}, rawclone.Options{})
		if err != nil {
			return workloads.Result{}, err
		}
		if calls > 1 {
			select {} // stuck with a live child
		}
		unix.Write(p[1], []byte{1})
		t.Wait(time.Second)
		unix.Close(p[0])
		unix.Close(p[1])
		return workloads.Result{N: n, Elapsed: time.Duration(n) * 25 * time.Millisecond}, nil
	}}
}

// TestInterruptStuckRow: a row that never returns after SIGINT is
// abandoned after the grace period, and runbench kills and reaps its
// process child before exiting within 2 s.
func TestInterruptStuckRow(t *testing.T) {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Skipf("cannot become a subreaper: %v", err)
	}
	defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "run", "-count", "6", "-budget", "5s", "-report=false", "-o", filepath.Join(dir, "r.txt"))
	cmd.Env = append(os.Environ(), "RUNBENCH_TEST_MAIN=1", "RUNBENCH_TEST_STUCK_ROW=1")
	var stderrAll strings.Builder
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		stderrAll.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "pilot 1/1") {
			break
		}
	}
	time.Sleep(200 * time.Millisecond) // let the row clone its second child and stick
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	for sc.Scan() {
		stderrAll.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	if took := time.Since(sent); took > 2*time.Second {
		t.Errorf("exited %v after SIGINT, want ≤ 2s", took)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
		t.Errorf("exit: %v, want status %d", err, exitInterrupted)
	}
	if !strings.Contains(stderrAll.String(), "killed and reaped 1 child process") {
		t.Errorf("stderr does not report the reaped child:\n%s", stderrAll.String())
	}
	noneLeftBehind(t)
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("wrote %v with no finished sample", ents)
	}
}

// noneLeftBehind fails t for every process runbench left behind (as our
// subreaper children, zombies included), then kills and reaps it.
func noneLeftBehind(t *testing.T) {
	t.Helper()
	time.Sleep(50 * time.Millisecond)
	left, err := procfs.Children()
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range left {
		stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		t.Errorf("left behind: %s", strings.TrimSpace(string(stat)))
		unix.Kill(pid, unix.SIGKILL)
		var ws unix.WaitStatus
		unix.Wait4(pid, &ws, unix.WALL, nil)
	}
}

// TestReportIntoMountPoint: report -o into an empty mount point (a tmpfs,
// as root) draws into it; it once failed with "device or resource busy"
// trying to remove it.
func TestReportIntoMountPoint(t *testing.T) {
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=4m"); err != nil {
		t.Skipf("cannot mount a tmpfs to draw into (needs root): %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })
	e := testEnv(dir, []workloads.Row{exactRow("Fake/op=a", time.Microsecond)})
	res := filepath.Join(dir, "r.txt")
	if _, errs, code := runCmd(t, e, "run", "-count", "2", "-budget", "1s", "-report=false", "-o", res); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, errs, code := runCmd(t, e, "report", "-o", mnt, res); code != 0 {
		t.Fatalf("report -o MOUNTPOINT: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(mnt, "report.md")); err != nil {
		t.Error(err)
	}
}
