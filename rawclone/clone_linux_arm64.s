//go:build linux && arm64

#include "go_asm.h"
#include "textflag.h"

// HIST_INDEX turns the value in R13 into its hist.Index bucket (clobbering
// R14 and R15), going to label small for v < 64, its own bucket; else with
// e = 63-CLZ(v), the bucket is (e-5)*32 + v>>(e-5).
#define HIST_INDEX(small) CMP $64, R13; BLO small; CLZ R13, R14; MOVD $63, R15; SUB R14, R15, R14; SUB $const_histSubBits, R14; LSR R14, R13, R13; LSL $const_histSubBits, R14, R14; ADD R14, R13, R13

// The child body uses registers only. SVC takes the syscall number in R8 and
// arguments in R0-R5, returns in R0 and preserves every other register, so
// the body's state lives in registers Go assembly leaves to us:
//	R19	*ctl
//	R20	rounds done
//	R21	rounds to do (warm-up + timed)
//	R22	1 if this side signals first
//	R23	number of the syscall in flight, stored if it fails
// A result in [-4095, -1] is an error: CMN $4095 sets the carry for exactly
// those, hence "CMN $4095, R0; BHS fail".

// func rawClone(flags, stack, ptid, ctid, tls, c uintptr) int
//
// NOFRAME: the CallRet loop's BLs would otherwise make the assembler give
// rawClone a frame (saving LR and FP), changing the parent's path; the
// parent never executes a BL, so its LR is intact for RET.
TEXT ·rawClone(SB),NOSPLIT|NOFRAME,$0-56
	// arm64 clone: flags, stack, parent_tid, tls, child_tid.
	MOVD	flags+0(FP), R0
	MOVD	stack+8(FP), R1
	MOVD	ptid+16(FP), R2
	MOVD	tls+32(FP), R3
	MOVD	ctid+24(FP), R4
	// Everything the child needs is loaded before the syscall: it starts
	// with our registers, its own stack pointer and R0 = 0.
	MOVD	c+40(FP), R19
	MOVD	$const_sysClone, R8
	SVC
	CBZ	R0, child
	MOVD	R0, ret+48(FP)
	RET

child:
	// Never returns into Go, and touches no stack: on a fork-style or
	// vfork child SP is our stack (a copy, or our suspended own).
	MOVD	ctl_deathSig(R19), R1
	CBZ	R1, pin
	MOVD	$const_prSetPdeathsig, R0
	MOVD	$const_sysPrctl, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	fail
	// The parent may have died before the prctl: then nobody reaps us.
	MOVD	$const_sysGetppid, R8
	SVC
	CBZ	R0, pin // a new pid namespace: every parent reads as 0
	MOVD	ctl_ppid(R19), R9
	CMP	R9, R0
	BNE	orphan

pin:
	MOVD	ctl_cpusetLen(R19), R1
	CBZ	R1, rseqreg
	MOVD	$0, R0
	ADD	$ctl_cpuset, R19, R2
	MOVD	$const_sysSetaffinity, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	fail

rseqreg:
	// Body.RSeq: rseq(area, 32, 0, RSEQ_SIG), as glibc does at thread
	// start. A fork-style child may have inherited the cloning thread's
	// registration (glibc's, in a cgo binary): the kernel then says EINVAL
	// (another area is registered), and that one stays, which costs the
	// same. EBUSY would mean this very area is registered already.
	MOVD	ctl_rseqOn(R19), R9
	CBZ	R9, dispatch
	ADD	$ctl_rseq, R19, R0
	MOVD	$const_rseqLen, R1
	MOVD	$0, R2
	MOVD	$const_rseqSig, R3
	MOVD	$const_sysRseq, R23
	MOVD	R23, R8
	SVC
	CMN	$const_ebusy, R0
	BEQ	rseq_kept
	CMN	$const_einval, R0
	BNE	rseq_checked
	MOVD	ctl_rseqInherit(R19), R9
	CBZ	R9, fail
