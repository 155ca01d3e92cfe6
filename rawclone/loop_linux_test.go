//go:build linux && (amd64 || arm64)

package rawclone

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/procfs"
)

// loopSweep is workloads/create.go's cloneSweep: fork's set to the thread
// set one resource at a time.
func loopSweep() []Flags {
	f := ForkFlags
	out := []Flags{f}
	for _, next := range []func(Flags) Flags{
		func(f Flags) Flags { return f &^ CloneChildSetTID },
		func(f Flags) Flags { return f | CloneVM },
		func(f Flags) Flags { return f | CloneFS },
		func(f Flags) Flags { return f | CloneFiles },
		func(f Flags) Flags { return f | CloneSighand },
		func(f Flags) Flags { return f&^SignalMask | CloneThread },
		func(f Flags) Flags { return f | CloneSysVSem },
		func(f Flags) Flags { return f | CloneSetTLS },
		func(f Flags) Flags { return f | CloneParentSetTID },
	} {
		f = next(f)
		out = append(out, f)
	}
	return out
}

// newLoopCloner makes a Cloner closed at cleanup. Its goroutine is the
// test's, locked to the Cloner's thread until then.
func newLoopCloner(t *testing.T) *Cloner {
	t.Helper()
	cl, err := NewCloner()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// loopBaseline counts our tasks (less the runtime's threads) once the
// runtime has settled.
func loopBaseline(t *testing.T) int {
	t.Helper()
	n, _, _, err := procfs.Counts()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// noLoopTaskLeft fails t unless the task count is back to base (a joined
// thread is released a moment after its tid word is cleared, so poll) and
// no child of ours, live or zombie, remains.
func noLoopTaskLeft(t *testing.T, base int) {
	t.Helper()
	var n int
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var err error
		if n, _, _, err = procfs.Counts(); err != nil {
			t.Fatal(err)
		}
		if n <= base || time.Now().After(deadline) {
			break
		}
	}
	if n > base {
		t.Errorf("%d tasks besides the runtime's, %d before: a task outlived its Loop", n, base)
	}
	var info unix.Siginfo
	if err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOHANG|unix.WALL, nil); err != unix.ECHILD {
		pid := *(*int32)(unsafe.Pointer(uintptr(unsafe.Pointer(&info)) + 16))
		t.Errorf("waitid(P_ALL, WNOHANG) = %v (pid %d); want ECHILD: a child or zombie is left", err, pid)
	}
}

// checkLoopResult checks what any loop of n ops must give: n durations,
// all > 0, summing to Elapsed, which lies within the wall time around the
// call.
func checkLoopResult(t *testing.T, what string, r LoopResult, n int, wall time.Duration) {
	t.Helper()
	if len(r.Ops) != n || len(r.Ticks) != n+1 {
		t.Errorf("%s: %d ops and %d readings, want %d and %d", what, len(r.Ops), len(r.Ticks), n, n+1)
		return
	}
	var sum time.Duration
	for i, d := range r.Ops {
		if d <= 0 {
			t.Errorf("%s: op %d took %v", what, i, d)
		}
		sum += d
	}
	if r.Elapsed <= 0 || r.Elapsed > wall {
		t.Errorf("%s: Elapsed %v, want in (0, %v] (the wall time around the call)", what, r.Elapsed, wall)
	}
	if diff := sum - r.Elapsed; diff < -r.Elapsed/50 || diff > r.Elapsed/50 {
		t.Errorf("%s: ops sum to %v, Elapsed is %v", what, sum, r.Elapsed)
	}
	if r.NsPerTick <= 0 || r.NsPerTick > 1000 {
		t.Errorf("%s: %v ns per tick", what, r.NsPerTick)
	}
}

func TestLoopRunsEveryFlagSet(t *testing.T) {
	cl := newLoopCloner(t)
	sets := []Flags{
		ForkFlags, ThreadFlags, VforkFlags,
		CloneVM | SIGCHLD,          // VM, reaped
		CloneVM,                    // no exit signal: __WALL
		ForkFlags | CloneSetTLS,    // TLS block in the control block
		ThreadFlags &^ CloneSetTLS, // thread, no TLS
		CloneVM | CloneVfork | CloneFiles | SIGCHLD,
	}
	sets = append(sets, loopSweep()...)
	// Warm the stack and control-block pools and the runtime's threads.
	if _, err := cl.Loop(ThreadFlags, 1, Options{}); err != nil {
		t.Fatal(err)
	}
	base := loopBaseline(t)
	blk0 := statusHex(t, unix.Gettid(), "SigBlk") // all but SIGKILL and SIGSTOP
	const n = 25
	for _, f := range sets {
		t0 := time.Now()
		r, err := cl.Loop(f, n, Options{Stack: StackCached})
		wall := time.Since(t0)
		if err != nil {
			t.Errorf("Loop(%v): %v", f, err)
			continue
		}
		checkLoopResult(t, f.String(), r, n, wall)
	}
	noLoopTaskLeft(t, base)
	// The Cloner's thread still blocks every signal.
	if blk := statusHex(t, unix.Gettid(), "SigBlk"); blk != blk0 {
		t.Errorf("Cloner thread SigBlk %#x after Loop, %#x before", blk, blk0)
	}
}

