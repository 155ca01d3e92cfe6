//go:build linux && (amd64 || arm64)

package rawclone

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/procfs"
)

// waitTimeout bounds every join in these tests: a bug must fail a test, not
// hang it. It is no measurement.
const waitTimeout = 10 * time.Second

// procStatus reads /proc/TID/status (which exists for every tid, thread-group
// leader or not) into a map.
func procStatus(t *testing.T, tid int) map[string]string {
	t.Helper()
	m, err := procfs.Status(tid)
	if err != nil {
		t.Fatalf("task %d: %v", tid, err)
	}
	return m
}

// statusHex reads a hex field (SigCgt, SigBlk, …) of /proc/TID/status.
func statusHex(t *testing.T, tid int, field string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(procStatus(t, tid)[field], 16, 64)
	if err != nil {
		t.Fatalf("task %d: %s: %v", tid, field, err)
	}
	return v
}

func pipe(t *testing.T) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	return p[0], p[1]
}

// blocked clones a child that blocks reading a pipe, so the test can look at
// it from outside; release lets it read its byte and exit, and checks it
// exited cleanly. The child is killed at cleanup if the test fails first.
func blocked(t *testing.T, flags Flags, opt Options) (task *Task, release func()) {
	t.Helper()
	r, w := pipe(t)
	task, err := Clone(flags, Body{Op: OpBlockRead, In: r, CPU: NoCPU}, opt)
	if err != nil {
		t.Fatalf("Clone(%v): %v", flags, err)
	}
	t.Cleanup(func() { task.Kill() })
	return task, func() {
		t.Helper()
		if _, err := unix.Write(w, []byte{1}); err != nil {
			t.Fatal(err)
		}
		if err := task.Wait(waitTimeout); err != nil {
			t.Fatalf("%v child: %v", flags, err)
		}
		if got := task.Result().Bytes; got != 1 {
			t.Errorf("%v child read %d bytes, want 1", flags, got)
		}
	}
}

func TestThreadStyleChildIsATaskInOurProcess(t *testing.T) {
	for _, st := range []StackMode{StackCached, StackFresh} {
		task, release := blocked(t, ThreadFlags, Options{Stack: st})
		tid, pid := task.Tid(), os.Getpid()
		if tid == pid {
			t.Errorf("thread-style child's tid %d is our pid", tid)
		}
		if tgid := procStatus(t, tid)["Tgid"]; tgid != strconv.Itoa(pid) {
			t.Errorf("thread-style child %d has Tgid %s, want our pid %d", tid, tgid, pid)
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid)); err != nil {
			t.Errorf("thread-style child %d not in /proc/self/task: %v", tid, err)
		}
		if slices.Contains(readDirNames(t, "/proc"), strconv.Itoa(tid)) {
			t.Errorf("thread-style child %d is listed in /proc, which lists thread-group leaders only", tid)
		}
		f, err := os.Open(fmt.Sprintf("/proc/%d", tid))
		if err != nil {
			t.Errorf("thread-style child %d: /proc/%d does not open: %v", tid, tid, err)
		} else {
			f.Close()
		}
		release()
	}
}

// slowExit opens a few thousand descriptors (closed at the test's end) so
// that a child with a private copy of the fd table spends a while in
// do_exit's exit_files, after exit_mm cleared its join word: its join then
// returns while it still exists (here in 19–20 of 20 joins).
func slowExit(t *testing.T) {
	t.Helper()
	null, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	fds := []int{null}
	t.Cleanup(func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	})
	for range 5000 {
		fd, err := unix.FcntlInt(uintptr(null), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			t.Fatalf("dup /dev/null: %v", err)
		}
		fds = append(fds, fd)
	}
}

// Gone returns once the task is out of /proc, for a joined thread (one
// with its own fd table lingers past its join: slowExit) and a reaped
// child alike.
func TestGoneAfterWait(t *testing.T) {
	slowExit(t)
	for _, flags := range []Flags{ThreadFlags &^ CloneFiles, ThreadFlags, ForkFlags} {
		t.Run(flags.String(), func(t *testing.T) {
			caught := 0
			for range 20 {
				task, err := Clone(flags, Body{Op: OpExit, CPU: NoCPU}, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if err := task.Wait(5 * time.Second); err != nil {
					t.Fatal(err)
				}
				if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", task.Tid())); err == nil {
					caught++
				}
				if err := task.Gone(5 * time.Second); err != nil {
					t.Fatal(err)
				}
				for _, p := range []string{fmt.Sprintf("/proc/self/task/%d", task.Tid()), fmt.Sprintf("/proc/%d", task.Tid())} {
					if _, err := os.Stat(p); err == nil {
						t.Fatalf("%s exists after Gone", p)
					}
				}
			}
			t.Logf("%d of 20 still listed between their join and Gone", caught)
		})
	}
}