rseq_kept:
	MOVD	R0, ctl_rseqKept(R19)
	B	dispatch
rseq_checked:
	CMN	$4095, R0
	BHS	fail

dispatch:
	MOVD	ctl_op(R19), R0
	CMP	$const_OpExit, R0
	BEQ	finished
	CMP	$const_OpBlockRead, R0
	BEQ	blockread

	// OpPingPong and OpLoopback.
	MOVD	$0, R20
	MOVD	ctl_n(R19), R21
	MOVD	ctl_warmup(R19), R9
	ADD	R9, R21
	MOVD	ctl_initiator(R19), R22
	CBNZ	R9, round

	// No warm-up: the timed interval starts now.
timed_start:
	MOVD	$const_clockMonotonic, R0
	ADD	$ctl_start, R19, R1
	MOVD	$const_sysClockGettime, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	fail
	// The counter beside the clock reading: the calibration span's start.
	// ISB keeps CNTVCT_EL0 from being read ahead of what precedes it.
	ISB	$15
	MRS	CNTVCT_EL0, R12
	MOVD	R12, ctl_tscStart(R19)
	MOVD	$const_rusageThread, R0
	ADD	$ctl_ruStart, R19, R1
	MOVD	$const_sysGetrusage, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	fail
	// The first timed round trip starts here.
	ISB	$15
	MRS	CNTVCT_EL0, R12
	MOVD	R12, ctl_tscPrev(R19)

round:
	CMP	R21, R20
	BGE	timed_end
	CBZ	R22, waitturn

signal:
	// Body.Wake: stamp the wake call for the partner to subtract (the
	// write's system call, or the turn word's store-release, orders it
	// before the partner can see the wake).
	MOVD	ctl_wakeHist(R19), R12
	CBZ	R12, signal_mech
	ISB	$15
	MRS	CNTVCT_EL0, R12
	MOVD	ctl_stamp(R19), R13
	MOVD	R12, (R13)
signal_mech:
	MOVD	ctl_mech(R19), R9
	CMP	$const_MechFD, R9
	BEQ	signal_fd
	CMP	$const_MechFutex, R9
	BEQ	signal_futex

	// MechYield: hand the turn over; the partner sees it when it runs.
	MOVD	ctl_loopback(R19), R9
	CBNZ	R9, signaled
	MOVD	ctl_word(R19), R0
	MOVD	ctl_other(R19), R10
	STLRW	R10, (R0)
	B	signaled

signal_fd:
	MOVD	ctl_out(R19), R0
	ADD	$ctl_wbuf, R19, R1
	MOVD	ctl_iosize(R19), R2
	MOVD	$const_sysWrite, R23
	MOVD	R23, R8
	MOVD	ctl_callRet(R19), R9
	CBNZ	R9, signal_fd_call
	SVC
signal_fd_done:
	CMN	$4095, R0
	BHS	fail
	B	signaled

signal_futex:
	MOVD	ctl_word(R19), R0
	MOVD	ctl_loopback(R19), R9
	CBNZ	R9, signal_futex_wake
	MOVD	ctl_other(R19), R10
	STLRW	R10, (R0)
signal_futex_wake:
	MOVD	$const_futexWake, R1
	MOVD	$1, R2
	MOVD	$const_sysFutex, R23
	MOVD	R23, R8
	MOVD	ctl_callRet(R19), R9
	CBNZ	R9, signal_futex_wake_call
	SVC
signal_futex_wake_done:
	CMN	$4095, R0
	BHS	fail

signaled:
	CBZ	R22, round_done

waitturn:
	MOVD	ctl_mech(R19), R9
	CMP	$const_MechFD, R9
	BEQ	wait_fd
	CMP	$const_MechFutex, R9
	BEQ	wait_futex

	// MechYield.
	MOVD	ctl_loopback(R19), R9
	CBNZ	R9, wait_yield_once
