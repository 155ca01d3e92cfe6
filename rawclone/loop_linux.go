//go:build linux && (amd64 || arm64)

package rawclone

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// loopCtl is what loopAsm reads and writes. For Loop it lives in a control
// block slot (MAP_SHARED, so a fork-style child's CHILD_SETTID and
// CHILD_CLEARTID writes land where they would for Clone); for
// MinimalForkLoop at the start of the shared area the child keeps. Every
// field is 8 bytes (or two 4-byte words), so offsets are the same on amd64
// and arm64; the assembly reaches them through go_asm.h (loopCtl_…).
type loopCtl struct {
	// Inputs.
	mode     int64   // loopModeLoop or loopModeMinimal
	flags    uint64  // clone flags of every op
	stack    uintptr // child stack top (CLONE_VM without VFORK), else 0
	tls      uintptr // CLONE_SETTLS argument
	exitNr   int64   // what the child calls: SYS_exit for THREAD, SYS_exit_group otherwise
	join     int64   // joinFutex or joinWait4
	n        int64   // ops
	ticks    uintptr // n+1 uint64 readings
	failAt   int64   // test hook: op that is cloned with badFlags; -1: none
	badFlags uint64

	// Inputs of the minimal fork child (mode loopModeMinimal).
	minStack  uintptr // its stack top
	gaps      uintptr // ngaps {start, len, einvalOK} triples to munmap
	ngaps     int64
	ppid      int64   // our pid, to spot a parent that died before PDEATHSIG took
	probe     uintptr // a page of the Go heap mincore looks at before and after the unmaps
	holdFD    int64   // test hook: ≥ 0, read a byte from it after the unmaps
	textStart uintptr // pages of loopAsm, read once so the loop takes no text fault
	textEnd   uintptr

	// Outputs.
	done    int64 // ops completed (joined or reaped)
	failed  int64 // number of the system call that failed; 0 if none
	errno   int64 // its -errno; 0 with failed = wait4 for a bad child status
	pid     int64 // the failing op's child, if it was created; else 0
	wstatus int32 // status of the last child wait4 reaped
	tid     int32 // CHILD_CLEARTID (and SETTID) word
	mono0   [2]int64
	mono1   [2]int64
	// mincore(probe) before and after the unmaps: 0, then -ENOMEM once
	// the Go heap page is gone.
	probeBefore int64
	probeAfter  int64
	stage       int64    // minimal child: the exit code it chose (minExit…)
	failArg     [2]int64 // minimal child: munmap's arguments when it failed
	vec         [2]uint64
	rbuf        [2]uint64
	// TLS block for CLONE_SETTLS when the child has no stack of its own.
	tlsBlock [8]uint64
	// The minimal child's pid (or -errno of its clone), stored by the
	// go-between that cloned it.
	minPid int64

	// Inputs of a clone3 loop (Loop3); sys3 = 0 is the clone(2) loop.
	sys3       int64
	cargs      cloneArgs
	closePidfd int64 // close the CLONE_PIDFD descriptor after each join
	childWrite int64 // the child writes childByte to childFD before it exits
	childFD    int64
	childByte  int64 // "0": for cgroup.procs, the writer itself
	// Outputs of a clone3 loop.
	pidfd    int32 // CLONE_PIDFD's descriptor (cargs.pidfd points here)
	_        int32
	curPid   int64 // the op's child while waitid runs (its rusage argument is the pid's register)
	childErr int64 // the child's failed write: its return value
	siginfo  [16]uint64
}

// cloneArgs is struct clone_args (include/uapi/linux/sched.h), up to
// CLONE_ARGS_SIZE_VER2.
type cloneArgs struct {
	flags      uint64
	pidfd      uint64
	childTID   uint64
	parentTID  uint64
	exitSignal uint64
	stack      uint64
	stackSize  uint64
	tls        uint64
	setTID     uint64
	setTIDSize uint64
	cgroup     uint64
}

var _ = [1]struct{}{}[unsafe.Sizeof(loopCtl{})/(ctlSlot+1)] // loopCtl must fit a ctl slot

