//go:build linux && (amd64 || arm64)

package simkernel

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/rawclone"
)

// The namespace kinds: /proc/PID/ns entry and the flag that makes it new.
var nsKinds = []struct {
	name string
	flag rawclone.Flags
}{
	{"uts", rawclone.CloneNewUTS}, {"ipc", rawclone.CloneNewIPC}, {"mnt", rawclone.CloneNewNS},
	{"pid", rawclone.CloneNewPID}, {"net", rawclone.CloneNewNet}, {"user", rawclone.CloneNewUser},
	{"cgroup", rawclone.CloneNewCgroup},
}

var allNewFlags = rawclone.CloneNewUTS | rawclone.CloneNewIPC | rawclone.CloneNewNS | rawclone.CloneNewPID |
	rawclone.CloneNewNet | rawclone.CloneNewUser | rawclone.CloneNewCgroup

// realNewNamespaces is NewNamespaces on the real kernel: the flags of the
// namespaces /proc/TID/ns shows tid in and us not.
func realNewNamespaces(tid int) (rawclone.Flags, error) {
	var f rawclone.Flags
	for _, k := range nsKinds {
		var a, b unix.Stat_t
		if err := unix.Stat("/proc/thread-self/ns/"+k.name, &a); err != nil {
			return 0, err
		}
		if err := unix.Stat(fmt.Sprintf("/proc/%d/ns/%s", tid, k.name), &b); err != nil {
			return 0, err
		}
		if a.Ino != b.Ino {
			f |= k.flag
		}
	}
	return f, nil
}

// outcome is what one clone came to: "ok" and the new namespaces and what
// is shared, or the errno.
func outcomeOf(err error) string {
	var errno syscall.Errno
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &errno):
		return errno.Error()
	}
	return err.Error()
}

// withoutSysAdmin runs f on a locked thread whose effective capabilities
// lack CAP_SYS_ADMIN (capabilities are per thread), then restores them.
func withoutSysAdmin(t *testing.T, f func()) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var old [2]unix.CapUserData
	if err := unix.Capget(&hdr, &old[0]); err != nil {
		t.Fatalf("capget: %v", err)
	}
	if old[0].Effective&(1<<unix.CAP_SYS_ADMIN) == 0 {
		t.Skip("no CAP_SYS_ADMIN to drop: the privileged half cannot run either")
	}
	dropped := old
	dropped[0].Effective &^= 1 << unix.CAP_SYS_ADMIN
	if err := unix.Capset(&hdr, &dropped[0]); err != nil {
		t.Fatalf("capset: %v", err)
	}
	defer func() {
		if err := unix.Capset(&hdr, &old[0]); err != nil {
			panic(fmt.Sprintf("restore capabilities: %v", err)) // never hand the thread back without them
		}
	}()
	f()
}

// compareNS clones flags on the real kernel and the simulator and checks
// they come to the same outcome: the same errno, or a live child that is
// in new namespaces of the same kinds and shares the same resources.
func compareNS(t *testing.T, flags rawclone.Flags, privileged bool) {
	t.Helper()
	k := NewKernel(testProfile())
	k.Privileged = privileged
	parent := k.Spawn()
	simChild, simErr := k.Clone(parent, flags)

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	body := rawclone.Body{Op: rawclone.OpBlockRead, In: int(r.Fd()), CPU: rawclone.NoCPU}
	var task *rawclone.Task
	var realErr error
	clone := func() { task, realErr = rawclone.Clone(flags, body, rawclone.Options{}) }
	if privileged {
		clone()
	} else {
		withoutSysAdmin(t, clone)
	}
	if realErr == nil {
		defer func() {
			w.Write([]byte{1})
			if err := task.Wait(10 * time.Second); err != nil {
				t.Errorf("wait for child %d: %v", task.Tid(), err)
				task.Kill()
			}
		}()
	}
	if ro, so := outcomeOf(realErr), outcomeOf(simErr); ro != so {
		t.Fatalf("real kernel: %s (%v); simulator: %s (%v)", ro, realErr, so, simErr)
	}
	if realErr != nil {
		return
	}
	gotNS, err := realNewNamespaces(task.Tid())
	if err != nil {
		t.Fatal(err)
	}
	if want := NewNamespaces(parent, simChild); gotNS != want {
		t.Errorf("real child in new %v, simulated child in new %v", gotNS, want)
	}
	got, err := realShared(task.Tid())
	if err != nil {
		t.Fatal(err)
	}
	if want := Shared(parent, simChild); got != want {
		t.Errorf("real child shares %s, simulated child shares %s", got, want)
	}
}

// TestDifferentialNamespaces: every subset of the seven CLONE_NEW* flags on
// fork's set; each flag with the thread set and with FS, SYSVSEM or
// THREAD beside fork's; and each without CAP_SYS_ADMIN, alone and with
// NEWUSER. The simulator and the kernel must agree on each outcome: which
// errno, or which namespaces are new and what is shared.
func TestDifferentialNamespaces(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the privileged namespace flags are EPERM otherwise, on both sides alike")
	}
	probe, err := rawclone.Clone(rawclone.ForkFlags|rawclone.CloneNewUser, rawclone.Body{CPU: rawclone.NoCPU}, rawclone.Options{})
	if err != nil {
		t.Skipf("the kernel refuses a user namespace here: %v", err)
	}
	if err := probe.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	var sets []rawclone.Flags
	for _, sub := range subsets(allNewFlags) {
		sets = append(sets, rawclone.ForkFlags|sub)
	}
	threadNoFS := rawclone.ThreadFlags &^ (rawclone.CloneFS | rawclone.CloneSysVSem)
	for _, k := range nsKinds {
		sets = append(sets,
			rawclone.ThreadFlags|k.flag,
			threadNoFS|k.flag,
			rawclone.ForkFlags|rawclone.CloneFS|k.flag,
			rawclone.ForkFlags|rawclone.CloneSysVSem|k.flag,
			rawclone.ForkFlags|rawclone.CloneVM|k.flag,
		)
	}
	for _, f := range sets {
		t.Run("root/"+f.String(), func(t *testing.T) { compareNS(t, f, true) })
	}
	for _, k := range nsKinds {
		for _, f := range []rawclone.Flags{
			rawclone.ForkFlags | k.flag,
			rawclone.ForkFlags | rawclone.CloneNewUser | k.flag,
			rawclone.ForkFlags | rawclone.CloneSysVSem | k.flag,
		} {
			t.Run("nosysadmin/"+f.String(), func(t *testing.T) { compareNS(t, f, false) })
		}
	}
}

// subsets lists every subset of f's bits, the empty one first.
func subsets(f rawclone.Flags) []rawclone.Flags {
	var bits []rawclone.Flags
	for b := rawclone.Flags(1); b != 0; b <<= 1 {
		if f&b != 0 {
			bits = append(bits, b)
		}
	}
	var out []rawclone.Flags
	for m := 0; m < 1<<len(bits); m++ {
		var s rawclone.Flags
		for i, b := range bits {
			if m&(1<<i) != 0 {
				s |= b
			}
		}
		out = append(out, s)
	}
	return out
}