wait_yield:
	MOVD	ctl_word(R19), R0
	LDARW	(R0), R10
	MOVD	ctl_me(R19), R11
	CMPW	R11, R10
	BEQ	waited
	MOVWU	ctl_abort(R19), R9
	CBNZW	R9, aborted
wait_yield_once:
	MOVD	$const_sysSchedYield, R23
	MOVD	R23, R8
	MOVD	ctl_callRet(R19), R9
	CBNZ	R9, wait_yield_once_call
	SVC
wait_yield_once_done:
	CMN	$4095, R0
	BHS	fail
	MOVD	ctl_loopback(R19), R9
	CBNZ	R9, waited
	B	wait_yield

wait_fd:
	MOVD	ctl_in(R19), R0
	ADD	$ctl_rbuf, R19, R1
	MOVD	ctl_iosize(R19), R2
	MOVD	$const_sysRead, R23
	MOVD	R23, R8
	MOVD	ctl_callRet(R19), R9
	CBNZ	R9, wait_fd_call
	SVC
wait_fd_done:
	CMN	$4095, R0
	BHS	fail
	CBZ	R0, eof
	MOVD	ctl_bytes(R19), R9
	ADD	R0, R9
	MOVD	R9, ctl_bytes(R19)
	B	waited

wait_futex:
	MOVD	ctl_word(R19), R0
	LDARW	(R0), R2
	MOVD	ctl_loopback(R19), R9
	CBZ	R9, wait_futex_turn
	// Loopback: wait for a value the word does not hold, so the kernel
	// checks and returns EAGAIN at once.
	EORW	$1, R2
	B	wait_futex_call
wait_futex_turn:
	MOVD	ctl_me(R19), R11
	CMPW	R11, R2
	BEQ	waited
	MOVWU	ctl_abort(R19), R9
	CBNZW	R9, aborted
wait_futex_call:
	// FUTEX_WAIT while the word still holds R2 (no timeout).
	MOVD	$const_futexWait, R1
	MOVD	$0, R3
	MOVD	$const_sysFutex, R23
	MOVD	R23, R8
	MOVD	ctl_callRet(R19), R9
	CBNZ	R9, wait_futex_call_call
	SVC
wait_futex_call_done:
	CMN	$const_eagain, R0
	BEQ	wait_futex_again
	CMN	$const_eintr, R0
	BEQ	wait_futex_again
	CMN	$4095, R0
	BHS	fail
wait_futex_again:
	MOVD	ctl_loopback(R19), R9
	CBNZ	R9, waited
	B	wait_futex

waited:
	// Body.Wake: back in user space after the partner's wake call; R20
	// rounds are done, so this one is timed once R20 ≥ warm-up.
	MOVD	ctl_wakeHist(R19), R12
	CBZ	R12, waited_check
	MOVD	ctl_warmup(R19), R9
	CMP	R9, R20
	BLT	waited_check
	ISB	$15
	MRS	CNTVCT_EL0, R13
	MOVD	ctl_stamp(R19), R14
	MOVD	(R14), R14
	SUBS	R14, R13, R13
	BGE	wake_bucket
	MOVD	ZR, R13 // counters a little apart across CPUs: count it as 0
wake_bucket:
	HIST_INDEX(wake_count)
wake_count:
	MOVD	(R12)(R13<<3), R14
	ADD	$1, R14
	MOVD	R14, (R12)(R13<<3)
waited_check:
	MOVWU	ctl_abort(R19), R9
	CBNZW	R9, aborted
	// Touch the working set: one load per cache line.
	MOVD	ctl_ws(R19), R1
	MOVD	ctl_wslen(R19), R2
	ADD	R1, R2
touch:
	CMP	R2, R1
	BHS	touched
	MOVD	(R1), R9
	ADD	$const_cacheLine, R1
	B	touch
touched:
	CBZ	R22, signal

