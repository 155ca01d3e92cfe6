//go:build linux && (amd64 || arm64)

package rawclone

import (
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/hist"
)

// ctl is a task's control block: what its assembly body reads (inputs) and
// writes (outputs). It lives in MAP_SHARED anonymous memory so that a
// fork-style child, which runs in a copy of our address space, writes its
// outputs where we can read them. The assembly reaches the fields through
// go_asm.h (ctl_op, ctl_in, …), so the layout here is the only one.
// Every field is 8 bytes wide, so offsets are the same on amd64 and arm64.
type ctl struct {
	// Inputs.
	op        int64
	mech      int64
	in        int64
	out       int64
	iosize    int64
	n         int64
	warmup    int64
	initiator int64 // 1: signal first, then wait (also set for OpLoopback)
	loopback  int64
	me        int64   // futex/yield: the word's value when it is our turn
	other     int64   // … and when it is the partner's
	word      uintptr // futex/yield turn word
	ws        uintptr // working set
	wslen     uintptr
	cpusetLen int64 // bytes of cpuset to pass; 0 leaves affinity alone
	exitNr    int64 // SYS_exit for thread-group members, SYS_exit_group otherwise
	deathSig  int64 // PR_SET_PDEATHSIG signal for a long-lived child of its own; 0: none
	ppid      int64 // our pid, to spot a parent that died before prctl took effect
	cpuset    [16]uint64

	// Shared words. tid is the CHILD_CLEARTID (and PARENT_SETTID) word; abort
	// asks a thread-group member to leave its loop (it cannot be SIGKILLed
	// alone). Both are 32-bit futex words.
	tid   int32
	abort int32

	// Outputs.
	start   [2]int64 // struct timespec, CLOCK_MONOTONIC
	end     [2]int64
	rounds  int64
	bytes   int64
	errno   int64     // -errno of the failed syscall, 0 if none
	failed  int64     // number of the syscall that failed (or returned EOF)
	eof     int64     // 1: a read returned 0
	status  int64     // 1 body finished, 2 aborted
	ruStart [18]int64 // struct rusage (144 bytes)
	ruEnd   [18]int64
	rbuf    [2]uint64 // read buffer
	wbuf    [2]uint64 // write buffer: holds 1, what an eventfd write adds

	// TLS block for CLONE_SETTLS when the task has no stack of its own; its
	// first word points at itself, as a TCB's does.
	tls [8]uint64

	// Input, kept last so that adding it moved no other field: 1 issues
	// the loop's system calls through a call and return (Body.CallRet).
	callRet int64

	// rseq(2), kept after callRet for the same reason. Inputs: rseqOn 1
	// registers rseq below (Body.RSeq); rseqInherit 1 when the task may have
	// inherited a registration (no CLONE_VM: the kernel copies the
	// parent's), so that rseq's EINVAL means "another area is registered"
	// and is accepted. Output: rseqKept, the -errno rseq(2) returned that
	// was accepted (-EINVAL: the inherited registration of another area
	// stays; -EBUSY: this very area was registered already), 0 if ours
	// took.
	rseqOn      int64
	rseqInherit int64
	rseqKept    int64
	_           [3]int64 // pads rseq to a 32-byte boundary (checked below)
	// The registered area. The kernel writes it on returns to user until
	// the task exits, and the block is recycled only after the task is
	// joined or reaped, so nothing of a later task's is written over.
	rseq rseqArea

	// Latency recording, kept after rseq so that adding it moved no other
	// field. Inputs: rtHist and wakeHist, the tick histograms
	// (Body.RoundTrips, Body.Wake; 0: off), stamp the pair's shared wake
	// stamp (Body.WakeStamp). Outputs: tscStart and tscEnd, the cycle
	// counter read beside ctl.start and ctl.end (the calibration span);
	// tscPrev, the loop's last reading.
	rtHist   uintptr
	wakeHist uintptr
	stamp    uintptr
	tscStart uint64
	tscEnd   uint64
	tscPrev  uint64
}

// rseqArea is the kernel's struct rseq in its original 32-byte form
// (ORIG_RSEQ_SIZE), which is what glibc registers: rseq(2) wants it
// aligned to 32 bytes.
type rseqArea struct {
	cpuIDStart uint32
	cpuID      uint32 // rseqCPUIDUninit until the kernel writes it
	rseqCS     uint64
	flags      uint32
	nodeID     uint32
	mmCID      uint32
	_          uint32
}