// Values the assembly reads through go_asm.h.
const (
	loopModeLoop    = 0
	loopModeMinimal = 1
	joinFutex       = 0
	joinWait4       = 1
	joinPidfd       = 2 // waitid(P_PIDFD, pidfd, &info, WEXITED|__WALL, NULL)
	sysClone3       = unix.SYS_CLONE3
	sysWaitid       = unix.SYS_WAITID
	sysClose        = unix.SYS_CLOSE
	pPidfd          = 3 // P_PIDFD
	waitidOpts      = unix.WEXITED | unix.WALL
	cloneArgsSize   = int(unsafe.Sizeof(cloneArgs{}))
	sysWait4        = unix.SYS_WAIT4
	sysMunmap       = unix.SYS_MUNMAP
	sysMincore      = unix.SYS_MINCORE
	sysKill         = unix.SYS_KILL
	wALL            = unix.WALL
	sigkill         = int(unix.SIGKILL)
	pageSize        = 4096 // the unit the minimal child touches pages in; a larger page size only means more touches

	// Exit codes of the minimal fork child: what stopped it.
	minExitOK     = 0
	minExitOrphan = 10 // its parent died before PDEATHSIG was set
	minExitPrctl  = 11
	minExitMunmap = 12
	minExitHold   = 13
	minExitLoop   = 14 // the fork loop failed: see failed, errno, done

	// The minimal child is cloned by a go-between that shares our memory
	// and suspends us until it exits (VM|VFORK), with CLONE_PARENT so that
	// it is our child. A CLONE_VM child starts with no rseq(2)
	// registration, and so does what it forks; a fork straight from our
	// thread would inherit the thread's (glibc's, in a cgo or race binary),
	// and the kernel, finding the area unmapped, would kill the child with
	// SIGSEGV on its next return to user after a preemption or migration.
	minGoBetweenFlags = CloneVM | CloneVfork | SIGCHLD
	minChildFlags     = CloneParent | SIGCHLD
)

// loopAsm runs the loop l describes. With loopModeLoop it returns once the
// loop is over (0; the outcome is in l). With loopModeMinimal it clones the
// go-between and returns its pid or -errno once it has exited; the
// go-between has cloned the minimal child (pid in l.minPid), which runs the
// loop and exits.
//
//go:noescape
func loopAsm(l uintptr) int

// loopAsmPC is loopAsm's entry (its ABI0 body, not a Go wrapper).
func loopAsmPC() uintptr

//go:linkname entersyscall runtime.entersyscall
func entersyscall()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()

// runLoop runs loopAsm as a system call as far as the runtime is
// concerned: the loop may block for seconds and can be neither preempted
// (every signal is blocked) nor stopped, so without this a stop-the-world
// (GC) would wait for it and stall every goroutine; with it the P is handed
// on as for any blocking syscall, and nothing of Go runs on this thread.
//
//go:nosplit
func runLoop(l uintptr) int {
	entersyscall()
	r := loopAsm(l)
	exitsyscall()
	return r
}

// Loop runs n ops of clone(flags) → child exits at once → join (CLONE_THREAD:
// FUTEX_WAIT on the CHILD_CLEARTID word until it is 0) or reap (everything
// else: wait4(pid, __WALL), which for VFORK follows the clone's own wait
// for the child's exit) in one assembly loop that never returns to Go
// between ops, and reads the cycle counter after every join. Thread-style
// children all run on one cached stack, which is safe to reuse once the
// join says the previous child is gone, as glibc reuses a cached stack;
// StackFresh is refused: its mmap and munmap are Go's work per op, which
// this loop exists to leave out (that row keeps Clone and Wait).
//
// A failure stops the loop: the error names the op and the system call
// ("op 17 of 1000: clone: EAGAIN"), and every child created before it has
// been joined or reaped. The Cloner's mask (every signal blocked) stays, so
// a fork-style child's SIGCHLD interrupts nothing.
func (cl *Cloner) Loop(flags Flags, n int, opt Options) (LoopResult, error) {
	return cl.loop(flags, n, opt, -1, 0, nil)
}