round_done:
	ADD	$1, R20
	MOVD	R20, ctl_rounds(R19)
	// Body.RoundTrips: a timed round trip (number > warm-up) just ended.
	MOVD	ctl_rtHist(R19), R12
	CBZ	R12, round_next
	MOVD	ctl_warmup(R19), R9
	CMP	R9, R20
	BLE	round_next
	ISB	$15
	MRS	CNTVCT_EL0, R13
	MOVD	ctl_tscPrev(R19), R14
	MOVD	R13, ctl_tscPrev(R19)
	SUB	R14, R13, R13
	HIST_INDEX(rt_count)
rt_count:
	MOVD	(R12)(R13<<3), R14
	ADD	$1, R14
	MOVD	R14, (R12)(R13<<3)
round_next:
	MOVD	ctl_warmup(R19), R9
	CMP	R9, R20
	BNE	round
	// Warm-up over: the timed interval starts now.
	B	timed_start

timed_end:
	// The counter beside the clock reading: the calibration span's end.
	ISB	$15
	MRS	CNTVCT_EL0, R12
	MOVD	R12, ctl_tscEnd(R19)
	MOVD	$const_clockMonotonic, R0
	ADD	$ctl_end, R19, R1
	MOVD	$const_sysClockGettime, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	fail
	MOVD	$const_rusageThread, R0
	ADD	$ctl_ruEnd, R19, R1
	MOVD	$const_sysGetrusage, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	fail
	B	finished

blockread:
	MOVD	ctl_in(R19), R0
	ADD	$ctl_rbuf, R19, R1
	MOVD	$1, R2
	MOVD	$const_sysRead, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	fail
	CBZ	R0, eof
	MOVD	ctl_bytes(R19), R9
	ADD	R0, R9
	MOVD	R9, ctl_bytes(R19)
	MOVWU	ctl_abort(R19), R9
	CBNZW	R9, aborted

finished:
	MOVD	$const_statusDone, R9
	MOVD	R9, ctl_status(R19)
	MOVD	$0, R0
	B	exit

aborted:
	MOVD	$const_statusAborted, R9
	MOVD	R9, ctl_status(R19)
	MOVD	$0, R0
	B	exit

eof:
	MOVD	R23, ctl_failed(R19)
	MOVD	$1, R9
	MOVD	R9, ctl_eof(R19)
	MOVD	$const_exitCodeFailed, R0
	B	exit

orphan:
	MOVD	$const_exitCodeFailed, R0
	B	exit

fail:
	MOVD	R23, ctl_failed(R19)
	MOVD	R0, ctl_errno(R19)
	MOVD	$const_exitCodeFailed, R0

exit:
	// exit for a thread-group member, exit_group otherwise; keep trying
	// should it ever return. R0 (the exit code) survives a returning SVC
	// only if we reload it, so keep a copy.
	MOVD	R0, R24
exit_again:
	MOVD	R24, R0
	MOVD	ctl_exitNr(R19), R8
	SVC
	B	exit_again

// The Body.CallRet path: each loop system call through a call to callsys
// and its return, out of line so that the inline path above falls through
// exactly as it does without CallRet. BL overwrites the link register,
// which the child never needs: it never returns.
signal_fd_call:
	BL	callsys<>(SB)
	B	signal_fd_done
signal_futex_wake_call:
	BL	callsys<>(SB)
	B	signal_futex_wake_done
wait_yield_once_call:
	BL	callsys<>(SB)
	B	wait_yield_once_done
wait_fd_call:
	BL	callsys<>(SB)
	B	wait_fd_done
wait_futex_call_call:
	BL	callsys<>(SB)
	B	wait_futex_call_done

// callsys issues the system call set up in R8 and R0-R5 as a
// one-instruction function: the loop with Body.CallRet reaches it through
// BL, as a C program reaches glibc's read and write. It touches only R0
// (the result) and nothing of the stack.
TEXT callsys<>(SB),NOSPLIT|NOFRAME,$0-0
	SVC
	RET
