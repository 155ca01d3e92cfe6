//go:build linux && (amd64 || arm64)

package rawclone

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawClone issues clone(2). In the parent it returns the child's tid or
// -errno. The child never returns: it runs the body described by c (a *ctl)
// on stack (or, when stack is 0, on the parent's stack, which it never
// touches) and exits.
//
//go:noescape
func rawClone(flags, stack, ptid, ctid, tls, c uintptr) int

// Task is one cloned task. Every Task must end through Wait or Kill.
type Task struct {
	tid   int
	flags Flags
	body  Body
	opt   Options
	c     *ctl
	stack *stack

	mu      sync.Mutex
	reaping bool          // a Wait or Kill is joining/reaping the task
	done    chan struct{} // closed once joined or reaped
	err     error         // the outcome, valid once done is closed
	res     Result
	killed  bool // Kill or a timeout ended it
	leaked  bool // could not be joined: its memory is never reused
}

// Tid is the task's thread id (its pid if it leads its own thread group).
func (t *Task) Tid() int { return t.tid }

// Flags are the flags the task was cloned with.
func (t *Task) Flags() Flags { return t.flags }

// threadMember reports whether the task joined our thread group: it then has
// no exit signal and no wait4 status, and SIGKILL would end us all.
func (t *Task) threadMember() bool { return t.flags&CloneThread != 0 }

// Result returns what the task recorded; valid after Wait or Kill returned.
func (t *Task) Result() Result {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.res
}

// check refuses flag and body combinations that cannot run, before any
// kernel is asked; combinations the kernel refuses are left to it.
func check(flags Flags, body Body) error {
	if flags&ClonePidfd != 0 {
		return fmt.Errorf("rawclone: clone flags %v: PIDFD is not supported (its pidfd would be written over PARENT_SETTID's word)", flags)
	}
	if flags&CloneParent != 0 && flags&CloneThread == 0 {
		return fmt.Errorf("rawclone: clone flags %v: PARENT without THREAD makes the child our sibling, which we cannot reap", flags)
	}
	if flags&CloneVfork != 0 && body.Op != OpExit {
		return fmt.Errorf("rawclone: clone flags %v: VFORK suspends us until the child exits, so only OpExit can run (got op %d)", flags, body.Op)
	}
	if body.CPU < NoCPU || body.CPU >= maxCPU {
		return fmt.Errorf("rawclone: body CPU %d out of range [-1, %d)", body.CPU, maxCPU)
	}
	switch body.Op {
	case OpExit:
		return nil
	case OpBlockRead:
		if body.In < 0 {
			return fmt.Errorf("rawclone: OpBlockRead needs an In fd (got %d)", body.In)
		}
		return nil
	case OpPingPong, OpLoopback:
	default:
		return fmt.Errorf("rawclone: unknown body op %d", body.Op)
	}
	if err := checkRecording(body); err != nil {
		return err
	}
	if body.N < 0 || body.Warmup < 0 {
		return fmt.Errorf("rawclone: body N %d and Warmup %d must not be negative", body.N, body.Warmup)
	}
	switch body.Mech {
	case MechFD:
		if body.In < 0 || body.Out < 0 {
			return fmt.Errorf("rawclone: MechFD needs In and Out fds (got %d, %d)", body.In, body.Out)
		}
		if body.IOSize < 1 || body.IOSize > maxIOSize {
			return fmt.Errorf("rawclone: MechFD IOSize %d out of range [1, %d]", body.IOSize, maxIOSize)
		}
	case MechFutex, MechYield:
		if body.Op == OpLoopback && body.Mech == MechYield {
			break // a lone sched_yield loop needs no turn word
		}
		if body.Word == nil || body.Word.mem == nil {
			return fmt.Errorf("rawclone: mech %d needs a Word (NewWord)", body.Mech)
		}
	default:
		return fmt.Errorf("rawclone: unknown body mech %d", body.Mech)
	}
	return nil
}