func TestForkStyleChildIsItsOwnProcess(t *testing.T) {
	task, release := blocked(t, ForkFlags, Options{})
	tid, pid := task.Tid(), os.Getpid()
	if tgid := procStatus(t, tid)["Tgid"]; tgid != strconv.Itoa(tid) {
		t.Errorf("fork-style child %d has Tgid %s, want its own pid (ours is %d)", tid, tgid, pid)
	}
	if ppid := procStatus(t, tid)["PPid"]; ppid != strconv.Itoa(pid) {
		t.Errorf("fork-style child %d has PPid %s, want %d", tid, ppid, pid)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid)); err == nil {
		t.Errorf("fork-style child %d is in our /proc/self/task", tid)
	}
	if !slices.Contains(readDirNames(t, "/proc"), strconv.Itoa(tid)) {
		t.Errorf("fork-style child %d not listed in /proc", tid)
	}
	release()
}

func readDirNames(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// For each sharing flag: something the parent changes after the clone is
// seen in the child's /proc entry exactly when the flag is set.
func TestCloneFilesSharesTheFDTable(t *testing.T) {
	for _, flags := range []Flags{SIGCHLD, CloneFiles | SIGCHLD} {
		task, release := blocked(t, flags, Options{})
		fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
		if err != nil {
			t.Fatal(err)
		}
		_, err = os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", task.Tid(), fd))
		if seen := err == nil; seen != flags.Has(CloneFiles) {
			t.Errorf("%v: fd %d opened after the clone seen in /proc/CHILD/fd: %v", flags, fd, seen)
		}
		unix.Close(fd)
		release()
	}
}

func TestCloneVMSharesTheAddressSpace(t *testing.T) {
	for _, flags := range []Flags{SIGCHLD, CloneVM | SIGCHLD} {
		task, release := blocked(t, flags, Options{})
		mem, err := unix.Mmap(-1, 0, 3*4096, unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
		if err != nil {
			t.Fatal(err)
		}
		start := fmt.Sprintf("%x-", uintptr(unsafe.Pointer(&mem[0])))
		maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", task.Tid()))
		if err != nil {
			t.Fatal(err)
		}
		seen := false
		for _, line := range strings.Split(string(maps), "\n") {
			if strings.HasPrefix(line, start) {
				seen = true
			}
		}
		if seen != flags.Has(CloneVM) {
			t.Errorf("%v: mapping at %s made after the clone seen in /proc/CHILD/maps: %v", flags, start, seen)
		}
		unix.Munmap(mem)
		release()
	}
}

func TestCloneFSSharesTheWorkingDirectory(t *testing.T) {
	// Go's threads share one fs_struct (the runtime clones them with
	// CLONE_FS), so a chdir on any of them is the calling thread's.
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(old)
	for _, flags := range []Flags{SIGCHLD, CloneFS | SIGCHLD} {
		dir, err := filepath.EvalSymlinks(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		task, release := blocked(t, flags, Options{})
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", task.Tid()))
		os.Chdir(old)
		if err != nil {
			t.Fatal(err)
		}
		if moved := cwd == dir; moved != flags.Has(CloneFS) {
			t.Errorf("%v: parent's chdir to %s after the clone moved the child's cwd (now %s): %v", flags, dir, cwd, moved)
		}
		release()
	}
}

func TestCloneSighandSharesSignalHandlers(t *testing.T) {
	const sig = unix.SIGUSR1
	bit := uint64(1) << (sig - 1)
	// Go installs a handler for SIGUSR1 at start-up; ignore it so that the
	// child starts without one, and install one again after the clone.
	signal.Ignore(sig)
	defer signal.Reset(sig)
	for _, flags := range []Flags{CloneVM | SIGCHLD, CloneVM | CloneSighand | SIGCHLD} {
		signal.Ignore(sig)
		task, release := blocked(t, flags, Options{})
		if statusHex(t, task.Tid(), "SigCgt")&bit != 0 {
			t.Fatalf("%v: child catches %v before any handler was installed", flags, sig)
		}
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, sig)
		if statusHex(t, os.Getpid(), "SigCgt")&bit == 0 {
			t.Fatalf("signal.Notify(%v) installed no handler", sig)
		}
		caught := statusHex(t, task.Tid(), "SigCgt")&bit != 0
		signal.Stop(ch)
		if caught != flags.Has(CloneSighand) {
			t.Errorf("%v: handler installed after the clone seen in the child's SigCgt: %v", flags, caught)
		}
		release()
	}
}

// Every signal is blocked in the child (as newosproc does for Go's own
// threads), so no Go handler can run on a raw task.
func TestChildStartsWithEverySignalBlocked(t *testing.T) {
	for _, flags := range []Flags{ThreadFlags, ForkFlags} {
		task, release := blocked(t, flags, Options{})
		blk := statusHex(t, task.Tid(), "SigBlk")
		// SIGKILL and SIGSTOP cannot be blocked.
		want := ^uint64(0) &^ (1<<(unix.SIGKILL-1) | 1<<(unix.SIGSTOP-1))
		if blk != want {
			t.Errorf("%v: child SigBlk %016x, want %016x", flags, blk, want)
		}
		release()
	}
	// And the caller's mask is restored.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var before, after unix.Sigset_t
	unix.PthreadSigmask(unix.SIG_SETMASK, nil, &before)
	task, err := Clone(ThreadFlags, Body{CPU: NoCPU}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Wait(waitTimeout); err != nil {
		t.Fatal(err)
	}
	unix.PthreadSigmask(unix.SIG_SETMASK, nil, &after)
	if before != after {
		t.Errorf("signal mask after Clone %x, before %x", after.Val[0], before.Val[0])
	}
}

// TestClonerChildStartsWithEverySignalBlocked: a Cloner keeps its thread's
// signals blocked instead of blocking them per clone; its children must
// start exactly as Clone's do, and Close must give the thread its mask back.
func TestClonerChildStartsWithEverySignalBlocked(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The goroutine locks its thread and never unlocks: the Cloner
		// changes its mask, and a test failure must not hand it back.
		runtime.LockOSThread()
		var before, after unix.Sigset_t
		unix.PthreadSigmask(unix.SIG_SETMASK, nil, &before)
		cl, err := NewCloner()
		if err != nil {
			t.Error(err)
			return
		}
		want := ^uint64(0) &^ (1<<(unix.SIGKILL-1) | 1<<(unix.SIGSTOP-1))
		for _, flags := range []Flags{ThreadFlags, ForkFlags} {
			r, w := pipe(t)
			task, err := cl.Clone(flags, Body{Op: OpBlockRead, In: r, CPU: NoCPU}, Options{})
			if err != nil {
				t.Errorf("Cloner.Clone(%v): %v", flags, err)
				continue
			}
			if blk := statusHex(t, task.Tid(), "SigBlk"); blk != want {
				t.Errorf("%v: Cloner child SigBlk %016x, want %016x", flags, blk, want)
			}
			unix.Write(w, []byte{1})
			if err := task.Wait(waitTimeout); err != nil {
				t.Errorf("%v: %v", flags, err)
			}
		}
		if err := cl.Close(); err != nil {
			t.Error(err)
		}
		if _, err := cl.Clone(ThreadFlags, Body{CPU: NoCPU}, Options{}); err == nil {
			t.Error("Clone on a closed Cloner succeeded")
		}
		unix.PthreadSigmask(unix.SIG_SETMASK, nil, &after)
		if before != after {
			t.Errorf("signal mask after Close %x, before NewCloner %x", after.Val[0], before.Val[0])
		}
	}()
	<-done
}

func TestCPUPinsTheChild(t *testing.T) {
	cpu := runtime.NumCPU() - 1
	for _, flags := range []Flags{ThreadFlags, ForkFlags} {
		r, w := pipe(t)
		task, err := Clone(flags, Body{Op: OpBlockRead, In: r, CPU: cpu}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		// The child pins itself first thing: wait until it has.
		var got string
		for deadline := time.Now().Add(waitTimeout); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if got = procStatus(t, task.Tid())["Cpus_allowed_list"]; got == strconv.Itoa(cpu) {
				break
			}
		}
		if got != strconv.Itoa(cpu) {
			t.Errorf("%v child with CPU %d has Cpus_allowed_list %s", flags, cpu, got)
		}
		unix.Write(w, []byte{1})
		if err := task.Wait(waitTimeout); err != nil {
			t.Fatal(err)
		}
	}
}

// channel is a pair of one-way channels between two ping-pong sides.
type channel struct {
	name   string
	iosize int
	open   func(t *testing.T) (aIn, aOut, bIn, bOut int)
}

var channels = []channel{
	{"pipe", 1, func(t *testing.T) (int, int, int, int) {
		r1, w1 := pipe(t)
		r2, w2 := pipe(t)
		return r1, w2, r2, w1
	}},
	{"socketpair", 1, func(t *testing.T) (int, int, int, int) {
		s, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(s[0]); unix.Close(s[1]) })
		return s[0], s[0], s[1], s[1]
	}},
	{"eventfd", 8, func(t *testing.T) (int, int, int, int) {
		e1, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
		if err != nil {
			t.Fatal(err)
		}
		e2, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(e1); unix.Close(e2) })
		return e1, e2, e2, e1
	}},
}