func (cl *Cloner) loop(flags Flags, n int, opt Options, failAt int, badFlags Flags, c3 *Clone3) (LoopResult, error) {
	return cl.loopFrom(nil, flags, n, opt, failAt, badFlags, c3)
}

// loopFrom is loop, started from st when st is not nil: every path
// arrives at st exactly once, an error before the loop included.
func (cl *Cloner) loopFrom(st *Start, flags Flags, n int, opt Options, failAt int, badFlags Flags, c3 *Clone3) (LoopResult, error) {
	arrived := st == nil
	defer func() {
		if !arrived {
			st.arrive()
		}
	}()
	if cl.closed {
		return LoopResult{}, errors.New("rawclone: Loop on a closed Cloner")
	}
	if n <= 0 {
		return LoopResult{}, fmt.Errorf("rawclone: Loop of %d ops: need at least one", n)
	}
	if c3 != nil {
		if err := c3.check(); err != nil {
			return LoopResult{}, err
		}
	} else if err := check(flags, Body{CPU: NoCPU}); err != nil {
		return LoopResult{}, err
	}
	switch opt.Stack {
	case StackCached:
	case StackFresh:
		return LoopResult{}, fmt.Errorf("rawclone: Loop(%v): StackFresh maps and unmaps a stack per op in Go, which the assembly loop leaves out; time it with Clone and Wait", flags)
	default:
		return LoopResult{}, fmt.Errorf("rawclone: unknown stack mode %d", opt.Stack)
	}
	if flags&CloneThread != 0 && flags&CloneChildClearTID == 0 {
		return LoopResult{}, fmt.Errorf("rawclone: Loop(%v): a thread-group member without CHILD_CLEARTID leaves no word to join on (Wait polls for it); add CHILD_CLEARTID", flags)
	}
	if err := counterCheck(); err != nil {
		return LoopResult{}, err
	}
	c, err := getCtl()
	if err != nil {
		return LoopResult{}, err
	}
	l := (*loopCtl)(unsafe.Pointer(c))
	*l = loopCtl{}
	var s *stack
	tlsBlock := &l.tlsBlock
	if flags&CloneVM != 0 && flags&CloneVfork == 0 {
		if s, err = getStack(StackCached); err != nil {
			putCtl(c)
			return LoopResult{}, err
		}
		l.stack = s.top()
		tlsBlock = s.tlsBlock()
	}
	tlsBlock[0] = uint64(uintptr(unsafe.Pointer(tlsBlock)))
	if flags&CloneSetTLS != 0 {
		l.tls = uintptr(unsafe.Pointer(tlsBlock))
	}
	ticks := make([]uint64, n+1)
	for i := range ticks {
		ticks[i] = 1 // fault every page in now, not inside op i
	}
	l.mode = loopModeLoop
	l.flags = uint64(flags)
	l.exitNr = sysExitGroup
	l.join = joinWait4
	if flags&CloneThread != 0 {
		l.exitNr = sysExit
		l.join = joinFutex
	}
	l.n = int64(n)
	l.ticks = uintptr(unsafe.Pointer(&ticks[0]))
	l.failAt = int64(failAt)
	l.badFlags = uint64(badFlags)
	if c3 != nil {
		c3.fill(l)
	}

	if st != nil {
		arrived = true
		st.arrive()
		runLoopFrom(uintptr(unsafe.Pointer(l)), &st.flag)
	} else {
		runLoop(uintptr(unsafe.Pointer(l)))
	}
	runtime.KeepAlive(ticks)
	runtime.KeepAlive(st)

	if l.failed != 0 {
		pre := fmt.Sprintf("rawclone: Loop(%v)", flags)
		if c3 != nil {
			pre = fmt.Sprintf("rawclone: Loop3(%v)", c3)
			if l.closePidfd != 0 && l.failed != sysClone3 && l.failed != sysClose && l.pid > 0 {
				defer unix.Close(int(l.pidfd)) // the failing op's pidfd, after its child is finished
			}
		}
		err := l.loopErr(pre, n)
		if cerr := l.finishFailed(flags); cerr != nil {
			// The child may still run on the stack and write the block:
			// leak both rather than reuse them under it.
			return LoopResult{}, fmt.Errorf("%w; %v", err, cerr)
		}
		if s != nil {
			putStack(s, StackCached)
		}
		putCtl(c)
		return LoopResult{}, err
	}
	mono0, mono1 := l.mono0, l.mono1
	if flags&CloneThread != 0 {
		// Each thread's join came before the end of its do_exit (see
		// Task.Gone); the loop is over only when they are gone too.
		if err := SettleExiting(defaultKillGrace); err != nil {
			putCtl(c)
			return LoopResult{}, err
		}
	}
	if s != nil {
		putStack(s, StackCached)
	}
	putCtl(c)
	return convertTicks(ticks, mono0, mono1)
}