// Clone issues clone(2) with flags and starts body in the child. The calling
// goroutine is locked to its thread, with every signal blocked, for the
// syscall only. A flag set the kernel refuses comes back as an error wrapping
// the kernel's unix.Errno (EINVAL, EAGAIN, EPERM, …).
func Clone(flags Flags, body Body, opt Options) (*Task, error) {
	return clone(flags, body, opt, cloneLocked)
}

// issueFunc issues the prepared clone(2) and returns the tid or -errno.
type issueFunc func(flags Flags, stackTop, tidAddr, tls uintptr, c *ctl) int

func clone(flags Flags, body Body, opt Options, issue issueFunc) (*Task, error) {
	if err := check(flags, body); err != nil {
		return nil, err
	}
	if opt.Stack != StackCached && opt.Stack != StackFresh {
		return nil, fmt.Errorf("rawclone: unknown stack mode %d", opt.Stack)
	}
	c, err := getCtl()
	if err != nil {
		return nil, err
	}
	t := &Task{flags: flags, body: body, opt: opt, c: c, done: make(chan struct{})}
	c.op = int64(body.Op)
	c.mech = int64(body.Mech)
	c.in, c.out = int64(body.In), int64(body.Out)
	c.iosize = int64(body.IOSize)
	if body.Op == OpBlockRead {
		c.iosize = 1
	}
	c.n, c.warmup = int64(body.N), int64(body.Warmup)
	if body.Initiator || body.Op == OpLoopback {
		c.initiator = 1
	}
	if body.Op == OpLoopback {
		c.loopback = 1
	}
	if body.CallRet {
		c.callRet = 1
	}
	// Uninitialised as glibc leaves it, so that a cpu_id the kernel wrote
	// shows the registration took.
	c.rseq.cpuID = rseqCPUIDUninit
	if body.RSeq {
		c.rseqOn = 1
		if flags&CloneVM == 0 {
			c.rseqInherit = 1
		}
	}
	// Turn values: the word holds 0 when it is the initiator's turn and 1
	// when it is the other side's, so a fresh (zeroed) Word starts with the
	// initiator about to signal.
	if body.Initiator {
		c.me, c.other = 0, 1
	} else {
		c.me, c.other = 1, 0
	}
	if body.Word != nil && body.Word.mem != nil {
		c.word = body.Word.addr()
	}
	if body.RoundTrips != nil {
		c.rtHist = body.RoundTrips.addr()
	}
	if body.Wake != nil {
		c.wakeHist = body.Wake.addr()
		c.stamp = body.WakeStamp.addr()
	}
	if len(body.WorkingSet) > 0 {
		c.ws = uintptr(unsafe.Pointer(&body.WorkingSet[0]))
		c.wslen = uintptr(len(body.WorkingSet))
	}
	if body.CPU >= 0 {
		c.cpuset[body.CPU/64] = 1 << (body.CPU % 64)
		c.cpusetLen = int64(unsafe.Sizeof(c.cpuset))
	}
	c.exitNr = sysExitGroup
	if flags&CloneThread != 0 {
		c.exitNr = sysExit
	}
	if flags&CloneThread == 0 && body.Op != OpExit {
		// A child of its own that blocks or loops would outlive us if we
		// died (Ctrl-C, a crashed test) holding copies of its fds; have the
		// kernel kill it when the thread that cloned it goes.
		c.deathSig = int64(unix.SIGKILL)
		c.ppid = int64(os.Getpid())
	}
	c.wbuf[0] = 1
	c.tid = tidSentinel

	var stackTop, tls uintptr
	tlsBlock := &c.tls
	if flags&CloneVM != 0 && flags&CloneVfork == 0 {
		s, err := getStack(opt.Stack)
		if err != nil {
			putCtl(c)
			return nil, err
		}
		t.stack = s
		stackTop = s.top()
		// Written whether or not SETTLS is set: glibc writes its TCB at the
		// top of every new stack, and so the first touch of a fresh stack is
		// ours, as it is glibc's.
		tlsBlock = s.tlsBlock()
	}
	tlsBlock[0] = uint64(uintptr(unsafe.Pointer(tlsBlock)))
	if flags&CloneSetTLS != 0 {
		tls = uintptr(unsafe.Pointer(tlsBlock))
	}
	tidAddr := uintptr(unsafe.Pointer(&c.tid))

	r := issue(flags, stackTop, tidAddr, tls, c)
	if r < 0 {
		t.release()
		return nil, fmt.Errorf("rawclone: clone(%v): %w", flags, unix.Errno(-r))
	}
	t.tid = r
	return t, nil
}

