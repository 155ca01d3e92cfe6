//go:build linux && (amd64 || arm64)

// Fault tests: what rawclone does when the kernel refuses a clone, when a
// task dies under its partner, and after many creates in a row. They use
// only the exported API (package rawclone_test), as a caller would, and
// observe the outcome from /proc and wait calls, not from rawclone's state.
// Every wait is bounded: a bug fails a test instead of hanging it.

package rawclone_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rawclone"
	"golang.org/x/sys/unix"
)

// faultWait bounds every join and reap here. It is a liveness check, not a
// measurement.
const faultWait = 10 * time.Second

// faultHelperEnv names the test a re-run copy of this binary is to play the
// child side of.
const faultHelperEnv = "RAWCLONE_FAULT_HELPER"

// inFaultHelper reports whether this process is the re-run child for t.
func inFaultHelper(t *testing.T) bool { return os.Getenv(faultHelperEnv) == t.Name() }

// runFaultHelper re-runs this test binary with only t's test selected and
// faultHelperEnv set, so the child side can change process-wide state (uid,
// rlimits, seccomp) that must not leak into the other tests. It passes the
// child's skip on as ours and fails t if the child fails or outlives its
// deadline.
func runFaultHelper(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v", "-test.timeout=45s")
	cmd.Env = append(os.Environ(), faultHelperEnv+"="+t.Name())
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("helper process for %s did not finish within its deadline:\n%s", t.Name(), out)
	}
	if bytes.Contains(out, []byte("--- SKIP: "+t.Name())) {
		t.Skipf("helper process skipped:\n%s", helperLog(out))
	}
	if err != nil || !bytes.Contains(out, []byte("--- PASS: "+t.Name())) {
		t.Fatalf("helper process for %s: %v\n%s", t.Name(), err, out)
	}
	t.Logf("helper process:\n%s", helperLog(out))
}

// helperLog keeps the child's own log lines (indented under its test).
func helperLog(out []byte) string {
	var b strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "    ") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// spareThreads makes the Go runtime start n OS threads and park them idle,
// so that it has threads to hand work to while clone is refused: a runtime
// that cannot create a thread it needs aborts the process.
func spareThreads(n int) {
	var locked, release sync.WaitGroup
	locked.Add(n)
	release.Add(1)
	var done sync.WaitGroup
	for i := 0; i < n; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			// A locked goroutine owns its thread, so n of them at once
			// need n threads; unlocking before returning parks the thread
			// instead of ending it.
			runtime.LockOSThread()
			locked.Done()
			release.Wait()
			runtime.UnlockOSThread()
		}()
	}
	locked.Wait()
	release.Done()
	done.Wait()
}

