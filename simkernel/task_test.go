package simkernel

import (
	"errors"
	"slices"
	"syscall"
	"testing"

	"github.com/clonebench/clonebench/rawclone"
)

// testProfile is a hand-made profile for behaviour tests; its figures only
// need to be distinct and positive, they are never reported.
func testProfile() Profile {
	return Profile{
		Source: "test", CPUs: 2, Syscall: 100, TaskBase: 10_000,
		Copy:     CopyCosts{VM: 300_000, FS: 1_000, Files: 2_000, Sighand: 1_500, Signal: 20_000},
		MMPerMiB: 15_000, MMPerMiBHuge: 700, FDPer: 5,
		FlagCost: map[string]float64{"CHILD_SETTID": 50, "CHILD_CLEARTID": 300, "SYSVSEM": 200, "SETTLS": 100, "PARENT_SETTID": 40, "VFORK": 3_000},
		Extra:    map[string]float64{"thread-fresh-stack": 8_000, "pthread": 5_000, "libc-fork": 90_000, "spawn": 400_000, "goroutine": 400},
		Overhead: map[string]float64{"pipe": 900, "futex": 600, "eventfd": 800, "unix": 1_800, "yield": 250, "chan": 150},
		Switch:   2_500, SwitchMM: 3_000,
		RemoteWake: 4_000, Colocated: 0.25,
		TouchPerKiB:       3,
		CacheRefillPerKiB: 1, RefillPerKiB: 4,
		Goroutine: map[string]float64{"pipe/same": 9_000, "pipe/any": 12_000, "chan/any": 400},
	}
}

func TestCheckFlags(t *testing.T) {
	tests := []struct {
		name  string
		flags rawclone.Flags
		want  error // nil: accepted
		errno syscall.Errno
	}{
		{"fork", rawclone.ForkFlags, nil, 0},
		{"thread", rawclone.ThreadFlags, nil, 0},
		{"vfork", rawclone.VforkFlags, nil, 0},
		{"spawn", rawclone.CloneVM | rawclone.CloneVfork | rawclone.ClonePidfd | rawclone.SIGCHLD, nil, 0},
		{"VM alone", rawclone.CloneVM | rawclone.SIGCHLD, nil, 0},
		{"THREAD without SIGHAND", rawclone.CloneVM | rawclone.CloneThread, ErrThreadNoSighand, syscall.EINVAL},
		{"SIGHAND without VM", rawclone.CloneSighand | rawclone.SIGCHLD, ErrSighandNoVM, syscall.EINVAL},
		{"THREAD|SIGHAND without VM", rawclone.CloneSighand | rawclone.CloneThread, ErrSighandNoVM, syscall.EINVAL},
		{"NEWNS with FS", rawclone.CloneNewNS | rawclone.CloneFS | rawclone.SIGCHLD, ErrNewNSWithFS, syscall.EINVAL},
		{"NEWUSER with FS", rawclone.CloneNewUser | rawclone.CloneFS | rawclone.SIGCHLD, ErrNewUserWithFS, syscall.EINVAL},
		{"NEWNS alone", rawclone.CloneNewNS | rawclone.SIGCHLD, nil, 0},
		{"THREAD into NEWPID", rawclone.ThreadFlags | rawclone.CloneNewPID, ErrThreadNewNS, syscall.EINVAL},
		{"THREAD into NEWUSER", rawclone.CloneVM | rawclone.CloneSighand | rawclone.CloneThread | rawclone.CloneNewUser, ErrThreadNewNS, syscall.EINVAL},
		{"CLEAR_SIGHAND with SIGHAND", rawclone.CloneVM | rawclone.CloneSighand | CloneClearSighand, ErrClearSighand, syscall.EINVAL},
		{"CLEAR_SIGHAND alone", CloneClearSighand | rawclone.SIGCHLD, nil, 0},
		{"PIDFD with DETACHED", rawclone.ClonePidfd | rawclone.CloneDetached | rawclone.SIGCHLD, ErrPidfdDetached, syscall.EINVAL},
		{"unknown bit", 1 << 40, ErrUnknownFlag, syscall.EINVAL},
		{"INTO_CGROUP, not modelled", 1 << 33, ErrUnknownFlag, syscall.EINVAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := NewKernel(testProfile())
			p := k.Spawn()
			child, err := k.Clone(p, tt.flags)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Clone(%s) = %v, want success", tt.flags, err)
				}
				if child.Pid == p.Pid {
					t.Fatalf("child has its parent's pid %d", p.Pid)
				}
				return
			}
			if !errors.Is(err, tt.want) || !errors.Is(err, tt.errno) {
				t.Fatalf("Clone(%s) = %v, want %v (%v)", tt.flags, err, tt.want, tt.errno)
			}
			if child != nil {
				t.Fatalf("Clone failed but returned a task")
			}
		})
	}
}

