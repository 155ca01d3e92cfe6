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
func realShared(tid int) (rawclone.Flags, error) {
	me := os.Getpid()
	var f rawclone.Flags
	for _, c := range []struct {
		typ int
		bit rawclone.Flags
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
		t.Run(flags.String(), func(t *testing.T) {
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
			task, realErr := rawclone.Clone(flags, body, rawclone.Options{})
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
				t.Fatalf("real child shares %s, simulated child shares %s", got, want)
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
	for _, flags := range []rawclone.Flags{
		rawclone.CloneNewNS | rawclone.CloneFS | rawclone.SIGCHLD,
		rawclone.CloneNewUser | rawclone.CloneFS | rawclone.SIGCHLD,
		rawclone.CloneVM | rawclone.CloneSighand | rawclone.CloneThread | rawclone.CloneNewPID,
		rawclone.CloneVM | rawclone.CloneSighand | rawclone.CloneThread | rawclone.CloneNewUser,
		rawclone.ThreadFlags &^ rawclone.CloneSighand,
	} {
		t.Run(flags.String(), func(t *testing.T) {
			k := NewKernel(testProfile())
			_, simErr := k.Clone(k.Spawn(), flags)
			task, realErr := rawclone.Clone(flags, rawclone.Body{Op: rawclone.OpExit, CPU: rawclone.NoCPU}, rawclone.Options{})
			if realErr == nil {
				task.Wait(5 * time.Second)
			}
			if !errors.Is(simErr, syscall.EINVAL) || !errors.Is(realErr, syscall.EINVAL) {
				t.Fatalf("simulator: %v; real kernel: %v; want EINVAL from both", simErr, realErr)
			}
		})
	}
}

// TestFlagValues checks the clone3 bit simkernel adds to rawclone's flags
// against x/sys/unix (rawclone's own tests check the bits it names), and
// that the model refuses CLONE_INTO_CGROUP, which it does not model, as
// the kernel refuses a bit it does not know.
func TestFlagValues(t *testing.T) {
	if uint64(CloneClearSighand) != unix.CLONE_CLEAR_SIGHAND {
		t.Errorf("CloneClearSighand = %#x, x/sys/unix has %#x", uint64(CloneClearSighand), uint64(unix.CLONE_CLEAR_SIGHAND))
	}
	k := NewKernel(testProfile())
	if _, err := k.Clone(k.Spawn(), rawclone.Flags(unix.CLONE_INTO_CGROUP)|rawclone.SIGCHLD); !errors.Is(err, ErrUnknownFlag) {
		t.Errorf("Clone(CLONE_INTO_CGROUP) = %v, want %v", err, ErrUnknownFlag)
	}
}
