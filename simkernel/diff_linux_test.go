//go:build linux && (amd64 || arm64)

package simkernel

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rawclone"
)

func procTgid(tid int) (int, error) {
	st, err := procfs.Status(tid)
	if err != nil {
		return 0, err
	}
	v, ok := st["Tgid"]
	if !ok {
		return 0, fmt.Errorf("/proc/%d/status: no Tgid line", tid)
	}
	return strconv.Atoi(v)
}

// realShared is what /proc and kcmp(2) say the live task tid shares with
// this process, as a flag word like Shared's.
func realShared(tid int) (uint64, error) {
	me := os.Getpid()
	var f uint64
	for _, c := range []struct {
		typ int
		bit uint64
	}{{procfs.KcmpVM, rawclone.CloneVM}, {procfs.KcmpFS, rawclone.CloneFS}, {procfs.KcmpFiles, rawclone.CloneFiles}, {procfs.KcmpSighand, rawclone.CloneSighand}} {
		same, err := procfs.Kcmp(me, tid, c.typ)
		if err != nil {
			return 0, fmt.Errorf("kcmp(%d, %d, %d): %w", me, tid, c.typ, err)
		}
		if same {
			f |= c.bit
		}
	}
	tgid, err := procTgid(tid)
	if err != nil {
		return 0, err
	}
	if tgid == me {
		f |= rawclone.CloneThread
	}
	return f, nil
}

// TestDifferential clones every subset of {VM, FS, FILES, SIGHAND, THREAD}
// on the real kernel through rawclone and on the simulator, and checks they
// agree on success versus EINVAL and, for a live child, on what it shares.
func TestDifferential(t *testing.T) {
	if _, err := procfs.Kcmp(os.Getpid(), os.Getpid(), procfs.KcmpVM); errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
		t.Skipf("kcmp(2) unavailable (%v): cannot compare what tasks share", err)
	}
	agreeFail := 0
	for mask := range 32 {
		flags := subsetFlags(mask)
		t.Run(FormatFlags(flags), func(t *testing.T) {
			k := NewKernel(testProfile())
			parent := k.Spawn()
			simChild, simErr := k.Clone(parent, flags)

			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			defer w.Close()
			body := rawclone.Body{Op: rawclone.OpBlockRead, In: int(r.Fd()), CPU: rawclone.NoCPU}
			task, realErr := rawclone.Clone(rawclone.Flags(flags), body, rawclone.Options{})
			if realErr == nil {
				defer func() {
					// Let the child read its byte and end; Kill if it
					// does not, so nothing outlives the test.
					if _, err := w.Write([]byte{1}); err != nil {
						t.Errorf("release child: %v", err)
					}
					if err := task.Wait(5 * time.Second); err != nil {
						t.Errorf("wait for child %d: %v", task.Tid(), err)
						task.Kill()
					}
				}()
			}

			switch {
			case realErr != nil && simErr != nil:
				if !errors.Is(realErr, syscall.EINVAL) || !errors.Is(simErr, syscall.EINVAL) {
					t.Fatalf("both refuse, differently: real %v, sim %v", realErr, simErr)
				}
				agreeFail++
				return
			case realErr != nil:
				t.Fatalf("real kernel refuses (%v), simulator accepts", realErr)
			case simErr != nil:
				t.Fatalf("simulator refuses (%v), real kernel accepts", simErr)
			}
			got, err := realShared(task.Tid())
			if err != nil {
				t.Fatal(err)
			}
			if want := Shared(parent, simChild); got != want {
				t.Fatalf("real child shares %s, simulated child shares %s", FormatFlags(got), FormatFlags(want))
			}
		})
	}
	// Of the 32 sets, those with THREAD but no SIGHAND (8) and those with
	// SIGHAND but no VM (8; no set is in both) are refused.
	if agreeFail != 16 {
		t.Errorf("%d flag sets refused by both, want 16", agreeFail)
	}
}

// TestDifferentialRefusals checks copy_process's other rules against the
// real kernel: flag sets it refuses with EINVAL before creating anything.
func TestDifferentialRefusals(t *testing.T) {
	for _, flags := range []uint64{
		rawclone.CloneNewNS | rawclone.CloneFS | rawclone.SIGCHLD,
		rawclone.CloneNewUser | rawclone.CloneFS | rawclone.SIGCHLD,
		rawclone.CloneVM | rawclone.CloneSighand | rawclone.CloneThread | rawclone.CloneNewPID,
		rawclone.CloneVM | rawclone.CloneSighand | rawclone.CloneThread | rawclone.CloneNewUser,
		rawclone.ThreadFlags &^ rawclone.CloneSighand,
	} {
		t.Run(FormatFlags(flags), func(t *testing.T) {
			k := NewKernel(testProfile())
			_, simErr := k.Clone(k.Spawn(), flags)
			task, realErr := rawclone.Clone(rawclone.Flags(flags), rawclone.Body{Op: rawclone.OpExit, CPU: rawclone.NoCPU}, rawclone.Options{})
			if realErr == nil {
				task.Wait(5 * time.Second)
			}
			if !errors.Is(simErr, syscall.EINVAL) || !errors.Is(realErr, syscall.EINVAL) {
				t.Fatalf("simulator: %v; real kernel: %v; want EINVAL from both", simErr, realErr)
			}
		})
	}
}