// loopErr names the op and the system call that stopped the loop.
func (l *loopCtl) loopErr(pre string, n int) error {
	where := fmt.Sprintf("%s: op %d of %d", pre, l.done, n)
	switch {
	case l.failed == sysClockGettime:
		return fmt.Errorf("%s: clock_gettime: %w", pre, unix.Errno(-l.errno))
	case l.failed == sysWait4 && l.errno == 0 && l.childErr < 0:
		return fmt.Errorf("%s: child %d: its write to fd %d: %w", where, l.pid, l.childFD, unix.Errno(-l.childErr))
	case l.failed == sysWait4 && l.errno == 0:
		return fmt.Errorf("%s: child %d ended with %s", where, l.pid, waitStatusString(unix.WaitStatus(l.wstatus)))
	case l.failed == sysWaitid && l.errno == 0 && l.childErr < 0:
		return fmt.Errorf("%s: child %d: its write to fd %d: %w", where, l.pid, l.childFD, unix.Errno(-l.childErr))
	case l.failed == sysWaitid && l.errno == 0:
		return fmt.Errorf("%s: child %d ended with code %d status %d", where, l.pid, int32(l.siginfo[1]), int32(l.siginfo[3]))
	}
	return fmt.Errorf("%s: %s: %w", where, loopSyscallName(l.failed), unix.Errno(-l.errno))
}

// finishFailed joins or reaps the failing op's child if the join was what
// failed (a clone that failed made none, and every earlier one is done).
func (l *loopCtl) finishFailed(flags Flags) error {
	if l.pid <= 0 || l.failed == sysClone || l.failed == sysClone3 || l.failed == sysClose || (l.failed == sysWait4 && l.errno == 0) || (l.failed == sysWaitid && l.errno == 0) {
		return nil
	}
	if l.join == joinWait4 || l.join == joinPidfd {
		for {
			var ws unix.WaitStatus
			_, err := unix.Wait4(int(l.pid), &ws, unix.WALL, nil)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return fmt.Errorf("reap child %d: wait4: %w (its stack and control block are leaked)", l.pid, err)
			}
			return nil
		}
	}
	// Released implies its tid word was cleared, so the stack is free.
	if err := released(int(l.pid), time.Now().Add(defaultKillGrace)); err != nil {
		return fmt.Errorf("thread %d did not end (its stack and control block are leaked): %w", l.pid, err)
	}
	return nil
}

func loopSyscallName(nr int64) string {
	switch nr {
	case sysClone:
		return "clone"
	case sysWait4:
		return "wait4"
	case sysClone3:
		return "clone3"
	case sysWaitid:
		return "waitid"
	case sysClose:
		return "close"
	case sysMunmap:
		return "munmap"
	case sysPrctl:
		return "prctl"
	}
	return syscallName(nr)
}

// waitStatusString says how a child ended.
func waitStatusString(ws unix.WaitStatus) string {
	switch {
	case ws.Exited():
		return fmt.Sprintf("exit status %d", ws.ExitStatus())
	case ws.Signaled():
		return fmt.Sprintf("signal %s", signalName(int(ws.Signal())))
	}
	return fmt.Sprintf("wait status %#x", uint32(ws))
}

