//go:build linux && amd64

#include "go_asm.h"
#include "textflag.h"

// TICKS reads the TSC into AX (clobbers DX); LFENCE keeps it from being
// read before the instructions ahead of it have completed.
#define TICKS LFENCE; RDTSC; SHLQ $32, DX; ORQ DX, AX
// HIST_INDEX turns the value in AX into its hist.Index bucket (clobbering
// CX), going to label small for v < 64, its own bucket; else with
// e = BSR(v), the bucket is (e-5)*32 + v>>(e-5).
#define HIST_INDEX(small) CMPQ AX, $64; JCS small; BSRQ AX, CX; SUBQ $const_histSubBits, CX; SHRQ CX, AX; SHLQ $const_histSubBits, CX; ADDQ CX, AX

// The child body uses registers only: SYSCALL reads its arguments from
// DI, SI, DX, R10, R8 and clobbers AX, CX and R11, so the body's state lives
// in registers the kernel preserves:
//	R12	*ctl
//	R13	rounds done
//	R14	rounds to do (warm-up + timed)
//	R15	1 if this side signals first
//	BX	number of the syscall in flight, stored if it fails

// func rawClone(flags, stack, ptid, ctid, tls, c uintptr) int
//
// NOFRAME: the CallRet loop's CALLs would otherwise make the assembler save
// and set BP around rawClone, changing the parent's path.
TEXT ·rawClone(SB),NOSPLIT|NOFRAME,$0-56
	MOVQ	flags+0(FP), DI
	MOVQ	stack+8(FP), SI
	MOVQ	ptid+16(FP), DX
	MOVQ	ctid+24(FP), R10
	MOVQ	tls+32(FP), R8
	// Everything the child needs is loaded before the syscall: it starts
	// with our registers, its own stack pointer and AX = 0.
	MOVQ	c+40(FP), R12
	MOVQ	$const_sysClone, AX
	SYSCALL
	TESTQ	AX, AX
	JEQ	child
	MOVQ	AX, ret+48(FP)
	RET

child:
	// Never returns into Go: on a fork-style or vfork child SP is our stack
	// (a copy, or our suspended own), so nothing here pushes or calls, but
	// for the CallRet loop's CALLs: one return address below SP, in the
	// stack Go guarantees a NOSPLIT function (a vfork child runs only
	// OpExit, which never gets there).
	MOVQ	ctl_deathSig(R12), SI
	TESTQ	SI, SI
	JEQ	pin
	MOVQ	$const_prSetPdeathsig, DI
	MOVQ	$const_sysPrctl, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	fail
	// The parent may have died before the prctl: then nobody reaps us.
	// In a new pid namespace (NEWPID) every parent is outside it and
	// reads as 0, so there the check cannot tell and PDEATHSIG alone
	// covers it.
	MOVQ	$const_sysGetppid, BX
	MOVQ	BX, AX
	SYSCALL
	TESTQ	AX, AX
	JEQ	pin
	CMPQ	AX, ctl_ppid(R12)
	JNE	orphan

pin:
	MOVQ	ctl_cpusetLen(R12), SI
	TESTQ	SI, SI
	JEQ	rseqreg
	MOVQ	$0, DI
	LEAQ	ctl_cpuset(R12), DX
	MOVQ	$const_sysSetaffinity, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	fail

rseqreg:
	// Body.RSeq: rseq(area, 32, 0, RSEQ_SIG), as glibc does at thread
	// start. A fork-style child may have inherited the cloning thread's
	// registration (glibc's, in a cgo binary): the kernel then says EINVAL
	// (another area is registered), and that one stays, which costs the
	// same. EBUSY would mean this very area is registered already.
	CMPQ	ctl_rseqOn(R12), $0
	JEQ	dispatch
	LEAQ	ctl_rseq(R12), DI
	MOVQ	$const_rseqLen, SI
	XORQ	DX, DX
	MOVQ	$const_rseqSig, R10
	MOVQ	$const_sysRseq, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-const_ebusy
	JEQ	rseq_kept
	CMPQ	AX, $-const_einval
	JNE	rseq_checked
	CMPQ	ctl_rseqInherit(R12), $0
	JEQ	fail
rseq_kept:
	MOVQ	AX, ctl_rseqKept(R12)
	JMP	dispatch
rseq_checked:
	CMPQ	AX, $-4095
	JCC	fail

dispatch:
	MOVQ	ctl_op(R12), AX
	CMPQ	AX, $const_OpExit
	JEQ	finished
	CMPQ	AX, $const_OpBlockRead
	JEQ	blockread

	// OpPingPong and OpLoopback.
	XORQ	R13, R13
	MOVQ	ctl_n(R12), R14
	ADDQ	ctl_warmup(R12), R14
	MOVQ	ctl_initiator(R12), R15
	CMPQ	ctl_warmup(R12), $0
	JNE	round

	// No warm-up: the timed interval starts now.