// capEff is the effective capability set of this process.
func capEff(t *testing.T) uint64 {
	t.Helper()
	st, err := procfs.ReadStatus("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	v, ok := st["CapEff"]
	if !ok {
		t.Fatal("no CapEff line in /proc/self/status")
	}
	c, err := strconv.ParseUint(v, 16, 64)
	if err != nil {
		t.Fatalf("CapEff %q: %v", v, err)
	}
	return c
}

// Over RLIMIT_NPROC the kernel refuses every clone with EAGAIN, thread or
// process alike, and Clone returns that as an error. Root with
// CAP_SYS_RESOURCE or CAP_SYS_ADMIN is exempt from the limit, so the child
// process first becomes nobody on every thread, which drops all capabilities.
func TestCloneOverRLIMIT_NPROCIsEAGAIN(t *testing.T) {
	if !inFaultHelper(t) {
		runFaultHelper(t)
		return
	}
	const nobody = 65534
	spareThreads(2 * runtime.GOMAXPROCS(0))
	if os.Getuid() == 0 {
		// syscall.Setuid changes every thread's uid (Go 1.16+), as
		// setuid(2) in glibc does, so no thread keeps root.
		if err := syscall.Setgid(nobody); err != nil {
			t.Skipf("setgid(%d): %v: cannot leave root, which RLIMIT_NPROC does not bind", nobody, err)
		}
		if err := syscall.Setuid(nobody); err != nil {
			t.Skipf("setuid(%d): %v: cannot leave root, which RLIMIT_NPROC does not bind", nobody, err)
		}
	}
	if c := capEff(t); c&(1<<unix.CAP_SYS_RESOURCE|1<<unix.CAP_SYS_ADMIN) != 0 {
		t.Skipf("uid %d still has CAP_SYS_RESOURCE or CAP_SYS_ADMIN (CapEff %#x), which exempt it from RLIMIT_NPROC", os.Getuid(), c)
	}
	// The limit counts every task of our real uid, threads included; 0 is
	// below any count, so the very next clone is over it.
	if err := unix.Setrlimit(unix.RLIMIT_NPROC, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		t.Fatalf("setrlimit(RLIMIT_NPROC, 0): %v", err)
	}
	for _, flags := range []rawclone.Flags{rawclone.ForkFlags, rawclone.ThreadFlags, rawclone.VforkFlags} {
		for _, st := range []rawclone.StackMode{rawclone.StackCached, rawclone.StackFresh} {
			task, err := rawclone.Clone(flags, rawclone.Body{CPU: rawclone.NoCPU}, rawclone.Options{Stack: st})
			if err == nil {
				task.Wait(faultWait)
				t.Errorf("Clone(%v) as uid %d with RLIMIT_NPROC 0 succeeded", flags, os.Getuid())
				continue
			}
			if !errors.Is(err, unix.EAGAIN) {
				t.Errorf("Clone(%v) over RLIMIT_NPROC = %v, want an error wrapping EAGAIN", flags, err)
			}
			if st == rawclone.StackCached {
				t.Logf("Clone(%v) over RLIMIT_NPROC: %v", flags, err)
			}
		}
	}
}

// seccompFilter refuses fork-style clones (no CLONE_VM) with EPERM and
// clone3 with ENOSYS (its flags are behind a pointer a filter cannot read,
// and ENOSYS is what makes callers fall back to clone). Clones with CLONE_VM
// pass, so the Go runtime can still start threads and os/exec can still
// vfork.
func seccompFilter() ([]unix.SockFilter, error) {
	var arch uint32
	switch runtime.GOARCH {
	case "amd64":
		arch = unix.AUDIT_ARCH_X86_64
	case "arm64":
		arch = unix.AUDIT_ARCH_AARCH64
	default:
		return nil, fmt.Errorf("no audit arch for %s", runtime.GOARCH)
	}
	const (
		ld   = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq  = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		jset = unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K
		ret  = unix.BPF_RET | unix.BPF_K
	)
	// Offsets into struct seccomp_data: nr 0, arch 4, args[0] 16 (its low
	// word on these little-endian machines).
	return []unix.SockFilter{
		/* 0 */ {Code: ld, K: 4},
		/* 1 */ {Code: jeq, K: arch, Jt: 0, Jf: 7}, // other arch: allow
		/* 2 */ {Code: ld, K: 0},
		/* 3 */ {Code: jeq, K: unix.SYS_CLONE3, Jt: 4, Jf: 0},
		/* 4 */ {Code: jeq, K: unix.SYS_CLONE, Jt: 0, Jf: 4},
		/* 5 */ {Code: ld, K: 16},
		/* 6 */ {Code: jset, K: uint32(rawclone.CloneVM), Jt: 2, Jf: 0},
		/* 7 */ {Code: ret, K: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
		/* 8 */ {Code: ret, K: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)},
		/* 9 */ {Code: ret, K: unix.SECCOMP_RET_ALLOW},
	}, nil
}

// A seccomp filter on every thread of the process that refuses fork-style
// clones makes Clone return an error wrapping EPERM, while clones the filter
// lets through (thread-style, vfork) still work.
func TestCloneRefusedBySeccompIsEPERM(t *testing.T) {
	if !inFaultHelper(t) {
		runFaultHelper(t)
		return
	}
	prog, err := seccompFilter()
	if err != nil {
		t.Skip(err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		t.Fatalf("PR_SET_NO_NEW_PRIVS: %v", err)
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	// seccomp(2) with TSYNC rather than prctl: the filter must be on every
	// Go thread, since any of them may run the goroutine that clones.
	r, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	switch {
	case e == unix.ENOSYS || e == unix.EINVAL:
		t.Skipf("seccomp(SECCOMP_SET_MODE_FILTER, TSYNC): %v: no seccomp filters on this kernel", e)
	case e != 0:
		t.Fatalf("seccomp(SECCOMP_SET_MODE_FILTER, TSYNC): %v", e)
	case r != 0:
		t.Fatalf("seccomp TSYNC: thread %d could not take the filter", r)
	}
	// Every thread, including ones the runtime starts from now on, runs
	// under the filter (Seccomp: 2 is filter mode).
	spareThreads(4)
	for _, tid := range listTasks(t) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/status", tid))
		if err != nil {
			continue // ended meanwhile
		}
		if !bytes.Contains(b, []byte("\nSeccomp:\t2\n")) {
			t.Fatalf("thread %d is not under the seccomp filter", tid)
		}
	}
	for _, flags := range []rawclone.Flags{rawclone.ForkFlags, rawclone.SIGCHLD, rawclone.CloneFiles | rawclone.CloneFS | rawclone.SIGCHLD} {
		task, err := rawclone.Clone(flags, rawclone.Body{CPU: rawclone.NoCPU}, rawclone.Options{})
		if err == nil {
			task.Wait(faultWait)
			t.Errorf("Clone(%v) under a filter refusing clones without VM succeeded", flags)
			continue
		}
		if !errors.Is(err, unix.EPERM) {
			t.Errorf("Clone(%v) under seccomp = %v, want an error wrapping EPERM", flags, err)
		}
		t.Logf("Clone(%v) under seccomp: %v", flags, err)
	}
	// The filter refuses only what it should: a thread and a vfork child
	// start and end normally.
	for _, flags := range []rawclone.Flags{rawclone.ThreadFlags, rawclone.VforkFlags, rawclone.CloneVM | rawclone.SIGCHLD} {
		task, err := rawclone.Clone(flags, rawclone.Body{CPU: rawclone.NoCPU}, rawclone.Options{})
		if err != nil {
			t.Errorf("Clone(%v) with VM under the filter: %v", flags, err)
			continue
		}
		if err := task.Wait(faultWait); err != nil {
			t.Errorf("Clone(%v) under the filter: Wait: %v", flags, err)
		}
	}
}

// listTasks lists /proc/self/task.
func listTasks(t *testing.T) []int {
	t.Helper()
	tids, err := procfs.Tasks()
	if err != nil {
		t.Fatal(err)
	}
	return tids
}

// counts are what a leak shows in: tasks, open fds and memory mappings of
// this process.
type counts struct{ tasks, fds, maps int }

func (c counts) String() string {
	return fmt.Sprintf("%d tasks (besides the runtime's), %d fds, %d mappings", c.tasks, c.fds, c.maps)
}

func readCounts(t *testing.T) counts {
	t.Helper()
	var c counts
	var err error
	if c.tasks, c.fds, c.maps, err = procfs.Counts(); err != nil {
		t.Fatal(err)
	}
	return c
}

// steady reads the counts once two readings 10 ms apart agree (or after a
// second), so that threads still being released do not count in a baseline.
func steady(t *testing.T) counts {
	t.Helper()
	prev := readCounts(t)
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		c := readCounts(t)
		if c == prev {
			break
		}
		prev = c
	}
	return prev
}

// settled polls until the counts are back to base (only the task count
// when tasksOnly) or the deadline passes, and returns the last reading. A
// joined thread is released a moment after the kernel clears its tid word,
// so task counts lag.
func settled(t *testing.T, base counts, tasksOnly bool) counts {
	t.Helper()
	var c counts
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		runtime.GC()
		c = readCounts(t)
		back := c.tasks <= base.tasks && (tasksOnly || c.fds <= base.fds && c.maps <= base.maps)
		if back || time.Now().After(deadline) {
			return c
		}
	}
}