var modes = []struct {
	name  string
	flags Flags
}{
	{"process", ForkFlags},
	{"thread", ThreadFlags},
	{"vm-process", CloneVM | CloneChildClearTID | SIGCHLD},
}

// pair runs a ping-pong between two cloned tasks and returns both results.
func pair(t *testing.T, flags Flags, a, b Body) (Result, Result) {
	t.Helper()
	a.Initiator, b.Initiator = true, false
	ta, err := Clone(flags, a, Options{})
	if err != nil {
		t.Fatalf("Clone(%v): %v", flags, err)
	}
	defer ta.Kill()
	tb, err := Clone(flags, b, Options{})
	if err != nil {
		t.Fatalf("Clone(%v): %v", flags, err)
	}
	defer tb.Kill()
	if err := ta.Wait(waitTimeout); err != nil {
		t.Fatalf("initiator: %v", err)
	}
	if err := tb.Wait(waitTimeout); err != nil {
		t.Fatalf("responder: %v", err)
	}
	return ta.Result(), tb.Result()
}

func TestPingPongMovesExactlyNRoundsOfBytesEachWay(t *testing.T) {
	const n, warmup = 300, 7
	ws, err := Map(64<<10, false)
	if err != nil {
		t.Fatal(err)
	}
	defer Unmap(ws)
	for _, m := range modes {
		for _, ch := range channels {
			for _, cr := range callRets {
				t.Run(m.name+"/"+ch.name+cr.suffix, func(t *testing.T) {
					aIn, aOut, bIn, bOut := ch.open(t)
					body := func(in, out int) Body {
						return Body{Op: OpPingPong, Mech: MechFD, In: in, Out: out, IOSize: ch.iosize,
							N: n, Warmup: warmup, WorkingSet: ws, CPU: NoCPU, CallRet: cr.on}
					}
					ra, rb := pair(t, m.flags, body(aIn, aOut), body(bIn, bOut))
					want := int64((n + warmup) * ch.iosize)
					if ra.Bytes != want || rb.Bytes != want {
						t.Errorf("bytes read: initiator %d, responder %d; want %d each", ra.Bytes, rb.Bytes, want)
					}
					if ra.Rounds != n+warmup || rb.Rounds != n+warmup {
						t.Errorf("rounds: initiator %d, responder %d; want %d", ra.Rounds, rb.Rounds, n+warmup)
					}
					if ra.Elapsed() <= 0 || ra.Start <= 0 {
						t.Errorf("initiator interval %v-%v", ra.Start, ra.End)
					}
					if rb.Start != 0 || rb.End != 0 {
						t.Errorf("responder has an interval %v-%v", rb.Start, rb.End)
					}
					// Nothing left in flight: both sides read every byte written.
					for _, fd := range []int{aIn, bIn} {
						if left := pending(t, fd); left != 0 {
							t.Errorf("%d bytes left unread on fd %d", left, fd)
						}
					}
				})
			}
		}
	}
}