// Values the assembly reads through go_asm.h (const_…).
const (
	sysRead          = unix.SYS_READ
	sysWrite         = unix.SYS_WRITE
	sysFutex         = unix.SYS_FUTEX
	sysSchedYield    = unix.SYS_SCHED_YIELD
	sysClockGettime  = unix.SYS_CLOCK_GETTIME
	sysGetrusage     = unix.SYS_GETRUSAGE
	sysSetaffinity   = unix.SYS_SCHED_SETAFFINITY
	sysExit          = unix.SYS_EXIT
	sysExitGroup     = unix.SYS_EXIT_GROUP
	sysClone         = unix.SYS_CLONE
	sysPrctl         = unix.SYS_PRCTL
	sysGetppid       = unix.SYS_GETPPID
	sysRseq          = unix.SYS_RSEQ
	rseqLen          = 32         // ORIG_RSEQ_SIZE, as glibc registers it
	rseqCPUIDUninit  = 0xffffffff // RSEQ_CPU_ID_UNINITIALIZED (-1)
	ebusy            = int(unix.EBUSY)
	einval           = int(unix.EINVAL)
	prSetPdeathsig   = unix.PR_SET_PDEATHSIG
	futexWait        = 0 // FUTEX_WAIT, shared: the word may be MAP_SHARED between processes
	futexWake        = 1 // FUTEX_WAKE
	clockMonotonic   = unix.CLOCK_MONOTONIC
	rusageThread     = unix.RUSAGE_THREAD
	eagain           = int(unix.EAGAIN)
	eintr            = int(unix.EINTR)
	statusDone       = 1
	statusAborted    = 2
	ctlSlot          = 2048 // bytes per control block in a slab
	ctlSlabSize      = 64 << 10
	tidSentinel      = -1
	exitCodeFailed   = 1
	stackSize        = 64 << 10
	guardSize        = 4096
	tlsReserve       = 256 // bytes at the top of a stack kept for the TLS block
	maxIOSize        = 16
	maxCPU           = 16 * 64
	cacheLine        = 64
	defaultKillGrace = 5e9 // ns a thread-group member gets to notice abort
	histSubBits      = hist.SubBits
)

var _ = [1]struct{}{}[unsafe.Sizeof(ctl{})/(ctlSlot+1)] // ctl must fit a slot

// rseq(2) refuses an area off a 32-byte boundary; slots start on one
// (ctlSlot is a multiple of 32 and slabs are page-aligned), so the field's
// offset must be one too.
var _ = [1]struct{}{}[unsafe.Offsetof(ctl{}.rseq)%rseqLen]
var _ = [1]struct{}{}[unsafe.Sizeof(rseqArea{})-rseqLen]

// ctlPool hands out control blocks carved from MAP_SHARED slabs and takes
// them back after the join, so creating a task costs no mmap of its own.
var ctlPool struct {
	sync.Mutex
	free []*ctl
}

func getCtl() (*ctl, error) {
	ctlPool.Lock()
	defer ctlPool.Unlock()
	if len(ctlPool.free) == 0 {
		mem, err := unix.Mmap(-1, 0, ctlSlabSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_ANONYMOUS)
		if err != nil {
			return nil, fmt.Errorf("rawclone: mmap control blocks: %w", err)
		}
		// Slabs are never unmapped: blocks are reused for the life of the
		// process, like glibc's stack cache.
		for off := 0; off+ctlSlot <= len(mem); off += ctlSlot {
			ctlPool.free = append(ctlPool.free, (*ctl)(unsafe.Pointer(&mem[off])))
		}
	}
	c := ctlPool.free[len(ctlPool.free)-1]
	ctlPool.free = ctlPool.free[:len(ctlPool.free)-1]
	*c = ctl{}
	return c, nil
}

func putCtl(c *ctl) {
	ctlPool.Lock()
	ctlPool.free = append(ctlPool.free, c)
	ctlPool.Unlock()
}

// stack is a CLONE_VM child's stack: a mapping whose lowest page is a
// PROT_NONE guard.
type stack struct {
	mem []byte
}

// top is the initial stack pointer, below the reserved TLS block, 16-byte
// aligned as both ABIs want.
func (s *stack) top() uintptr {
	return (uintptr(unsafe.Pointer(&s.mem[0])) + uintptr(len(s.mem)) - tlsReserve) &^ 15
}

// tlsBlock is the TLS block at the top of the mapping.
func (s *stack) tlsBlock() *[8]uint64 {
	return (*[8]uint64)(unsafe.Pointer(&s.mem[len(s.mem)-tlsReserve]))
}

var stackPool struct {
	sync.Mutex
	free []*stack
}

// newStack maps a stack with a guard page, as glibc's allocate_stack does on
// a cold cache: mmap, then mprotect the guard.
func newStack() (*stack, error) {
	mem, err := unix.Mmap(-1, 0, stackSize+guardSize, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_STACK)
	if err != nil {
		return nil, fmt.Errorf("rawclone: mmap stack: %w", err)
	}
	if err := unix.Mprotect(mem[:guardSize], unix.PROT_NONE); err != nil {
		unix.Munmap(mem)
		return nil, fmt.Errorf("rawclone: mprotect stack guard: %w", err)
	}
	return &stack{mem: mem}, nil
}

func getStack(mode StackMode) (*stack, error) {
	if mode == StackCached {
		stackPool.Lock()
		if n := len(stackPool.free); n > 0 {
			s := stackPool.free[n-1]
			stackPool.free = stackPool.free[:n-1]
			stackPool.Unlock()
			return s, nil
		}
		stackPool.Unlock()
	}
	return newStack()
}

func putStack(s *stack, mode StackMode) error {
	if mode == StackCached {
		stackPool.Lock()
		stackPool.free = append(stackPool.free, s)
		stackPool.Unlock()
		return nil
	}
	if err := unix.Munmap(s.mem); err != nil {
		return fmt.Errorf("rawclone: munmap stack: %w", err)
	}
	return nil
}