// noChildLeft fails t if any child of ours, live or zombie, remains:
// waitid(P_ALL, WEXITED|WNOHANG|__WALL) finds none only when there is none.
func noChildLeft(t *testing.T) {
	t.Helper()
	var info unix.Siginfo
	err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOHANG|unix.WALL, nil)
	if err != unix.ECHILD {
		// Siginfo's pid sits at offset 16 on 64-bit Linux.
		pid := *(*int32)(unsafe.Pointer(uintptr(unsafe.Pointer(&info)) + 16))
		t.Errorf("waitid(P_ALL, WNOHANG) = %v (pid %d); want ECHILD: a child of ours is left", err, pid)
	}
}

// Ten thousand creates in a row, per style, leave the process with the
// tasks, fds and mappings it started with: every stack, control block and
// child is given back.
func TestTenThousandCreatesLeaveNoTaskFDOrMapping(t *testing.T) {
	n, nFork := 10000, 10000
	if testing.Short() {
		n, nFork = 1000, 200
	}
	styles := []struct {
		name  string
		flags rawclone.Flags
		opt   rawclone.Options
		n     int
	}{
		{"thread-cached-stack", rawclone.ThreadFlags, rawclone.Options{Stack: rawclone.StackCached}, n},
		{"thread-fresh-stack", rawclone.ThreadFlags, rawclone.Options{Stack: rawclone.StackFresh}, n},
		{"fork", rawclone.ForkFlags, rawclone.Options{}, nFork},
	}
	create := func(flags rawclone.Flags, opt rawclone.Options) {
		t.Helper()
		task, err := rawclone.Clone(flags, rawclone.Body{CPU: rawclone.NoCPU}, opt)
		if err != nil {
			t.Fatalf("Clone(%v): %v", flags, err)
		}
		if err := task.Wait(faultWait); err != nil {
			t.Fatalf("Clone(%v): Wait: %v", flags, err)
		}
	}
	spareThreads(8)
	// Warm up: the pools fill, the runtime starts the threads it will
	// keep (a blocking wait4 hands its P to another thread), and the heap
	// reaches its working size.
	for i := 0; i < 200; i++ {
		for _, s := range styles {
			create(s.flags, s.opt)
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
	base := steady(t)
	mapsBefore, _ := os.ReadFile("/proc/self/maps")
	for _, s := range styles {
		start := time.Now()
		for i := 0; i < s.n; i++ {
			create(s.flags, s.opt)
		}
		t.Logf("%s: %d creates in %v", s.name, s.n, time.Since(start).Round(time.Millisecond))
	}
	got := settled(t, base, false)
	t.Logf("before: %v; after: %v", base, got)
	if got.tasks > base.tasks {
		t.Errorf("%d tasks after the creates, %d before", got.tasks, base.tasks)
	}
	if got.fds > base.fds {
		t.Errorf("%d fds open after the creates, %d before", got.fds, base.fds)
	}
	// The total mapping count is not the test: the Go runtime maps and
	// splits its own regions as the heap grows, and an unmapped fresh stack
	// can leave a hole that splits a neighbour (one more mapping, no leak).
	// What rawclone maps has a signature of its own: control blocks and
	// words are MAP_SHARED anonymous (rw-s), and every stack starts with a
	// one-page PROT_NONE guard. A leak of either grows these counts with
	// the number of creates.
	mapsAfter, _ := os.ReadFile("/proc/self/maps")
	ob, oa := ownMappings(string(mapsBefore)), ownMappings(string(mapsAfter))
	if ob.shared == 0 || ob.guards == 0 {
		// After the warm-up rawclone holds a control-block slab and cached
		// stacks; if none are seen, the matcher no longer recognises them.
		t.Fatalf("no rawclone mappings recognised after the warm-up (%+v):\n%s", ob, mapsBefore)
	}
	if oa.shared > ob.shared || oa.guards > ob.guards {
		t.Errorf("rawclone's mappings after the creates: %+v, before: %+v; changed:\n%s", oa, ob, mapsDiff(string(mapsBefore), string(mapsAfter)))
	}
	if got.maps > base.maps {
		t.Logf("total mappings %d → %d (the runtime's own; changed:\n%s)", base.maps, got.maps, mapsDiff(string(mapsBefore), string(mapsAfter)))
	}
	noChildLeft(t)
}

// faultPipe is a pipe closed at the end of the test.
func faultPipe(t *testing.T) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	return p[0], p[1]
}

// waitAsync runs task.Wait(0) on a goroutine: a Wait with no deadline of
// its own, bounded by the test instead, as a runner waiting on both sides
// of a ping-pong would.
func waitAsync(task *rawclone.Task) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- task.Wait(0) }()
	return ch
}