// Loop returns only once its threads are gone, not at their joins: a
// thread with its own fd table lingers in do_exit past its join (slowExit),
// while the loop goes on to the next op.
func TestLoopLeavesNoExitingThread(t *testing.T) {
	slowExit(t)
	cl, err := NewCloner()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, flags := range []Flags{ThreadFlags &^ CloneFiles, ThreadFlags} {
		for range 10 {
			before, err := procfs.Tasks()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cl.Loop(flags, 3, Options{}); err != nil {
				t.Fatal(err)
			}
			if ex, err := procfs.ExitingNew(before); err != nil || len(ex) > 0 {
				t.Fatalf("Loop(%v) returned with threads %v still in do_exit (%v)", flags, ex, err)
			}
		}
	}
}

func TestLoopRefuses(t *testing.T) {
	cl := newLoopCloner(t)
	for _, c := range []struct {
		flags Flags
		n     int
		opt   Options
		want  string
	}{
		{ThreadFlags, 0, Options{}, "need at least one"},
		{ThreadFlags, -3, Options{}, "need at least one"},
		{ThreadFlags, 10, Options{Stack: StackFresh}, "StackFresh"},
		{ThreadFlags, 10, Options{Stack: 7}, "unknown stack mode"},
		{CloneVM | CloneSighand | CloneThread, 10, Options{}, "CHILD_CLEARTID"},
		{ForkFlags | ClonePidfd, 10, Options{}, "PIDFD"},
		{CloneParent | SIGCHLD, 10, Options{}, "PARENT"},
	} {
		if _, err := cl.Loop(c.flags, c.n, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Loop(%v, %d, %+v) = %v, want an error saying %q", c.flags, c.n, c.opt, err, c.want)
		}
	}
	closed, err := NewCloner()
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	// LockOSThread nests: cl's lock on this goroutine and thread still holds.
	if _, err := closed.Loop(ThreadFlags, 1, Options{}); err == nil {
		t.Error("Loop on a closed Cloner succeeded")
	}
}

// A clone the kernel refuses stops the loop with an error naming the op and
// the system call, and every child before it is joined or reaped.
func TestLoopFailingClone(t *testing.T) {
	cl := newLoopCloner(t)
	if _, err := cl.Loop(ForkFlags, 1, Options{}); err != nil {
		t.Fatal(err)
	}
	base := loopBaseline(t)
	// THREAD without SIGHAND: the kernel says EINVAL.
	bad := CloneVM | CloneThread | CloneChildClearTID
	_, err := cl.Loop(bad, 10, Options{})
	if !errors.Is(err, unix.EINVAL) || !strings.Contains(err.Error(), "op 0 of 10: clone: ") {
		t.Errorf("Loop(%v) = %v, want op 0 of 10: clone: EINVAL", bad, err)
	}
	for _, f := range append([]Flags{ForkFlags, ThreadFlags, VforkFlags}, loopSweep()[2]) {
		_, err := cl.loop(f, 100, Options{}, 17, bad, nil)
		want := "op 17 of 100: clone: "
		if !errors.Is(err, unix.EINVAL) || !strings.Contains(err.Error(), want) {
			t.Errorf("Loop(%v) failing at op 17 = %v, want %q EINVAL", f, err, want)
		}
	}
	noLoopTaskLeft(t, base)
	// The loop is usable again.
	if _, err := cl.Loop(ThreadFlags, 3, Options{}); err != nil {
		t.Errorf("Loop after a failed one: %v", err)
	}
}

func TestTSCCheck(t *testing.T) {
	both := "processor\t: 0\nflags\t\t: fpu tsc constant_tsc nonstop_tsc rdtscp\n"
	if err := tscCheck([]byte(both)); err != nil {
		t.Errorf("with constant_tsc and nonstop_tsc: %v", err)
	}
	for _, c := range []struct{ cpuinfo, missing string }{
		{"flags\t\t: fpu tsc nonstop_tsc\n", "constant_tsc"},
		{"flags\t\t: fpu tsc constant_tsc\n", "nonstop_tsc"},
		{"processor\t: 0\n", "no flags line"},
	} {
		err := tscCheck([]byte(c.cpuinfo))
		if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), c.missing) {
			t.Errorf("tscCheck(%q) = %v, want ErrUnsupported naming %s", c.cpuinfo, err, c.missing)
		}
	}
}