func TestNamespaceNeedsPrivilege(t *testing.T) {
	k := NewKernel(testProfile())
	k.Privileged = false
	p := k.Spawn()
	if _, err := k.Clone(p, rawclone.CloneNewNet|rawclone.SIGCHLD); !errors.Is(err, syscall.EPERM) {
		t.Fatalf("unprivileged CLONE_NEWNET = %v, want EPERM", err)
	}
	if _, err := k.Clone(p, rawclone.CloneNewUser|rawclone.SIGCHLD); err != nil {
		t.Fatalf("unprivileged CLONE_NEWUSER = %v, want success", err)
	}
}

func TestCloneParentFromInit(t *testing.T) {
	k := NewKernel(testProfile())
	if _, err := k.Clone(k.Init, rawclone.CloneParent|rawclone.SIGCHLD); !errors.Is(err, ErrParentFromInit) {
		t.Fatalf("CLONE_PARENT from init = %v, want %v", err, ErrParentFromInit)
	}
	p := k.Spawn()
	sib, err := k.Clone(p, rawclone.CloneParent|rawclone.SIGCHLD)
	if err != nil {
		t.Fatal(err)
	}
	if sib.Parent != k.Init {
		t.Fatalf("CLONE_PARENT child's parent is pid %d, want init", sib.Parent.Pid)
	}
	if _, err := k.Wait(p, sib.Pid); !errors.Is(err, syscall.ECHILD) {
		t.Fatalf("the cloner reaping its sibling = %v, want ECHILD", err)
	}
}

