//go:build linux

package workloads

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
)

// nsKinds maps each /proc/PID/ns entry to the flag that makes it new.
var nsKinds = []struct {
	name string
	flag rawclone.Flags
}{
	{"uts", rawclone.CloneNewUTS},
	{"ipc", rawclone.CloneNewIPC},
	{"mnt", rawclone.CloneNewNS},
	{"pid", rawclone.CloneNewPID},
	{"net", rawclone.CloneNewNet},
	{"user", rawclone.CloneNewUser},
	{"cgroup", rawclone.CloneNewCgroup},
}

// nsInode is the inode of /proc/PID/ns/KIND ("net:[4026531840]" → 4026531840).
func nsInode(pid, kind string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/"+pid+"/ns/"+kind, &st); err != nil {
		return 0, err
	}
	return st.Ino, nil
}

// blockedChild clones, with flags, a child that blocks until release.
func blockedChild(t *testing.T, flags rawclone.Flags) (task *rawclone.Task, release func()) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	task, err := rawclone.Clone(flags, rawclone.Body{Op: rawclone.OpBlockRead, In: p[0], CPU: rawclone.NoCPU}, rawclone.Options{})
	if err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		skipIfRefused(t, flags, err)
		t.Fatalf("clone(%v): %v", flags, err)
	}
	done := false
	release = func() {
		if done {
			return
		}
		done = true
		unix.Write(p[1], []byte{1})
		if err := task.Wait(10 * time.Second); err != nil {
			t.Errorf("wait: %v", err)
			task.Kill()
		}
		unix.Close(p[0])
		unix.Close(p[1])
	}
	t.Cleanup(release)
	return task, release
}

// skipIfRefused skips the test when the kernel refuses to clone with
// flags for want of privilege (a CLONE_NEW* flag without CAP_SYS_ADMIN:
// EPERM; user namespaces limited: ENOSPC, or EACCES under an LSM), as the
// CLI skips such a row: an ordinary user's go test must pass.
func skipIfRefused(t *testing.T, flags rawclone.Flags, err error) {
	t.Helper()
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EACCES) {
		t.Skipf("the kernel refuses clone(%v) to uid %d: %v", flags, os.Geteuid(), err)
	}
}

// TestCreateNSChildIsInANewNamespace clones, with each CreateNS row's
// flags, a child that blocks, and compares its /proc/CHILD/ns/* with ours:
// new exactly where the row's flags say, ours everywhere else, and it
// shares nothing else with us that fork's flags do not share (kcmp, in
// TestRawRowsCreateTheTaskTheyClaim, which covers these rows too).
func TestCreateNSChildIsInANewNamespace(t *testing.T) {
	if !rawCloneSupported() {
		t.Skip("raw clone unsupported here")
	}
	for _, r := range Family(rowspec.CreateNS) {
		if r.Spec.CPU != rowspec.CPUSame {
			continue
		}
		flags := r.raw.Flags
		t.Run(string(r.Spec.NS), func(t *testing.T) {
			task, _ := blockedChild(t, flags)
			child := fmt.Sprint(task.Tid())
			for _, k := range nsKinds {
				ours, err := nsInode("self", k.name)
				if err != nil {
					t.Fatal(err)
				}
				theirs, err := nsInode(child, k.name)
				if err != nil {
					t.Fatal(err)
				}
				if want := flags.Has(k.flag); (ours != theirs) != want {
					t.Errorf("%s: child's %s namespace %d, ours %d: new = %v, want %v", r.Name, k.name, theirs, ours, ours != theirs, want)
				}
			}
		})
	}
}