func TestConvertTicks(t *testing.T) {
	// 3 ops of 100, 200 and 700 ticks over 1µs of CLOCK_MONOTONIC.
	r, err := convertTicks([]uint64{5000, 5100, 5300, 6000}, [2]int64{7, 999_999_500}, [2]int64{8, 500})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{100, 200, 700}
	if fmt.Sprint(r.Ops) != fmt.Sprint(want) || r.Elapsed != 1000 || r.NsPerTick != 1 {
		t.Errorf("convertTicks = %v, %v, %v ns/tick; want %v, 1µs, 1", r.Ops, r.Elapsed, r.NsPerTick, want)
	}
	// Rounding never loses time: 3 ops of 1 tick over 10 ns.
	r, err = convertTicks([]uint64{0, 1, 2, 3}, [2]int64{0, 0}, [2]int64{0, 10})
	if err != nil {
		t.Fatal(err)
	}
	var sum time.Duration
	for _, d := range r.Ops {
		sum += d
	}
	if sum != 10 {
		t.Errorf("ops %v sum to %v, want 10ns", r.Ops, sum)
	}
	if _, err := convertTicks([]uint64{10, 20, 20}, [2]int64{0, 0}, [2]int64{0, 10}); err == nil {
		t.Error("convertTicks accepted a counter that stood still")
	}
}

func TestMinimalForkLoop(t *testing.T) {
	cl := newLoopCloner(t)
	if _, _, err := cl.MinimalForkLoop(1); err != nil {
		t.Fatal(err)
	}
	base := loopBaseline(t)
	const n = 30
	t0 := time.Now()
	r, fp, err := cl.MinimalForkLoop(n)
	wall := time.Since(t0)
	if err != nil {
		t.Fatal(err)
	}
	checkLoopResult(t, "MinimalForkLoop", r, n, wall)
	names := map[string]bool{}
	var bytes int64
	for _, m := range fp.Kept {
		names[m.Name] = true
		bytes += int64(m.End - m.Start)
	}
	for _, want := range []string{"text", "shared", "stack"} {
		if !names[want] {
			t.Errorf("footprint %+v keeps no %s", fp, want)
		}
	}
	if fp.Mappings != len(fp.Kept) || fp.Bytes != bytes || bytes > 1<<20 {
		t.Errorf("footprint %+v: %d mappings, %d bytes", fp, fp.Mappings, fp.Bytes)
	}
	noLoopTaskLeft(t, base)
	for _, bad := range []int{0, -1} {
		if _, _, err := cl.MinimalForkLoop(bad); err == nil {
			t.Errorf("MinimalForkLoop(%d) succeeded", bad)
		}
	}
}

// The minimal child, held after its unmaps, has only the ranges it was
// told to keep in /proc/PID/maps, and mincore on a page of the Go heap
// said ENOMEM there while it was 0 before.
func TestMinimalForkChildUnmappedGo(t *testing.T) {
	cl := newLoopCloner(t)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	before, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	m, err := cl.startMinimal(5, p[0])
	if err != nil {
		t.Fatal(err)
	}
	released := false
	defer func() {
		if !released {
			unix.Write(p[1], []byte{1})
			m.finish()
		}
	}()
	probeAfter := (*int64)(unsafe.Pointer(&m.l.probeAfter))
	for deadline := time.Now().Add(waitTimeout); atomic.LoadInt64(probeAfter) == 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the minimal child never got past its unmaps")
		}
	}
	if m.l.probeBefore != 0 || m.l.probeAfter != -int64(unix.ENOMEM) {
		t.Errorf("mincore on a Go heap page: %d before the unmaps, %d after; want 0 and -ENOMEM", m.l.probeBefore, m.l.probeAfter)
	}
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", m.pid))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(string(maps)), "\n") {
		f := strings.Fields(line)
		if len(f) >= 6 && f[5] == "[vsyscall]" {
			continue // above user space: no munmap reaches it
		}
		lines = append(lines, line)
		lo, hi, _ := strings.Cut(f[0], "-")
		s, _ := strconv.ParseUint(lo, 16, 64)
		e, _ := strconv.ParseUint(hi, 16, 64)
		inside := false
		for _, k := range m.fp.Kept {
			if uintptr(s) >= k.Start && uintptr(e) <= k.End {
				inside = true
			}
		}
		if !inside {
			t.Errorf("the minimal child still maps %s, outside what it kept %+v", line, m.fp.Kept)
		}
	}
	if len(lines) != len(m.fp.Kept) {
		t.Errorf("the minimal child maps %d ranges, kept %d:\n%s", len(lines), len(m.fp.Kept), maps)
	}
	if n := strings.Count(string(before), "\n"); n < 2*len(lines) {
		t.Errorf("we map %d ranges and the minimal child %d: expected Go to map far more", n, len(lines))
	}
	t.Logf("minimal child maps:\n%s", maps)
	released = true
	if _, err := unix.Write(p[1], []byte{1}); err != nil {
		t.Fatal(err)
	}
	r, err := m.finish()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Ops) != 5 {
		t.Errorf("%d ops, want 5", len(r.Ops))
	}
}

