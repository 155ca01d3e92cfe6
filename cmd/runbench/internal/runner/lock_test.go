//go:build unix

package runner

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunLock: a second run refuses while the lock is held, naming the
// holder's pid, and Wait waits for it.
func TestRunLock(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(dir, exactRow("Fake/op=a", time.Microsecond))
	opts.Count = 1
	release, err := lockRun(opts.Lock, false, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts.Out = filepath.Join(dir, "a.txt")
	if _, _, _, err := run(opts); !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("err %v, want bad input naming our pid", err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		release()
	}()
	opts.Out, opts.Wait = filepath.Join(dir, "b.txt"), true
	if _, errs, _, err := run(opts); err != nil {
		t.Errorf("Wait: %v: %s", err, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.txt")); err == nil {
		t.Error("the refused run wrote its file")
	}
}

// lockHolderEnv makes the test binary a lock holder: it takes the lock
// named by the variable, says "held", and keeps it until stdin closes.
const lockHolderEnv = "CLONEBENCH_TEST_LOCK_HOLDER"

func init() {
	name := os.Getenv(lockHolderEnv)
	if name == "" {
		return
	}
	release, err := lockRun(name, false, os.Stderr)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("held")
	io.Copy(io.Discard, os.Stdin)
	release()
	os.Exit(0)
}

// TestRunLockIsPerMachine: a run of another user (as root: nobody), with
// another TMPDIR and another umask, holds the same lock ours asks for; we
// are refused with its pid, and -wait takes the lock when it lets go.
// (The lock once lived in $TMPDIR as a 0644 file: such a holder went
// unseen, or a non-root run measured beside root's with a warning.)
func TestRunLockIsPerMachine(t *testing.T) {
	name := filepath.Join(t.TempDir(), "run.lock")
	if DefaultLock != "clonebench-run-lock" {
		// A file lock: the holder must be able to reach its directory.
		os.Chmod(filepath.Dir(name), 0o1777)
	}
	bin := os.Args[0]
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// nobody cannot reach the go build directory: a copy it can.
		bin = executableCopy(t)
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), lockHolderEnv+"="+name, "TMPDIR="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "held\n" {
		t.Fatalf("holder said %q", line)
	}
	_, err = lockRun(name, false, io.Discard)
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(cmd.Process.Pid)) {
		t.Fatalf("with another user's run holding the lock: err %v, want bad input naming pid %d", err, cmd.Process.Pid)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		stdin.Close()
	}()
	start := time.Now()
	release, err := lockRun(name, true, io.Discard)
	if err != nil {
		t.Fatalf("-wait: %v", err)
	}
	release()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("-wait took %v after the holder let go", d)
	}
}

// executableCopy copies the test binary into a directory anyone may read,
// removed at the test's end.
func executableCopy(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "clonebench-lock-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "runner.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}