// callRets runs a loop test with the system calls inline and through
// call/ret (Body.CallRet); the inline case keeps its old subtest name.
var callRets = []struct {
	suffix string
	on     bool
}{{"", false}, {"/callret", true}}

// pending reports how much is unread on fd: FIONREAD for pipes and sockets,
// the counter for an eventfd.
func pending(t *testing.T, fd int) int {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFIFO || st.Mode&unix.S_IFMT == unix.S_IFSOCK {
		n, err := unix.IoctlGetInt(fd, unix.TIOCINQ) // FIONREAD
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	var pfd = []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(pfd, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// With this test as the partner, count the bytes from outside the child.
func TestPingPongChildMovesExactlyNBytesSeenFromOutside(t *testing.T) {
	const n, warmup = 100, 3
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			toChild, toChildW := pipe(t)
			fromChildR, fromChild := pipe(t)
			task, err := Clone(m.flags, Body{Op: OpPingPong, In: toChild, Out: fromChild, IOSize: 1,
				N: n, Warmup: warmup, CPU: NoCPU}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer task.Kill()
			buf := make([]byte, 16)
			got := 0
			for i := 0; i < n+warmup; i++ {
				if _, err := unix.Write(toChildW, buf[:1]); err != nil {
					t.Fatal(err)
				}
				k, err := unix.Read(fromChildR, buf)
				if err != nil {
					t.Fatal(err)
				}
				got += k
			}
			if err := task.Wait(waitTimeout); err != nil {
				t.Fatal(err)
			}
			if got != n+warmup {
				t.Errorf("read %d bytes from the child, want %d", got, n+warmup)
			}
			if left := pending(t, fromChildR); left != 0 {
				t.Errorf("child wrote %d bytes more than %d", left, n+warmup)
			}
		})
	}
}

func TestFutexAndYieldPingPongComplete(t *testing.T) {
	const n, warmup = 200, 5
	for _, m := range modes {
		for _, mech := range []Mech{MechFutex, MechYield} {
			for _, cr := range callRets {
				name := map[Mech]string{MechFutex: "futex", MechYield: "yield"}[mech]
				t.Run(m.name+"/"+name+cr.suffix, func(t *testing.T) {
					w, err := NewWord()
					if err != nil {
						t.Fatal(err)
					}
					defer w.Free()
					cpu := NoCPU
					if mech == MechYield {
						cpu = 0 // yield only hands over on one CPU
					}
					b := Body{Op: OpPingPong, Mech: mech, Word: w, N: n, Warmup: warmup, CPU: cpu, CallRet: cr.on}
					ra, rb := pair(t, m.flags, b, b)
					if ra.Rounds != n+warmup || rb.Rounds != n+warmup {
						t.Errorf("rounds: initiator %d, responder %d; want %d", ra.Rounds, rb.Rounds, n+warmup)
					}
					if ra.Elapsed() <= 0 {
						t.Errorf("initiator elapsed %v", ra.Elapsed())
					}
					// The responder hands the turn back last.
					if got := w.Load(); got != 0 {
						t.Errorf("word ends at %d, want 0 (initiator's turn)", got)
					}
				})
			}
		}
	}
}

func TestLoopbackRunsNRoundsAlone(t *testing.T) {
	const n = 100
	for _, m := range modes {
		for _, mech := range []Mech{MechFD, MechFutex, MechYield} {
			for _, cr := range callRets {
				t.Run(fmt.Sprintf("%s/mech=%d%s", m.name, mech, cr.suffix), func(t *testing.T) {
					w, err := NewWord()
					if err != nil {
						t.Fatal(err)
					}
					defer w.Free()
					r, wr := pipe(t)
					task, err := Clone(m.flags, Body{Op: OpLoopback, Mech: mech, In: r, Out: wr, IOSize: 1, Word: w, N: n, CPU: NoCPU, CallRet: cr.on}, Options{})
					if err != nil {
						t.Fatal(err)
					}
					if err := task.Wait(waitTimeout); err != nil {
						t.Fatal(err)
					}
					res := task.Result()
					if res.Rounds != n || res.Elapsed() <= 0 {
						t.Errorf("loopback: %d rounds in %v, want %d rounds", res.Rounds, res.Elapsed(), n)
					}
					if mech == MechFD && res.Bytes != n {
						t.Errorf("loopback read %d bytes, want %d", res.Bytes, n)
					}
				})
			}
		}
	}
}

func TestKernelRefusesInvalidFlagSetsWithEINVAL(t *testing.T) {
	for _, flags := range []Flags{
		CloneThread,                          // THREAD without SIGHAND
		CloneThread | CloneVM,                // still without SIGHAND
		CloneSighand | SIGCHLD,               // SIGHAND without VM
		CloneNewNS | CloneFS | SIGCHLD,       // a new mount namespace cannot share fs
		CloneNewUser | ThreadFlags,           // a new user namespace cannot be a thread
		CloneNewPID | ThreadFlags,            // nor a new pid namespace
		CloneThread | CloneSighand | SIGCHLD, // SIGHAND still without VM
	} {
		task, err := Clone(flags, Body{CPU: NoCPU}, Options{})
		if err == nil {
			task.Wait(waitTimeout)
			t.Errorf("Clone(%v) succeeded, want EINVAL", flags)
			continue
		}
		if !errors.Is(err, unix.EINVAL) {
			t.Errorf("Clone(%v) = %v, want an error wrapping EINVAL", flags, err)
		}
	}
}

func TestNonsenseBodiesAreRefusedBeforeTheKernel(t *testing.T) {
	w, err := NewWord()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Free()
	for _, tt := range []struct {
		flags Flags
		body  Body
		want  string
	}{
		{VforkFlags, Body{Op: OpBlockRead, In: 0, CPU: NoCPU}, "VFORK"},
		{CloneParent | SIGCHLD, Body{CPU: NoCPU}, "PARENT"},
		{ClonePidfd | SIGCHLD, Body{CPU: NoCPU}, "PIDFD"},
		{ForkFlags, Body{Op: OpPingPong, Mech: MechFD, In: 0, Out: 1, IOSize: 0, CPU: NoCPU}, "IOSize"},
		{ForkFlags, Body{Op: OpPingPong, Mech: MechFD, In: -1, Out: 1, IOSize: 1, CPU: NoCPU}, "In and Out"},
		{ForkFlags, Body{Op: OpPingPong, Mech: MechFutex, CPU: NoCPU}, "Word"},
		{ForkFlags, Body{Op: OpPingPong, Mech: 9, Word: w, CPU: NoCPU}, "mech 9"},
		{ForkFlags, Body{Op: 9, CPU: NoCPU}, "op 9"},
		{ForkFlags, Body{Op: OpPingPong, Mech: MechFutex, Word: w, N: -1, CPU: NoCPU}, "negative"},
		{ForkFlags, Body{CPU: -2}, "CPU -2"},
		{ForkFlags, Body{CPU: 5000}, "CPU 5000"},
	} {
		task, err := Clone(tt.flags, tt.body, Options{})
		if err == nil {
			task.Kill()
			t.Errorf("Clone(%v, %+v) succeeded, want an error about %s", tt.flags, tt.body, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Clone(%v, %+v) = %v, want an error about %s", tt.flags, tt.body, err, tt.want)
		}
	}
}

func TestChildKilledMidPingPongIsAnErrorNamingTheSignal(t *testing.T) {
	r1, w1 := pipe(t)
	r2, w2 := pipe(t)
	b := Body{Op: OpPingPong, In: r1, Out: w2, IOSize: 1, N: 1 << 40, CPU: NoCPU, Initiator: true}
	ta, err := Clone(ForkFlags, b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ta.Kill()
	b = Body{Op: OpPingPong, In: r2, Out: w1, IOSize: 1, N: 1 << 40, CPU: NoCPU}
	tb, err := Clone(ForkFlags, b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Kill()
	time.Sleep(20 * time.Millisecond) // let them get going
	if err := unix.Kill(tb.Tid(), unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- tb.Wait(0) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "SIGKILL") || !strings.Contains(err.Error(), strconv.Itoa(tb.Tid())) {
			t.Errorf("Wait on a SIGKILLed child = %v, want an error naming SIGKILL and tid %d", err, tb.Tid())
		}
	case <-time.After(time.Second):
		t.Fatalf("Wait on a SIGKILLed child did not return within a second")
	}
	// The partner is blocked for good; Kill ends it without an error.
	if err := ta.Kill(); err != nil {
		t.Errorf("Kill: %v", err)
	}
	if err := ta.Kill(); err != nil {
		t.Errorf("second Kill: %v", err)
	}
	if ta.Result().Rounds == 0 {
		t.Errorf("initiator never completed a round before its partner died")
	}
}

func TestKillEndsABlockedThreadMember(t *testing.T) {
	w, err := NewWord()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Free()
	for _, ch := range channels {
		t.Run(ch.name, func(t *testing.T) {
			aIn, aOut, _, _ := ch.open(t)
			task, err := Clone(ThreadFlags, Body{Op: OpPingPong, In: aIn, Out: aOut, IOSize: ch.iosize, N: 10, CPU: NoCPU}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond)
			if err := task.Kill(); err != nil {
				t.Fatalf("Kill: %v", err)
			}
			// The kernel clears the tid word a moment before the task
			// is released; Gone waits for that moment.
			if err := task.Gone(5 * time.Second); err != nil {
				t.Fatalf("Gone after Kill: %v", err)
			}
			if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", task.Tid())); err == nil {
				t.Errorf("task %d still in /proc/self/task after Kill and Gone", task.Tid())
			}
		})
	}
	for _, mech := range []Mech{MechFutex, MechYield} {
		task, err := Clone(ThreadFlags, Body{Op: OpPingPong, Mech: mech, Word: w, N: 10, CPU: NoCPU}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		if err := task.Kill(); err != nil {
			t.Fatalf("mech %d: Kill: %v", mech, err)
		}
	}
}

func TestWaitTimeoutKillsAndWrapsDeadlineExceeded(t *testing.T) {
	for _, flags := range []Flags{ThreadFlags, ForkFlags, CloneVM | SIGCHLD} {
		r, _ := pipe(t)
		task, err := Clone(flags, Body{Op: OpBlockRead, In: r, CPU: NoCPU}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = task.Wait(20 * time.Millisecond)
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%v: Wait on a blocked child = %v, want os.ErrDeadlineExceeded", flags, err)
		}
		if err2 := task.Wait(0); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%v: second Wait = %v, want the first outcome %v", flags, err2, err)
		}
		if err := task.Kill(); err != nil {
			t.Errorf("%v: Kill after Wait: %v", flags, err)
		}
	}
}

func TestFailedSyscallInTheChildIsAnError(t *testing.T) {
	r, w := pipe(t)
	for _, flags := range []Flags{ThreadFlags, ForkFlags} {
		// Reading from a pipe's write end fails with EBADF.
		task, err := Clone(flags, Body{Op: OpPingPong, In: w, Out: r, IOSize: 1, N: 1, CPU: NoCPU}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = task.Wait(waitTimeout)
		if !errors.Is(err, unix.EBADF) || !strings.Contains(err.Error(), "read") || !strings.Contains(err.Error(), strconv.Itoa(task.Tid())) {
			t.Errorf("%v: Wait = %v, want an error naming tid %d, read and EBADF", flags, err, task.Tid())
		}
	}
	// End of file is a failure too.
	r2, w2 := pipe(t)
	task, err := Clone(ThreadFlags, Body{Op: OpBlockRead, In: r2, CPU: NoCPU}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(w2)
	if err := task.Wait(waitTimeout); err == nil || !strings.Contains(err.Error(), "end of file") {
		t.Errorf("Wait after EOF = %v, want an end-of-file error", err)
	}
}

// taskFDCount observes the process's tasks (other than the Go runtime's own
// threads, which it may start at any time) and fds from /proc.
func taskFDCount(t *testing.T) (tasks, fds int) {
	t.Helper()
	tasks, fds, _, err := procfs.Counts()
	if err != nil {
		t.Fatal(err)
	}
	return tasks, fds
}

func TestNoTaskLeftBehind(t *testing.T) {
	// Warm the pools and the runtime's threads first.
	if task, err := Clone(ThreadFlags, Body{CPU: NoCPU}, Options{}); err == nil {
		task.Wait(waitTimeout)
	}
	r, _ := pipe(t)
	tasks0, fds0 := taskFDCount(t)
	specs := []struct {
		flags Flags
		opt   Options
	}{
		{ThreadFlags, Options{Stack: StackCached}},
		{ThreadFlags, Options{Stack: StackFresh}},
		{ForkFlags, Options{}},
		{VforkFlags, Options{}},
		{CloneVM | SIGCHLD, Options{Stack: StackFresh}},
		{CloneVM, Options{}},                              // no exit signal: needs __WALL
		{CloneVM | CloneSighand | CloneThread, Options{}}, // no CHILD_CLEARTID: joined by polling
		{CloneVM | CloneSighand | CloneThread | CloneChildClearTID, Options{}},
	}
	for i := 0; i < 25; i++ {
		for _, s := range specs {
			task, err := Clone(s.flags, Body{CPU: NoCPU}, s.opt)
			if err != nil {
				t.Fatalf("Clone(%v): %v", s.flags, err)
			}
			if err := task.Wait(waitTimeout); err != nil {
				t.Fatalf("%v: %v", s.flags, err)
			}
		}
		// And tasks ended midway by Kill.
		for _, f := range []Flags{ThreadFlags, ForkFlags} {
			task, err := Clone(f, Body{Op: OpBlockRead, In: r, CPU: NoCPU}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := task.Kill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A joined thread is released a moment after it clears its tid word.
	var tasks, fds int
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if tasks, fds = taskFDCount(t); tasks <= tasks0 && fds <= fds0 {
			break
		}
	}
	if tasks > tasks0 {
		t.Errorf("%d tasks besides the runtime's threads after the clones, %d before", tasks, tasks0)
	}
	if fds > fds0 {
		t.Errorf("%d fds open after the clones, %d before", fds, fds0)
	}
	// No zombie or stray child: wait4 finds no child at all.
	var ws unix.WaitStatus
	if pid, err := unix.Wait4(-1, &ws, unix.WALL|unix.WNOHANG, nil); err != unix.ECHILD {
		t.Errorf("wait4(-1) = %d, %v; want ECHILD (a child left behind)", pid, err)
	}
}

func TestMapAndWord(t *testing.T) {
	for _, huge := range []bool{false, true} {
		b, err := Map(4<<20, huge)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != 4<<20 || b[0] != 1 || b[len(b)-4096] != 1 {
			t.Errorf("Map(4MiB, %v): len %d, pages not touched", huge, len(b))
		}
		if err := Unmap(b); err != nil {
			t.Error(err)
		}
	}
	if _, err := Map(0, false); err == nil {
		t.Error("Map(0) succeeded")
	}
	w, err := NewWord()
	if err != nil {
		t.Fatal(err)
	}
	w.Store(7)
	if w.Load() != 7 {
		t.Error("Word does not hold its value")
	}
	if err := w.Free(); err != nil {
		t.Error(err)
	}
	if err := w.Free(); err != nil {
		t.Errorf("second Free: %v", err)
	}
}

// A fork-style child's writes reach us through its MAP_SHARED word: the
// futex word really is shared between processes.
func TestFutexWordIsSharedWithAForkedChild(t *testing.T) {
	w, err := NewWord()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Free()
	// Responder side only: it waits for 1, sets 0 and wakes; we play the
	// initiator from Go with raw futex calls.
	task, err := Clone(ForkFlags, Body{Op: OpPingPong, Mech: MechFutex, Word: w, N: 1, CPU: NoCPU}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer task.Kill()
	w.Store(1)
	unix.Syscall6(unix.SYS_FUTEX, w.addr(), futexWake, 1, 0, 0, 0)
	for deadline := time.Now().Add(waitTimeout); w.Load() != 0; {
		if time.Now().After(deadline) {
			t.Fatal("forked child never handed the turn back through the shared word")
		}
		ts := unix.NsecToTimespec(int64(100 * time.Millisecond))
		syscall.Syscall6(unix.SYS_FUTEX, w.addr(), futexWait, 1, uintptr(unsafe.Pointer(&ts)), 0, 0)
	}
	if err := task.Wait(waitTimeout); err != nil {
		t.Fatal(err)
	}
}

// A long-lived child of its own dies with us (PR_SET_PDEATHSIG), so a
// crashed or interrupted run leaves none behind: a helper copy of this test
// binary clones a blocked fork-style child and exits without reaping it.
func TestProcessChildDiesWithUs(t *testing.T) {
	if os.Getenv("RAWCLONE_ORPHAN_HELPER") == "1" {
		r, _ := pipe(t)
		task, err := Clone(ForkFlags, Body{Op: OpBlockRead, In: r, CPU: NoCPU}, Options{})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		// Exit only once the child is blocked in its read, past its prctl;
		// a parent gone before that is caught by the child's getppid check
		// instead (it exits with status 1), which is not what this tests.
		for deadline := time.Now().Add(waitTimeout); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/syscall", task.Tid()))
			if strings.HasPrefix(string(b), strconv.Itoa(sysRead)+" ") {
				break
			}
		}
		fmt.Println("tid", task.Tid())
		os.Exit(0)
	}
	// Become the orphan's reaper, so that we can see how it ended.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatalf("PR_SET_CHILD_SUBREAPER: %v", err)
	}
	defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
	// A file, not a pipe: a surviving orphan would hold a pipe open.
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestProcessChildDiesWithUs$", "-test.count=1")
	cmd.Env = append(os.Environ(), "RAWCLONE_ORPHAN_HELPER=1")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		t.Fatalf("helper: %v: %s", err, b)
	}
	b, _ := os.ReadFile(out.Name())
	var tid int
	if _, err := fmt.Sscanf(string(b), "tid %d", &tid); err != nil {
		t.Fatalf("helper said %q: %v", b, err)
	}
	var ws unix.WaitStatus
	for deadline := time.Now().Add(waitTimeout); ; time.Sleep(time.Millisecond) {
		pid, err := unix.Wait4(tid, &ws, unix.WALL|unix.WNOHANG, nil)
		if err != nil {
			t.Fatalf("wait4(%d) for the orphan: %v", tid, err)
		}
		if pid == tid {
			break
		}
		if time.Now().After(deadline) {
			unix.Kill(tid, unix.SIGKILL)
			unix.Wait4(tid, &ws, unix.WALL, nil)
			t.Fatalf("child %d outlived the helper that cloned it by %v", tid, waitTimeout)
		}
	}
	if !ws.Signaled() || ws.Signal() != unix.SIGKILL {
		t.Errorf("orphan %d ended with status %#x, want killed by SIGKILL", tid, ws)
	}
}

// A seccomp filter refusing clone comes back as an error wrapping EPERM.
func TestSeccompRefusalIsEPERM(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The filter stays on this thread, which dies with the goroutine.
		runtime.LockOSThread()
		// Refuse clone only when CHILD_SETTID is set, which the Go runtime
		// never passes, so the runtime can still start threads from here.
		prog := []unix.SockFilter{
			{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // seccomp_data.nr
			{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: unix.SYS_CLONE, Jt: 0, Jf: 2},
			{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 16}, // low word of args[0]
			{Code: unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K, K: uint32(CloneChildSetTID), Jt: 1, Jf: 0},
			{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
			{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
		}
		if err := seccompThisThread(prog); err != nil {
			t.Error(err)
			return
		}
		task, err := Clone(ForkFlags, Body{CPU: NoCPU}, Options{})
		if err == nil {
			task.Wait(waitTimeout)
			t.Errorf("Clone(%v) under a seccomp filter refusing it succeeded", ForkFlags)
			return
		}
		if !errors.Is(err, unix.EPERM) {
			t.Errorf("Clone(%v) under seccomp = %v, want an error wrapping EPERM", ForkFlags, err)
		}
	}()
	<-done
}

// seccompThisThread installs prog as a seccomp filter on the calling,
// locked OS thread only (no TSYNC), after PR_SET_NO_NEW_PRIVS; the caller's
// goroutine never unlocks, so the filter dies with the thread.
func seccompThisThread(prog []unix.SockFilter) error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("PR_SET_NO_NEW_PRIVS: %w", err)
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&fprog)), 0, 0); err != nil {
		return fmt.Errorf("PR_SET_SECCOMP: %w", err)
	}
	return nil
}