// TestFlagValues checks simkernel's flag numbers and seed sets against
// x/sys/unix and rawclone, so a flag word means the same in all three.
func TestFlagValues(t *testing.T) {
	for _, c := range []struct {
		name      string
		sim, unix uint64
	}{
		{"VM", rawclone.CloneVM, unix.CLONE_VM}, {"FS", rawclone.CloneFS, unix.CLONE_FS}, {"FILES", rawclone.CloneFiles, unix.CLONE_FILES},
		{"SIGHAND", rawclone.CloneSighand, unix.CLONE_SIGHAND}, {"PIDFD", rawclone.ClonePidfd, unix.CLONE_PIDFD},
		{"PTRACE", rawclone.ClonePtrace, unix.CLONE_PTRACE}, {"VFORK", rawclone.CloneVfork, unix.CLONE_VFORK},
		{"PARENT", rawclone.CloneParent, unix.CLONE_PARENT}, {"THREAD", rawclone.CloneThread, unix.CLONE_THREAD},
		{"NEWNS", rawclone.CloneNewNS, unix.CLONE_NEWNS}, {"SYSVSEM", rawclone.CloneSysVSem, unix.CLONE_SYSVSEM},
		{"SETTLS", rawclone.CloneSetTLS, unix.CLONE_SETTLS}, {"PARENT_SETTID", rawclone.CloneParentSetTID, unix.CLONE_PARENT_SETTID},
		{"CHILD_CLEARTID", rawclone.CloneChildClearTID, unix.CLONE_CHILD_CLEARTID}, {"DETACHED", rawclone.CloneDetached, unix.CLONE_DETACHED},
		{"UNTRACED", rawclone.CloneUntraced, unix.CLONE_UNTRACED}, {"CHILD_SETTID", rawclone.CloneChildSetTID, unix.CLONE_CHILD_SETTID},
		{"NEWCGROUP", rawclone.CloneNewCgroup, unix.CLONE_NEWCGROUP}, {"NEWUTS", rawclone.CloneNewUTS, unix.CLONE_NEWUTS},
		{"NEWIPC", rawclone.CloneNewIPC, unix.CLONE_NEWIPC}, {"NEWUSER", rawclone.CloneNewUser, unix.CLONE_NEWUSER},
		{"NEWPID", rawclone.CloneNewPID, unix.CLONE_NEWPID}, {"NEWNET", rawclone.CloneNewNet, unix.CLONE_NEWNET},
		{"IO", rawclone.CloneIO, unix.CLONE_IO}, {"CLEAR_SIGHAND", CloneClearSighand, unix.CLONE_CLEAR_SIGHAND},
		{"INTO_CGROUP", CLONE_INTO_CGROUP, unix.CLONE_INTO_CGROUP}, {"SIGCHLD", rawclone.SIGCHLD, uint64(unix.SIGCHLD)},
	} {
		if c.sim != c.unix {
			t.Errorf("CLONE_%s = %#x, x/sys/unix has %#x", c.name, c.sim, c.unix)
		}
	}
	for _, c := range []struct {
		name string
		sim  uint64
		raw  rawclone.Flags
	}{{"fork", rawclone.ForkFlags, rawclone.ForkFlags}, {"thread", rawclone.ThreadFlags, rawclone.ThreadFlags}, {"vfork", rawclone.VforkFlags, rawclone.VforkFlags}} {
		if c.sim != uint64(c.raw) {
			t.Errorf("%s flags: simkernel %s, rawclone %v", c.name, FormatFlags(c.sim), c.raw)
		}
		// Row names carry rawclone's spelling; the simulator must read it.
		if got, err := ParseFlags(c.raw.String()); err != nil || got != c.sim {
			t.Errorf("ParseFlags(%q) = %s, %v; want %s", c.raw.String(), FormatFlags(got), err, FormatFlags(c.sim))
		}
		if FormatFlags(c.sim) != c.raw.String() {
			t.Errorf("FormatFlags = %q, rawclone prints %q", FormatFlags(c.sim), c.raw.String())
		}
	}
}
