//go:build linux

package ab

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// knobDir lays out a session's directory: a knob root with THP's file
// reading "always [madvise] never", a journal directory, an output one.
func knobDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	f := filepath.Join(dir, "root", thpPath)
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, []byte("always [madvise] never\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startHelper starts a knob session in dir with extra environment.
func startHelper(t *testing.T, dir string, env ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run", "^$")
	cmd.Env = append(append(os.Environ(), helperEnv+"="+dir), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, &stderr
}

func knobValue(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "root", thpPath))
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := choice(string(raw)); ok {
		return c
	}
	return strings.TrimSpace(string(raw))
}

func journalLeft(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "journal", journalName))
	return err == nil
}

// waitGone waits for pid to be gone: nothing of a session outlives it.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		if raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && strings.Contains(string(raw), ") Z ") {
			return // a zombie waiting for its reaper: dead
		}
	}
	t.Errorf("sample process %d outlived the session", pid)
}

// TestKnobRestoredOnError: a session that ends in an error (every row
// fails on side B) leaves the setting as it found it.
func TestKnobRestoredOnError(t *testing.T) {
	dir := knobDir(t)
	cmd, stderr := startHelper(t, dir, fakeEnv+"_FAIL=.")
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(stderr.String(), "no row compared") {
		t.Fatalf("helper: %v, want exit 1 with no row compared\n%s", err, stderr)
	}
	if v := knobValue(t, dir); v != "madvise" || journalLeft(dir) {
		t.Errorf("after an error: knob %q (want madvise), journal left %v", v, journalLeft(dir))
	}
}

// TestKnobRestoredOnSignal: SIGINT, SIGTERM and SIGHUP mid-sample stop the
// session (exit 130), kill the sample and restore the setting.
func TestKnobRestoredOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := knobDir(t)
			block := filepath.Join(dir, "block")
			cmd, stderr := startHelper(t, dir, fakeEnv+"_BLOCK="+block)
			pid := waitBlocked(t, block, stderr)
			if v := knobValue(t, dir); v != "always" && v != "never" || !journalLeft(dir) {
				t.Fatalf("mid-session: knob %q, journal %v", v, journalLeft(dir))
			}
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 130 {
				t.Errorf("after %v: %v, want exit 130\n%s", sig, err, stderr)
			}
			if v := knobValue(t, dir); v != "madvise" || journalLeft(dir) {
				t.Errorf("after %v: knob %q (want madvise), journal left %v\n%s", sig, v, journalLeft(dir), stderr)
			}
			waitGone(t, pid)
		})
	}
}

// TestKnobRestoredAfterKill: SIGKILL leaves the setting changed and the
// journal; the next session restores it, says so, and removes the journal.
func TestKnobRestoredAfterKill(t *testing.T) {
	dir := knobDir(t)
	block := filepath.Join(dir, "block")
	cmd, stderr := startHelper(t, dir, fakeEnv+"_BLOCK="+block)
	pid := waitBlocked(t, block, stderr)
	cmd.Process.Kill()
	cmd.Wait()
	waitGone(t, pid)
	if v := knobValue(t, dir); v == "madvise" || !journalLeft(dir) {
		t.Fatalf("after SIGKILL: knob %q, journal %v: nothing to recover", v, journalLeft(dir))
	}
	knobRoot, journalDir = filepath.Join(dir, "root"), filepath.Join(dir, "journal")
	t.Cleanup(func() { knobRoot, journalDir, geteuid = "/", "/var/lib/clonebench", os.Geteuid })
	geteuid = func() int { return 0 }
	a, b := wrappers(t)
	o := opts(t, a, b, fork)
	o.Rounds = 6
	var next bytes.Buffer
	if _, err := Run(&next, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(next.String(), "restored "+filepath.Join(dir, "root", thpPath)+` to "madvise"`) {
		t.Errorf("the next session does not say it restored the knob:\n%s", next.String())
	}
	if v := knobValue(t, dir); v != "madvise" || journalLeft(dir) {
		t.Errorf("after the next session: knob %q (want madvise), journal left %v", v, journalLeft(dir))
	}
}

// TestJournalOfLiveSession: a journal whose session still runs is left
// alone, and a second knob session refuses.
func TestJournalOfLiveSession(t *testing.T) {
	dir := knobDir(t)
	block := filepath.Join(dir, "block")
	_, stderr := startHelper(t, dir, fakeEnv+"_BLOCK="+block)
	waitBlocked(t, block, stderr)
	knobRoot, journalDir = filepath.Join(dir, "root"), filepath.Join(dir, "journal")
	t.Cleanup(func() { knobRoot, journalDir, geteuid = "/", "/var/lib/clonebench", os.Geteuid })
	geteuid = func() int { return 0 }
	var out bytes.Buffer
	if err := recoverJournal(&out); err != nil || out.Len() > 0 || !journalLeft(dir) {
		t.Errorf("recoverJournal on a live session: %v, %q, journal %v", err, out.String(), journalLeft(dir))
	}
	before := knobValue(t, dir)
	o := knobOptions(dir)
	o.OutDir = filepath.Join(t.TempDir(), "out")
	// The machine's run lock refuses it first; in another network
	// namespace (which has its own abstract sockets) the knob's journal
	// still does.
	if _, err := Run(&out, o); !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "run lock") {
		t.Errorf("second session, same run lock: %v", err)
	}
	o.Lock += "-other-netns"
	if _, err := Run(&out, o); !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "another runbench ab -knob") {
		t.Errorf("second knob session: %v", err)
	}
	if v := knobValue(t, dir); v != before {
		t.Errorf("the refused session changed the knob from %q to %q", before, v)
	}
}

// waitBlocked waits for the fake sample to block, and returns its pid.
func waitBlocked(t *testing.T, block string, stderr *bytes.Buffer) int {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		raw, err := os.ReadFile(block)
		if err != nil || !strings.HasSuffix(string(raw), "\n") {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		return pid
	}
	t.Fatalf("the session never reached a sample:\n%s", stderr)
	return 0
}