// A minimal child that cannot do its unmaps exits with a code saying so,
// and the parent's error says which munmap failed.
func TestMinimalForkChildFailureIsReported(t *testing.T) {
	cl := newLoopCloner(t)
	base := loopBaseline(t)
	m, err := cl.startMinimalWith(3, -1, func(l *loopCtl, gaps [][3]uint64) {
		gaps[0] = [3]uint64{1, 4096, 0} // unaligned: EINVAL, not accepted
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.finish()
	if !errors.Is(err, unix.EINVAL) || !strings.Contains(err.Error(), "munmap(0x1, 0x1000)") {
		t.Errorf("finish = %v, want munmap(0x1, 0x1000): EINVAL", err)
	}
	// A fork loop that fails at op 2 says so.
	m, err = cl.startMinimalWith(5, -1, func(l *loopCtl, gaps [][3]uint64) {
		l.failAt, l.badFlags = 2, uint64(CloneVM|CloneThread|CloneChildClearTID)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.finish()
	if !errors.Is(err, unix.EINVAL) || !strings.Contains(err.Error(), "op 2 of 5: clone: ") {
		t.Errorf("finish = %v, want op 2 of 5: clone: EINVAL", err)
	}
	noLoopTaskLeft(t, base)
}

// lastCPU is the highest CPU the calling thread may run on.
func lastCPU(t *testing.T) int {
	t.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	for cpu := maxCPU - 1; cpu >= 0; cpu-- {
		if set.IsSet(cpu) {
			return cpu
		}
	}
	t.Fatal("no CPU in our mask")
	return -1
}

func TestPin(t *testing.T) {
	cl := newLoopCloner(t)
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		t.Fatal(err)
	}
	cpu := lastCPU(t)
	restore, err := cl.Pin(cpu)
	if err != nil {
		t.Fatal(err)
	}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	if set.Count() != 1 || !set.IsSet(cpu) {
		t.Errorf("after Pin(%d) the Cloner's mask has %d CPUs", cpu, set.Count())
	}
	// Children inherit the mask and run there.
	for _, f := range []Flags{ForkFlags, ThreadFlags} {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			t.Fatal(err)
		}
		task, err := cl.Clone(f, Body{Op: OpBlockRead, In: p[0], CPU: NoCPU}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := procStatus(t, task.Tid())["Cpus_allowed_list"]; got != strconv.Itoa(cpu) {
			t.Errorf("%v child of a Cloner pinned to %d may run on %s", f, cpu, got)
		}
		// It has run (it is blocked in its read); field 39 of stat is the
		// CPU it last ran on. Poll: it may not have run yet.
		ran := -1
		for deadline := time.Now().Add(waitTimeout); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if ran = lastRanOn(t, task.Tid()); ran == cpu && procStatus(t, task.Tid())["State"][0] == 'S' {
				break
			}
		}
		if ran != cpu {
			t.Errorf("%v child of a Cloner pinned to %d ran on CPU %d", f, cpu, ran)
		}
		unix.Write(p[1], []byte{1})
		if err := task.Wait(waitTimeout); err != nil {
			t.Error(err)
		}
		unix.Close(p[0])
		unix.Close(p[1])
	}
	if _, err := cl.Loop(ThreadFlags, 5, Options{}); err != nil {
		t.Errorf("pinned Loop: %v", err)
	}
	if _, _, err := cl.MinimalForkLoop(5); err != nil {
		t.Errorf("pinned MinimalForkLoop: %v", err)
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	if set != old {
		t.Errorf("after restore the Cloner's mask has %d CPUs, had %d", set.Count(), old.Count())
	}
	if _, err := cl.Pin(-1); err == nil {
		t.Error("Pin(-1) succeeded")
	}
	if _, err := cl.Pin(maxCPU); err == nil {
		t.Errorf("Pin(%d) succeeded", maxCPU)
	}
}

// lastRanOn reads the processor field (39th) of /proc/self/task/TID/stat,
// or /proc/TID/stat for a child of its own.
func lastRanOn(t *testing.T, tid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", tid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	rest := s[strings.LastIndexByte(s, ')')+2:] // fields from the 3rd on
	f := strings.Fields(rest)
	cpu, err := strconv.Atoi(f[39-3])
	if err != nil {
		t.Fatal(err)
	}
	return cpu
}