// TestCreateNSTeardownFreesTheNamespace: a child's new namespace is gone
// some time after the child is reaped, which the test sees through its
// inode: nsfs inode numbers come from the kernel's proc inum IDA, which
// hands out the lowest free number and takes a namespace's back only when
// it frees the namespace (ns_free_inum, at the end of cleanup_net for a
// network namespace). The reap alone does not free it for the deferred
// kinds; the log says how long it took.
func TestCreateNSTeardownFreesTheNamespace(t *testing.T) {
	if !rawCloneSupported() {
		t.Skip("raw clone unsupported here")
	}
	for _, k := range nsKinds {
		t.Run(k.name, func(t *testing.T) {
			task, release := blockedChild(t, rawclone.ForkFlags|k.flag)
			ino, err := nsInode(fmt.Sprint(task.Tid()), k.name)
			if err != nil {
				t.Fatal(err)
			}
			free, err := inumFree(ino)
			if errors.Is(err, unix.EPERM) {
				// A user namespace child needs no privilege, the probe's
				// unshare(CLONE_NEWUTS) does.
				t.Skipf("cannot probe the inode without CAP_SYS_ADMIN: %v", err)
			}
			if err != nil || free {
				t.Fatalf("inode %d free while its namespace's task lives: %v, %v", ino, free, err)
			}
			release()
			start := time.Now()
			for {
				free, err := inumFree(ino)
				if err != nil {
					t.Fatal(err)
				}
				if free {
					t.Logf("%s namespace %d freed %v after the reap", k.name, ino, time.Since(start))
					return
				}
				if time.Since(start) > 20*time.Second {
					t.Fatalf("%s namespace %d still holds its inode %v after its only task was reaped", k.name, ino, time.Since(start))
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// inumFree reports whether proc inode number ino is free: it takes new
// uts namespaces (freed at once when dropped, so the probe leaves nothing
// deferred) on a locked thread, holding each, until it is given ino (free)
// or a higher one (taken: the IDA gives the lowest free number). The thread
// goes back to its uts namespace after, rather than ending: a thread that
// ends sends PDEATHSIG to the children it cloned. Only a thread that left
// its namespace goes back: setns needs CAP_SYS_ADMIN too, so an ordinary
// user, refused the first unshare, would be refused the way back.
func inumFree(ino uint64) (bool, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := unix.Open("/proc/thread-self/ns/uts", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, err
	}
	defer unix.Close(orig)
	var held []int
	left := false
	defer func() {
		for _, fd := range held {
			unix.Close(fd)
		}
	}()
	defer func() {
		if !left {
			return
		}
		if err := unix.Setns(orig, unix.CLONE_NEWUTS); err != nil {
			panic(fmt.Sprintf("setns back to our uts namespace: %v", err)) // the thread must not stay in a probe's
		}
	}()
	for i := 0; i < 4096; i++ {
		if err := unix.Unshare(unix.CLONE_NEWUTS); err != nil {
			return false, fmt.Errorf("unshare(CLONE_NEWUTS): %w", err)
		}
		left = true
		fd, err := unix.Open("/proc/thread-self/ns/uts", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return false, err
		}
		held = append(held, fd)
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return false, err
		}
		switch {
		case st.Ino == ino:
			return true, nil
		case st.Ino > ino:
			return false, nil
		}
	}
	return false, fmt.Errorf("4096 free inode numbers below %d: cannot tell", ino)
}

// TestCgroup2Mount finds the cgroup2 mount in unified, hybrid and
// cgroup-v1-only mountinfo texts.
func TestCgroup2Mount(t *testing.T) {
	for _, tc := range []struct {
		name, mi, root, mnt string
		ok                  bool
	}{
		{"unified", "29 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", "/", "/sys/fs/cgroup", true},
		{"hybrid", "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n", "/", "/sys/fs/cgroup/unified", true},
		{"escaped", `41 31 0:38 /a\040b /mnt/cg\040two rw shared:1 - cgroup2 none rw` + "\n", "/a b", "/mnt/cg two", true},
		{"v1 only", "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, mnt, err := cgroup2Mount(tc.mi)
			if (err == nil) != tc.ok || root != tc.root || mnt != tc.mnt {
				t.Errorf("cgroup2Mount = %q, %q, %v; want %q, %q, ok %v", root, mnt, err, tc.root, tc.mnt, tc.ok)
			}
		})
	}
}

// TestCgroupRowsLeaveNoCgroup runs each CreateCgroup row and checks that
// no test cgroup is left, and that RemoveTestCgroups (runbench's signal
// path) removes a live one.
func TestCgroupRowsLeaveNoCgroup(t *testing.T) {
	if !rawCloneSupported() {
		t.Skip("raw clone unsupported here")
	}
	if reason := cgroupSkipReason(); reason != "" {
		t.Skip(reason)
	}
	parent, err := cgroup2Dir()
	if err != nil {
		t.Fatal(err)
	}
	for _, how := range rowspec.Hows() {
		if _, err := runCgroup(how, 20); err != nil {
			t.Errorf("how=%s: %v", how, err)
		}
	}
	cg, err := newTestCgroup()
	if err != nil {
		t.Fatal(err)
	}
	if err := RemoveTestCgroups(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cg.path); !os.IsNotExist(err) {
		t.Errorf("%s still there after RemoveTestCgroups: %v", cg.path, err)
	}
	ents, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), fmt.Sprintf("%s%d-", testCgroupPrefix, os.Getpid())) {
			t.Errorf("test cgroup %s left in %s", e.Name(), parent)
		}
	}
}

// TestCgroupIntoPutsTheChildThere: each how's op goes through the test
// cgroup: it runs while the cgroup exists, and once the cgroup is removed
// the kernel refuses it (clone3 fails for into, the child's write to
// cgroup.procs fails for migrate).
func TestCgroupIntoPutsTheChildThere(t *testing.T) {
	if !rawCloneSupported() {
		t.Skip("raw clone unsupported here")
	}
	if reason := cgroupSkipReason(); reason != "" {
		t.Skip(reason)
	}
	for _, how := range rowspec.Hows() {
		t.Run(string(how), func(t *testing.T) {
			cg, err := newTestCgroup()
			if err != nil {
				t.Fatal(err)
			}
			defer cg.remove()
			c := rawclone.Clone3{Flags: rawclone.ForkFlags, ChildWrite: -1}
			if how == rowspec.HowInto {
				c.IntoCgroup, c.Cgroup = true, cg.dir
			} else {
				c.ChildWrite = cg.procs
			}
			cl, err := rawclone.NewCloner()
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if _, err := cl.Loop3(c, 5); err != nil {
				t.Fatal(err)
			}
			// rmdir with the descriptors still open: the op's fds stay
			// valid, only the cgroup is gone.
			if err := unix.Rmdir(cg.path); err != nil {
				t.Fatal(err)
			}
			_, err = cl.Loop3(c, 1)
			if err == nil {
				t.Fatalf("clone3 into a removed cgroup (how=%s) succeeded", how)
			}
			t.Logf("into a removed cgroup: %v", err)
		})
	}
}

// TestCreateNSCountsTeardown: a network namespace row reports the kernel
// threads' time after its loop (cleanup_net runs on a kworker), and that
// time only grows. A host too busy to go quiet gets no figure, by design.
func TestCreateNSCountsTeardown(t *testing.T) {
	if !rawCloneSupported() {
		t.Skip("raw clone unsupported here")
	}
	flags := rawclone.ForkFlags | rawclone.CloneNewNet
	if reason := nsSkipReason(flags); reason != "" {
		t.Skip(reason)
	}
	k0, err := kthreadRuntime()
	if err != nil {
		t.Skip(err)
	}
	res, err := runNS(flags, 20)
	if err != nil {
		t.Fatal(err)
	}
	if k1, err := kthreadRuntime(); err != nil || k1 < k0 {
		t.Fatalf("kernel threads' run time went from %d to %d ns (%v)", k0, k1, err)
	}
	for _, m := range res.Metrics {
		if m.Unit == rowspec.UnitKthreadNsOp {
			if m.Value <= 0 {
				t.Fatalf("%s = %v after 20 network namespaces were reaped", m.Unit, m.Value)
			}
			t.Logf("%s = %.0f", m.Unit, m.Value)
			return
		}
	}
	t.Skip("the kernel threads did not go quiet within a second: a busy host, no figure")
}

// TestRemoveStaleCgroups removes exactly the test cgroups of dead pids
// from a parent (here plain directories: rmdir is the same call).
func TestRemoveStaleCgroups(t *testing.T) {
	// A pid that was ours a moment ago and is gone now.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("no process to take a dead pid from: %v", err)
	}
	dead := cmd.Process.Pid
	parent := t.TempDir()
	names := map[string]bool{ // name → removed
		fmt.Sprintf("clonebench-%d-1", dead):         true,
		fmt.Sprintf("clonebench-%d-2", dead):         true,
		fmt.Sprintf("clonebench-%d-1", os.Getpid()):  false, // ours
		fmt.Sprintf("clonebench-%d-1", os.Getppid()): false, // alive
		"clonebench-x-1":                             false,
		"other-1":                                    false,
	}
	for n := range names {
		if err := os.Mkdir(filepath.Join(parent, n), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := removeStaleCgroups(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 {
		t.Errorf("removed %v, want the two of pid %d", removed, dead)
	}
	for n, gone := range names {
		if _, err := os.Stat(filepath.Join(parent, n)); (err != nil) != gone {
			t.Errorf("%s: gone %v, want %v", n, err != nil, gone)
		}
	}
}