timed_start:
	MOVQ	$const_clockMonotonic, DI
	LEAQ	ctl_start(R12), SI
	MOVQ	$const_sysClockGettime, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	fail
	// The counter beside the clock reading: the calibration span's start.
	TICKS
	MOVQ	AX, ctl_tscStart(R12)
	MOVQ	$const_rusageThread, DI
	LEAQ	ctl_ruStart(R12), SI
	MOVQ	$const_sysGetrusage, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	fail
	// The first timed round trip starts here.
	TICKS
	MOVQ	AX, ctl_tscPrev(R12)

round:
	CMPQ	R13, R14
	JGE	timed_end
	TESTQ	R15, R15
	JEQ	wait

signal:
	// Body.Wake: stamp the wake call for the partner to subtract.
	CMPQ	ctl_wakeHist(R12), $0
	JEQ	signal_mech
	TICKS
	MOVQ	ctl_stamp(R12), DX
	MOVQ	AX, (DX)
signal_mech:
	MOVQ	ctl_mech(R12), AX
	CMPQ	AX, $const_MechFD
	JEQ	signal_fd
	CMPQ	AX, $const_MechFutex
	JEQ	signal_futex

	// MechYield: hand the turn over; the partner sees it when it runs.
	CMPQ	ctl_loopback(R12), $0
	JNE	signaled
	MOVQ	ctl_word(R12), DI
	MOVQ	ctl_other(R12), AX
	XCHGL	AX, (DI)
	JMP	signaled

signal_fd:
	MOVQ	ctl_out(R12), DI
	LEAQ	ctl_wbuf(R12), SI
	MOVQ	ctl_iosize(R12), DX
	MOVQ	$const_sysWrite, BX
	MOVQ	BX, AX
	CMPQ	ctl_callRet(R12), $0
	JNE	signal_fd_call
	SYSCALL
signal_fd_done:
	CMPQ	AX, $-4095
	JCC	fail
	JMP	signaled

signal_futex:
	MOVQ	ctl_word(R12), DI
	CMPQ	ctl_loopback(R12), $0
	JNE	signal_futex_wake
	MOVQ	ctl_other(R12), AX
	XCHGL	AX, (DI)
signal_futex_wake:
	MOVQ	$const_futexWake, SI
	MOVQ	$1, DX
	MOVQ	$const_sysFutex, BX
	MOVQ	BX, AX
	CMPQ	ctl_callRet(R12), $0
	JNE	signal_futex_wake_call
	SYSCALL
signal_futex_wake_done:
	CMPQ	AX, $-4095
	JCC	fail

signaled:
	TESTQ	R15, R15
	JEQ	round_done

wait:
	MOVQ	ctl_mech(R12), AX
	CMPQ	AX, $const_MechFD
	JEQ	wait_fd
	CMPQ	AX, $const_MechFutex
	JEQ	wait_futex

	// MechYield.
	CMPQ	ctl_loopback(R12), $0
	JNE	wait_yield_once
wait_yield:
	MOVQ	ctl_word(R12), DI
	MOVL	(DI), AX
	CMPL	AX, ctl_me(R12)
	JEQ	waited
	CMPL	ctl_abort(R12), $0
	JNE	aborted
wait_yield_once:
	MOVQ	$const_sysSchedYield, BX
	MOVQ	BX, AX
	CMPQ	ctl_callRet(R12), $0
	JNE	wait_yield_once_call
	SYSCALL
wait_yield_once_done:
	CMPQ	AX, $-4095
	JCC	fail
	CMPQ	ctl_loopback(R12), $0
	JNE	waited
	JMP	wait_yield

wait_fd:
	MOVQ	ctl_in(R12), DI
	LEAQ	ctl_rbuf(R12), SI
	MOVQ	ctl_iosize(R12), DX
	MOVQ	$const_sysRead, BX
	MOVQ	BX, AX
	CMPQ	ctl_callRet(R12), $0
	JNE	wait_fd_call
	SYSCALL
wait_fd_done:
	CMPQ	AX, $-4095
	JCC	fail
	TESTQ	AX, AX
	JEQ	eof
	ADDQ	AX, ctl_bytes(R12)
	JMP	waited

wait_futex:
	MOVQ	ctl_word(R12), DI
	MOVL	(DI), DX
	CMPQ	ctl_loopback(R12), $0
	JEQ	wait_futex_turn
	// Loopback: wait for a value the word does not hold, so the kernel
	// checks and returns EAGAIN at once.
	XORL	$1, DX
	JMP	wait_futex_call
wait_futex_turn:
	CMPL	DX, ctl_me(R12)
	JEQ	waited
	CMPL	ctl_abort(R12), $0
	JNE	aborted
wait_futex_call:
	// FUTEX_WAIT while the word still holds DX (no timeout).
	MOVQ	$const_futexWait, SI
	XORQ	R10, R10
	MOVQ	$const_sysFutex, BX
	MOVQ	BX, AX
	CMPQ	ctl_callRet(R12), $0
	JNE	wait_futex_call_call
	SYSCALL
wait_futex_call_done:
	CMPQ	AX, $-const_eagain
	JEQ	wait_futex_again
	CMPQ	AX, $-const_eintr
	JEQ	wait_futex_again
	CMPQ	AX, $-4095
	JCC	fail