// convertTicks turns n+1 counter readings into n durations, calibrated
// against the CLOCK_MONOTONIC span around them. Each op is the difference
// of rounded cumulative times, so the ops sum to the total exactly.
func convertTicks(ticks []uint64, mono0, mono1 [2]int64) (LoopResult, error) {
	n := len(ticks) - 1
	elapsed := time.Duration(mono1[0]-mono0[0])*time.Second + time.Duration(mono1[1]-mono0[1])
	for i := 0; i < n; i++ {
		if ticks[i+1] <= ticks[i] {
			return LoopResult{}, fmt.Errorf("rawclone: cycle counter did not advance over op %d (%d then %d): is it unsynchronised across CPUs? Pin the Cloner", i, ticks[i], ticks[i+1])
		}
	}
	if elapsed <= 0 {
		return LoopResult{}, fmt.Errorf("rawclone: CLOCK_MONOTONIC did not advance over the loop (%v)", elapsed)
	}
	k := float64(elapsed) / float64(ticks[n]-ticks[0])
	res := LoopResult{Ops: make([]time.Duration, n), Elapsed: elapsed, Ticks: ticks, NsPerTick: k,
		Start: time.Duration(mono0[0])*time.Second + time.Duration(mono0[1]),
		End:   time.Duration(mono1[0])*time.Second + time.Duration(mono1[1])}
	prev := int64(0)
	for i := 0; i < n; i++ {
		cum := int64(math.Round(k * float64(ticks[i+1]-ticks[0])))
		res.Ops[i] = time.Duration(cum - prev)
		prev = cum
	}
	return res, nil
}

// counterCheck refuses a cycle counter whose rate is not fixed.
var counterCheck = sync.OnceValue(func() error {
	if runtime.GOARCH != "amd64" {
		return nil // arm64's generic timer runs at a fixed rate by architecture
	}
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return fmt.Errorf("rawclone: loop timestamps: reading /proc/cpuinfo for the TSC flags: %w", err)
	}
	return tscCheck(b)
})

// tscCheck wants an invariant TSC: constant_tsc (a fixed rate whatever the
// frequency) and nonstop_tsc (it runs in deep C-states), so that ticks over
// an op mean the same time in every op, including those that sleep.
func tscCheck(cpuinfo []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.TrimSpace(k) != "flags" {
			continue
		}
		have := map[string]bool{}
		for _, f := range strings.Fields(v) {
			have[f] = true
		}
		for _, want := range []string{"constant_tsc", "nonstop_tsc"} {
			if !have[want] {
				return fmt.Errorf("rawclone: loop timestamps need an invariant TSC, and /proc/cpuinfo flags lack %s: %w", want, errors.ErrUnsupported)
			}
		}
		return nil
	}
	return fmt.Errorf("rawclone: loop timestamps need an invariant TSC, and /proc/cpuinfo has no flags line: %w", errors.ErrUnsupported)
}

// Pin pins the Cloner's thread to cpu, so that every child (which inherits
// the mask) runs on the CPU its parent does: creation then costs what the
// kernel charges, without a wake-up on another CPU. restore puts back the
// mask the thread had; call it before Close.
func (cl *Cloner) Pin(cpu int) (restore func() error, err error) {
	if cl.closed {
		return nil, errors.New("rawclone: Pin on a closed Cloner")
	}
	if cpu < 0 || cpu >= maxCPU {
		return nil, fmt.Errorf("rawclone: Pin CPU %d out of range [0, %d)", cpu, maxCPU)
	}
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, fmt.Errorf("rawclone: Pin: sched_getaffinity: %w", err)
	}
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("rawclone: Pin CPU %d: sched_setaffinity: %w", cpu, err)
	}
	done := false
	return func() error {
		if done {
			return nil
		}
		done = true
		if err := unix.SchedSetaffinity(0, &old); err != nil {
			return fmt.Errorf("rawclone: restore affinity: sched_setaffinity: %w", err)
		}
		return nil
	}, nil
}