// TestSharing clones every subset of the five resource flags and checks
// that the child shares exactly the structures its flags name, with the
// reference counts copy_process keeps, and that exit and reap give every
// reference back.
func TestSharing(t *testing.T) {
	for mask := range 32 {
		flags := subsetFlags(mask)
		t.Run(flags.String(), func(t *testing.T) {
			k := NewKernel(testProfile())
			p := k.Spawn()
			mm, files, fs, sh := p.MM.Users, p.Files.Count, p.FS.Users, p.Sighand.Count
			child, err := k.Clone(p, flags)
			valid := (flags&rawclone.CloneThread == 0 || flags&rawclone.CloneSighand != 0) && (flags&rawclone.CloneSighand == 0 || flags&rawclone.CloneVM != 0)
			if !valid {
				if !errors.Is(err, syscall.EINVAL) {
					t.Fatalf("Clone = %v, want EINVAL", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := flags &^ rawclone.SignalMask
			if got := Shared(p, child); got != want {
				t.Fatalf("shared %s, want %s", got, want)
			}
			count := func(shared bool, before, after int) {
				t.Helper()
				w := before
				if shared {
					w++
				}
				if after != w {
					t.Errorf("reference count %d, want %d", after, w)
				}
			}
			count(flags&rawclone.CloneVM != 0, mm, p.MM.Users)
			count(flags&rawclone.CloneFiles != 0, files, p.Files.Count)
			count(flags&rawclone.CloneFS != 0, fs, p.FS.Users)
			count(flags&rawclone.CloneSighand != 0, sh, p.Sighand.Count)
			if got, want := child.Getpid() == p.Getpid(), flags&rawclone.CloneThread != 0; got != want {
				t.Errorf("child getpid %d, parent getpid %d: same=%v, want %v", child.Getpid(), p.Getpid(), got, want)
			}
			if child.Gettid() == p.Gettid() {
				t.Errorf("child and parent share tid %d", child.Gettid())
			}
			if err := k.Exit(child, 0); err != nil {
				t.Fatal(err)
			}
			if flags&rawclone.CloneThread == 0 {
				if _, err := k.Wait(p, child.Pid); err != nil {
					t.Fatal(err)
				}
			}
			if k.Live(child.Pid) {
				t.Fatalf("task %d still visible after exit and reap", child.Pid)
			}
			if p.MM.Users != mm || p.Files.Count != files || p.FS.Users != fs || p.Sighand.Count != sh || p.Signal.NrThreads != 1 {
				t.Fatalf("references not given back: mm %d files %d fs %d sighand %d threads %d",
					p.MM.Users, p.Files.Count, p.FS.Users, p.Sighand.Count, p.Signal.NrThreads)
			}
		})
	}
}

func TestProcViewAndReap(t *testing.T) {
	k := NewKernel(testProfile())
	p := k.Spawn()
	th1, err := k.Clone(p, rawclone.ThreadFlags)
	if err != nil {
		t.Fatal(err)
	}
	th2, err := k.Clone(th1, rawclone.ThreadFlags) // a thread's thread joins the same group
	if err != nil {
		t.Fatal(err)
	}
	child, err := k.Clone(p, rawclone.ForkFlags)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k.ProcList(), []int{k.Init.Pid, p.Pid, child.Pid}; !slices.Equal(got, want) {
		t.Fatalf("ProcList = %v, want %v (threads are not listed)", got, want)
	}
	if got, want := mustProcTask(t, k, p.Pid), []int{p.Pid, th1.Pid, th2.Pid}; !slices.Equal(got, want) {
		t.Fatalf("ProcTask(%d) = %v, want %v", p.Pid, got, want)
	}
	if th2.Getpid() != p.Pid || th2.Gettid() != th2.Pid {
		t.Fatalf("thread getpid/gettid = %d/%d, want %d/%d", th2.Getpid(), th2.Gettid(), p.Pid, th2.Pid)
	}
	if _, err := k.ProcTask(th1.Pid); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("ProcTask(thread id) = %v, want ESRCH (no /proc/TID/task of its own at the top)", err)
	}
	if _, err := k.Lookup(th1.Pid); err != nil {
		t.Fatalf("Lookup(thread id) = %v: /proc/TID works for any tid", err)
	}

	// The leader exits first: it stays a zombie while its threads run and
	// cannot be reaped until the last one is gone.
	if err := k.Exit(p, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Wait(k.Init, p.Pid); !errors.Is(err, ErrNotExited) {
		t.Fatalf("reaping a leader with live threads = %v, want ErrNotExited", err)
	}
	if err := k.Exit(th1, 0); err != nil {
		t.Fatal(err)
	}
	if k.Live(th1.Pid) {
		t.Fatalf("thread %d not released at exit", th1.Pid)
	}
	if err := k.Exit(th2, 0); err != nil {
		t.Fatal(err)
	}
	code, err := k.Wait(k.Init, p.Pid)
	if err != nil || code != 3 {
		t.Fatalf("reap leader = %d, %v; want 3, nil", code, err)
	}
	if _, err := k.Wait(k.Init, p.Pid); !errors.Is(err, syscall.ECHILD) {
		t.Fatalf("second reap = %v, want ECHILD", err)
	}
	if err := k.Exit(th1, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("exit of an exited task = %v, want ESRCH", err)
	}
	// The forked child outlived its whole group: init reaps it now.
	if child.Parent != k.Init {
		t.Fatalf("orphan's parent is pid %d, want init", child.Parent.Pid)
	}
	if child.MM.Users != 1 {
		t.Fatalf("orphan's mm has %d users, want 1", child.MM.Users)
	}
	k.Exit(child, 0)
	if _, err := k.Wait(k.Init, child.Pid); err != nil {
		t.Fatalf("init reaping the orphan = %v", err)
	}
}

func mustProcTask(t *testing.T, k *Kernel, tgid int) []int {
	t.Helper()
	ids, err := k.ProcTask(tgid)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestVforkSuspendsParent(t *testing.T) {
	k := NewKernel(testProfile())
	p := k.Spawn()
	c, err := k.Clone(p, rawclone.VforkFlags)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Clone(p, rawclone.ForkFlags); !errors.Is(err, ErrVforkBlock) {
		t.Fatalf("clone from a parent suspended in vfork = %v, want ErrVforkBlock", err)
	}
	if err := k.Exit(c, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Clone(p, rawclone.ForkFlags); err != nil {
		t.Fatalf("clone after the vfork child exited = %v", err)
	}
}

func TestPidAllocation(t *testing.T) {
	k := NewKernel(testProfile())
	p := k.Spawn()
	seen := map[int]bool{}
	for range 100 {
		c, err := k.Clone(p, rawclone.ForkFlags)
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.Pid] || c.Pid <= p.Pid {
			t.Fatalf("pid %d reused or not increasing", c.Pid)
		}
		seen[c.Pid] = true
		k.Exit(c, 0)
		if _, err := k.Wait(p, c.Pid); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFlagWords pins how the model reads and writes flag sets: as
// rawclone does, since row names and error messages carry rawclone's
// spelling. Every set the model issues, its clone3 bit included, reads
// back as itself.
func TestFlagWords(t *testing.T) {
	for _, f := range []rawclone.Flags{0, rawclone.ForkFlags, rawclone.ThreadFlags, rawclone.VforkFlags,
		rawclone.CloneVM | 40, CloneClearSighand | rawclone.SIGCHLD, styles["spawn"].flags} {
		got, err := rawclone.ParseFlags(f.String())
		if err != nil || got != f {
			t.Errorf("ParseFlags(%q) = %#x, %v; want %#x", f.String(), uint64(got), err, uint64(f))
		}
	}
	tests := []struct {
		in   string
		want rawclone.Flags
		ok   bool
	}{
		{"THREAD", rawclone.CloneThread, true},                   // upper case: the single flag
		{"thread", rawclone.ThreadFlags, true},                   // lower case: the seed set
		{"fork|VM", rawclone.ForkFlags | rawclone.CloneVM, true}, // a seed set with flags added
		{"0", 0, true},
		{"", 0, false}, // no flags is written "0", never left empty
		{"VM|BOGUS", 0, false},
		{"VM+FS", 0, false}, // only '|' joins flags
		{"SIGCHLD|SIGUSR1", 0, false},
	}
	for _, tt := range tests {
		got, err := rawclone.ParseFlags(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseFlags(%q) = %s, %v; want %s (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestKnownFlags checks the model knows every clone(2) bit above the exit
// signal, each by rawclone's name, and nothing beyond but its clone3 bit.
func TestKnownFlags(t *testing.T) {
	if legacyFlags != 0xffffff00 {
		t.Errorf("legacyFlags = %#x, want every bit of 0xffffff00", uint64(legacyFlags))
	}
	for _, bit := range bits(legacyFlags) {
		if name := flagName(bit); name == "" || name[0] == '0' {
			t.Errorf("bit %#x has no rawclone name (%q)", uint64(bit), name)
		}
	}
	if got := bits(knownFlags); len(got) != 25 || got[len(got)-1] != CloneClearSighand {
		t.Errorf("known bits %v, want the 24 of clone(2) and CLEAR_SIGHAND", got)
	}
}

// subsetFlags is subset mask of resourceBits as a clone flag set, with the
// exit signal a task of its own thread group needs.
func subsetFlags(mask int) rawclone.Flags {
	var flags rawclone.Flags
	for i, bit := range resourceBits {
		if mask&(1<<i) != 0 {
			flags |= bit
		}
	}
	if flags&rawclone.CloneThread == 0 {
		flags |= rawclone.SIGCHLD
	}
	return flags
}