wait_futex_again:
	CMPQ	ctl_loopback(R12), $0
	JNE	waited
	JMP	wait_futex

waited:
	// Body.Wake: back in user space after the partner's wake call; R13
	// rounds are done, so this one is timed once R13 ≥ warm-up.
	CMPQ	ctl_wakeHist(R12), $0
	JEQ	waited_check
	CMPQ	R13, ctl_warmup(R12)
	JLT	waited_check
	TICKS
	MOVQ	ctl_stamp(R12), DX
	SUBQ	(DX), AX
	JGE	wake_bucket
	XORQ	AX, AX // counters a little apart across CPUs: count it as 0
wake_bucket:
	HIST_INDEX(wake_count)
wake_count:
	MOVQ	ctl_wakeHist(R12), DX
	INCQ	(DX)(AX*8)
waited_check:
	CMPL	ctl_abort(R12), $0
	JNE	aborted
	// Touch the working set: one load per cache line.
	MOVQ	ctl_ws(R12), SI
	MOVQ	ctl_wslen(R12), DX
	ADDQ	SI, DX
touch:
	CMPQ	SI, DX
	JCC	touched
	MOVQ	(SI), AX
	ADDQ	$const_cacheLine, SI
	JMP	touch
touched:
	TESTQ	R15, R15
	JEQ	signal

round_done:
	INCQ	R13
	MOVQ	R13, ctl_rounds(R12)
	// Body.RoundTrips: a timed round trip (number > warm-up) just ended.
	CMPQ	ctl_rtHist(R12), $0
	JEQ	round_next
	CMPQ	R13, ctl_warmup(R12)
	JLE	round_next
	TICKS
	MOVQ	AX, DX
	SUBQ	ctl_tscPrev(R12), AX
	MOVQ	DX, ctl_tscPrev(R12)
	HIST_INDEX(rt_count)
rt_count:
	MOVQ	ctl_rtHist(R12), DX
	INCQ	(DX)(AX*8)
round_next:
	CMPQ	R13, ctl_warmup(R12)
	JNE	round
	// Warm-up over: the timed interval starts now.
	JMP	timed_start

timed_end:
	// The counter beside the clock reading: the calibration span's end.
	TICKS
	MOVQ	AX, ctl_tscEnd(R12)
	MOVQ	$const_clockMonotonic, DI
	LEAQ	ctl_end(R12), SI
	MOVQ	$const_sysClockGettime, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	fail
	MOVQ	$const_rusageThread, DI
	LEAQ	ctl_ruEnd(R12), SI
	MOVQ	$const_sysGetrusage, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	fail
	JMP	finished

blockread:
	MOVQ	ctl_in(R12), DI
	LEAQ	ctl_rbuf(R12), SI
	MOVQ	$1, DX
	MOVQ	$const_sysRead, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	fail
	TESTQ	AX, AX
	JEQ	eof
	ADDQ	AX, ctl_bytes(R12)
	CMPL	ctl_abort(R12), $0
	JNE	aborted

finished:
	MOVQ	$const_statusDone, ctl_status(R12)
	XORQ	DI, DI
	JMP	exit

aborted:
	MOVQ	$const_statusAborted, ctl_status(R12)
	XORQ	DI, DI
	JMP	exit

eof:
	MOVQ	BX, ctl_failed(R12)
	MOVQ	$1, ctl_eof(R12)
	MOVQ	$const_exitCodeFailed, DI
	JMP	exit

orphan:
	MOVQ	$const_exitCodeFailed, DI
	JMP	exit

fail:
	MOVQ	BX, ctl_failed(R12)
	MOVQ	AX, ctl_errno(R12)
	MOVQ	$const_exitCodeFailed, DI

exit:
	// exit for a thread-group member, exit_group otherwise; keep trying
	// should it ever return.
	MOVQ	ctl_exitNr(R12), AX
	SYSCALL
	JMP	exit

// The Body.CallRet path: each loop system call through a call to callsys
// and its return, out of line so that the inline path above falls through
// exactly as it does without CallRet.
signal_fd_call:
	CALL	callsys<>(SB)
	JMP	signal_fd_done
signal_futex_wake_call:
	CALL	callsys<>(SB)
	JMP	signal_futex_wake_done
wait_yield_once_call:
	CALL	callsys<>(SB)
	JMP	wait_yield_once_done
wait_fd_call:
	CALL	callsys<>(SB)
	JMP	wait_fd_done
wait_futex_call_call:
	CALL	callsys<>(SB)
	JMP	wait_futex_call_done

// callsys issues the system call set up in AX, DI, SI, DX, R10 as a
// one-instruction function: the loop with Body.CallRet reaches it through
// CALL, as a C program reaches glibc's read and write, so that the return
// after a system call that switched tasks is paid as it is there. It
// touches only what SYSCALL does (AX, CX, R11) and the return address the
// CALL pushed below SP.
TEXT callsys<>(SB),NOSPLIT|NOFRAME,$0-0
	SYSCALL
	RET