// within returns what ch yields, or fails t if nothing comes within d.
func within(t *testing.T, ch <-chan error, d time.Duration, what string) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(d):
		t.Fatalf("%s: no return within %v", what, d)
		return nil
	}
}

// gone reports whether tid is no task of ours any more: /proc/TID is absent,
// or the number now belongs to a task that is not our child.
func gone(tid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", tid))
	if err != nil {
		return true
	}
	// Fields after the parenthesised command: state, ppid, …
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return false
	}
	f := strings.Fields(string(b[i+1:]))
	return len(f) > 1 && f[1] != strconv.Itoa(os.Getpid())
}

// A process-mode ping-pong side killed with SIGKILL mid-run: Wait on it
// returns within a second with an error naming the signal and its tid, its
// partner (blocked for good) is ended by Kill, and neither survives as a
// process or a zombie.
func TestSIGKILLMidPingPongEndsBothSidesAndLeavesNoChild(t *testing.T) {
	for _, victim := range []string{"initiator", "responder"} {
		t.Run("kill="+victim, func(t *testing.T) {
			r1, w1 := faultPipe(t)
			r2, w2 := faultPipe(t)
			const n = 1 << 40 // runs until killed
			a, err := rawclone.Clone(rawclone.ForkFlags, rawclone.Body{Op: rawclone.OpPingPong, In: r1, Out: w2, IOSize: 1, N: n, Initiator: true, CPU: rawclone.NoCPU}, rawclone.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Kill()
			b, err := rawclone.Clone(rawclone.ForkFlags, rawclone.Body{Op: rawclone.OpPingPong, In: r2, Out: w1, IOSize: 1, N: n, CPU: rawclone.NoCPU}, rawclone.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Kill()
			aDone, bDone := waitAsync(a), waitAsync(b)
			killed, partner := a, b
			killedDone, partnerDone := aDone, bDone
			if victim == "responder" {
				killed, partner, killedDone, partnerDone = b, a, bDone, aDone
			}
			// Both sides are mid-run once bytes have gone round.
			time.Sleep(20 * time.Millisecond)
			select {
			case err := <-aDone:
				t.Fatalf("initiator ended before the kill: %v", err)
			case err := <-bDone:
				t.Fatalf("responder ended before the kill: %v", err)
			default:
			}
			if err := unix.Kill(killed.Tid(), unix.SIGKILL); err != nil {
				t.Fatal(err)
			}
			err = within(t, killedDone, time.Second, "Wait on the SIGKILLed "+victim)
			if err == nil || !strings.Contains(err.Error(), "SIGKILL") || !strings.Contains(err.Error(), strconv.Itoa(killed.Tid())) {
				t.Errorf("Wait on the SIGKILLed %s = %v, want an error naming SIGKILL and tid %d", victim, err, killed.Tid())
			}
			// The partner holds its own copies of both pipes, so it never
			// sees end of file: it waits for good until killed.
			select {
			case err := <-partnerDone:
				t.Errorf("partner ended by itself: %v", err)
			case <-time.After(50 * time.Millisecond):
			}
			killDone := make(chan error, 1)
			go func() { killDone <- partner.Kill() }()
			if err := within(t, killDone, 3*time.Second, "Kill on the partner"); err != nil {
				t.Errorf("Kill on the partner: %v", err)
			}
			if err := within(t, partnerDone, 3*time.Second, "Wait on the partner after Kill"); err != nil {
				t.Errorf("Wait on the partner after Kill = %v, want nil (the caller asked for the end)", err)
			}
			if a.Result().Rounds == 0 && b.Result().Rounds == 0 {
				t.Errorf("no round trip completed before the kill: the test killed an idle pair")
			}
			for _, task := range []*rawclone.Task{a, b} {
				if !gone(task.Tid()) {
					t.Errorf("task %d is still a child of ours after Wait/Kill", task.Tid())
				}
			}
			noChildLeft(t)
		})
	}
}

// A thread-mode ping-pong side whose partner never answers waits for good;
// Kill ends it through the abort word (a thread of ours cannot be SIGKILLed
// alone), and it leaves /proc/self/task. The same holds for a pair caught
// mid-run, busy rather than blocked.
func TestKillEndsAThreadModePingPongWhosePartnerNeverAnswers(t *testing.T) {
	w, err := rawclone.NewWord()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Free()
	cases := []struct {
		name  string
		sides func(t *testing.T) []rawclone.Body
	}{
		{"pipe/alone", func(t *testing.T) []rawclone.Body {
			r1, _ := faultPipe(t)
			_, w2 := faultPipe(t)
			return []rawclone.Body{{Op: rawclone.OpPingPong, In: r1, Out: w2, IOSize: 1, N: 1 << 40, Initiator: true, CPU: rawclone.NoCPU}}
		}},
		{"pipe/responder-alone", func(t *testing.T) []rawclone.Body {
			r1, _ := faultPipe(t)
			_, w2 := faultPipe(t)
			return []rawclone.Body{{Op: rawclone.OpPingPong, In: r1, Out: w2, IOSize: 1, N: 1 << 40, CPU: rawclone.NoCPU}}
		}},
		{"futex/alone", func(t *testing.T) []rawclone.Body {
			w.Store(0)
			return []rawclone.Body{{Op: rawclone.OpPingPong, Mech: rawclone.MechFutex, Word: w, N: 1 << 40, Initiator: true, CPU: rawclone.NoCPU}}
		}},
		{"yield/alone", func(t *testing.T) []rawclone.Body {
			w.Store(0)
			return []rawclone.Body{{Op: rawclone.OpPingPong, Mech: rawclone.MechYield, Word: w, N: 1 << 40, Initiator: true, CPU: rawclone.NoCPU}}
		}},
		{"pipe/pair-mid-run", func(t *testing.T) []rawclone.Body {
			r1, w1 := faultPipe(t)
			r2, w2 := faultPipe(t)
			return []rawclone.Body{
				{Op: rawclone.OpPingPong, In: r1, Out: w2, IOSize: 1, N: 1 << 40, Initiator: true, CPU: rawclone.NoCPU},
				{Op: rawclone.OpPingPong, In: r2, Out: w1, IOSize: 1, N: 1 << 40, CPU: rawclone.NoCPU},
			}
		}},
		{"futex/pair-mid-run", func(t *testing.T) []rawclone.Body {
			w.Store(0)
			return []rawclone.Body{
				{Op: rawclone.OpPingPong, Mech: rawclone.MechFutex, Word: w, N: 1 << 40, Initiator: true, CPU: rawclone.NoCPU},
				{Op: rawclone.OpPingPong, Mech: rawclone.MechFutex, Word: w, N: 1 << 40, CPU: rawclone.NoCPU},
			}
		}},
	}
	// The runtime threads the Waits and Kills below start (a goroutine
	// blocked in a futex or wait4 hands its P to another thread) are not in
	// the counts: procfs.Counts leaves the runtime's threads out.
	if task, err := rawclone.Clone(rawclone.ThreadFlags, rawclone.Body{CPU: rawclone.NoCPU}, rawclone.Options{}); err == nil {
		task.Wait(faultWait)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bodies := c.sides(t) // before the baseline: their pipes stay open
			base := steady(t)
			var tasks []*rawclone.Task
			var dones []<-chan error
			for _, b := range bodies {
				task, err := rawclone.Clone(rawclone.ThreadFlags, b, rawclone.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer task.Kill()
				tasks = append(tasks, task)
				dones = append(dones, waitAsync(task))
			}
			time.Sleep(20 * time.Millisecond)
			for i, done := range dones {
				select {
				case err := <-done:
					t.Fatalf("task %d ended before Kill: %v", tasks[i].Tid(), err)
				default:
				}
			}
			for i, task := range tasks {
				killDone := make(chan error, 1)
				go func() { killDone <- task.Kill() }()
				if err := within(t, killDone, 3*time.Second, fmt.Sprintf("Kill on thread %d", task.Tid())); err != nil {
					t.Errorf("Kill on thread %d: %v", task.Tid(), err)
				}
				if err := within(t, dones[i], 3*time.Second, fmt.Sprintf("Wait on thread %d after Kill", task.Tid())); err != nil {
					t.Errorf("Wait on thread %d after Kill = %v, want nil", task.Tid(), err)
				}
			}
			// Only tasks: the stack pool may have grown to serve two
			// tasks at once, which is what a cache is for; the 10,000
			// creates test checks that mappings do not grow without end.
			got := settled(t, base, true)
			for _, task := range tasks {
				if err := task.Gone(5 * time.Second); err != nil {
					t.Errorf("Gone after Kill: %v", err)
				}
				if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", task.Tid())); err == nil {
					t.Errorf("thread %d still in /proc/self/task after Kill", task.Tid())
				}
			}
			if got.tasks > base.tasks {
				t.Errorf("%d tasks after Kill, %d before", got.tasks, base.tasks)
			}
		})
	}
}

// mapsDiff lists the lines of /proc/self/maps only one of before and after
// has, so a mapping-count failure shows what was mapped.
func mapsDiff(before, after string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	b, a := in(before), in(after)
	var out []string
	for _, l := range strings.Split(before, "\n") {
		if !a[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(after, "\n") {
		if !b[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// ownMappings counts the mappings of the kinds rawclone makes: shared
// anonymous memory (control-block slabs, futex words) and one-page
// PROT_NONE stack guards.
type ownCounts struct{ shared, guards int }

func ownMappings(maps string) ownCounts {
	var c ownCounts
	for _, l := range strings.Split(maps, "\n") {
		f := strings.Fields(l)
		if len(f) < 5 {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		switch {
		case f[1] == "rw-s" && f[4] != "0" && (len(f) < 6 || strings.HasPrefix(f[5], "/dev/zero") || strings.HasPrefix(f[5], "/SYSV")):
			c.shared++
		case f[1] == "---p" && b-a == uint64(os.Getpagesize()):
			c.guards++
		}
	}
	return c
}