// cloneLocked runs rawClone on a locked thread with every signal blocked,
// so the child starts with every signal blocked (as the runtime's newosproc
// does) and no Go signal handler ever runs on it.
func cloneLocked(flags Flags, stackTop, tidAddr, tls uintptr, c *ctl) int {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	all := allSignals()
	var old unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, &all, &old); err != nil {
		return -int(err.(unix.Errno))
	}
	r := issueBlocked(flags, stackTop, tidAddr, tls, c)
	unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
	return r
}

// release returns the task's memory for reuse, unless the task may still be
// running on it.
func (t *Task) release() {
	if t.leaked {
		return
	}
	if t.stack != nil {
		putStack(t.stack, t.opt.Stack)
		t.stack = nil
	}
	if t.c != nil {
		putCtl(t.c)
		t.c = nil
	}
}

// syscallName names the system calls the body makes.
func syscallName(nr int64) string {
	switch nr {
	case sysRead:
		return "read"
	case sysWrite:
		return "write"
	case sysFutex:
		return "futex"
	case sysSchedYield:
		return "sched_yield"
	case sysClockGettime:
		return "clock_gettime"
	case sysGetrusage:
		return "getrusage"
	case sysSetaffinity:
		return "sched_setaffinity"
	case sysRseq:
		return "rseq"
	}
	return fmt.Sprintf("syscall %d", nr)
}

// A Cloner issues clones from one OS thread that keeps every signal blocked
// for the Cloner's whole life, instead of blocking and restoring them around
// each clone as Clone does. It saves two rt_sigprocmask calls per task (a
// few µs on a guest without PCID), which a creation benchmark would
// otherwise charge to the kernel's clone. Use it from one goroutine only,
// and Close it on that goroutine.
type Cloner struct {
	old    unix.Sigset_t
	closed bool
}

// NewCloner locks the calling goroutine to its OS thread and blocks every
// signal on that thread until Close.
func NewCloner() (*Cloner, error) {
	runtime.LockOSThread()
	cl := &Cloner{}
	all := allSignals()
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, &all, &cl.old); err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("rawclone: block signals: %w", err)
	}
	return cl, nil
}

// Clone is Clone issued from the Cloner's thread.
func (cl *Cloner) Clone(flags Flags, body Body, opt Options) (*Task, error) {
	if cl.closed {
		return nil, errors.New("rawclone: Clone on a closed Cloner")
	}
	return clone(flags, body, opt, issueBlocked)
}

// Close restores the thread's signal mask and unlocks it.
func (cl *Cloner) Close() error {
	if cl.closed {
		return nil
	}
	cl.closed = true
	err := unix.PthreadSigmask(unix.SIG_SETMASK, &cl.old, nil)
	runtime.UnlockOSThread()
	if err != nil {
		return fmt.Errorf("rawclone: restore signal mask: %w", err)
	}
	return nil
}

// issueBlocked issues the clone on a thread whose signals a Cloner blocked.
func issueBlocked(flags Flags, stackTop, tidAddr, tls uintptr, c *ctl) int {
	return rawClone(uintptr(flags), stackTop, tidAddr, tidAddr, tls, uintptr(unsafe.Pointer(c)))
}

func allSignals() unix.Sigset_t {
	var all unix.Sigset_t
	for i := range all.Val {
		all.Val[i] = ^uint64(0)
	}
	return all
}
