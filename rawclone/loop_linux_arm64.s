//go:build linux && arm64

#include "go_asm.h"
#include "textflag.h"

// loopAsm keeps its state in registers SVC preserves (it writes R0 only):
//	R19	*loopCtl
//	R20	op index (the minimal child's gap pointer before its loop)
//	R21	ops to do (its gap count before the loop)
//	R22	tick readings
//	R24	the op child's exit syscall (SYS_exit or SYS_exit_group)
//	R25	the op child's pid, from the clone until its join
//	R23	number of the system call in flight, stored if it fails
//	R10	the minimal child's exit code
// Nothing touches the stack or branches with link: the minimal child runs
// on a stack it never touches, and every child of an op runs on a stack it
// never touches (ours, suspended, for VFORK; a copy of ours for fork style;
// the cached stack for CLONE_VM), exits at once, and has every signal
// blocked. The parent never executes a BL, so LR is intact for RET.

// func loopAsmPC() uintptr
TEXT ·loopAsmPC(SB),NOSPLIT,$0-8
	MOVD	$·loopAsm(SB), R0
	MOVD	R0, ret+0(FP)
	RET

// func loopAsm(l uintptr) int
TEXT ·loopAsm(SB),NOSPLIT|NOFRAME,$0-16
	MOVD	l+0(FP), R19
	MOVD	loopCtl_mode(R19), R9
	CMP	$const_loopModeMinimal, R9
	BEQ	minimal

loop:
	// CLOCK_MONOTONIC, then reading 0, for the calibration.
	MOVD	$0, R20
	MOVD	$const_clockMonotonic, R0
	ADD	$loopCtl_mono0, R19, R1
	MOVD	$const_sysClockGettime, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	fail
	MOVD	loopCtl_ticks(R19), R22
	MOVD	loopCtl_n(R19), R21
	MOVD	loopCtl_exitNr(R19), R24
	ISB	$15
	MRS	CNTVCT_EL0, R9
	MOVD	R9, (R22)

op:
	// clone(flags, stack, &tid, tls, &tid) (arm64's argument order): the
	// tid word holds the sentinel until PARENT_SETTID or CHILD_SETTID
	// write it, and 0 once the child is gone (CHILD_CLEARTID).
	MOVW	$const_tidSentinel, R9
	MOVW	R9, loopCtl_tid(R19)
	MOVD	loopCtl_flags(R19), R0
	MOVD	loopCtl_failAt(R19), R9
	CMP	R9, R20
	BEQ	op_bad
op_clone:
	MOVD	loopCtl_sys3(R19), R9
	CBNZ	R9, op_clone3
	MOVD	loopCtl_stack(R19), R1
	ADD	$loopCtl_tid, R19, R2
	MOVD	loopCtl_tls(R19), R3
	MOVD	R2, R4
	MOVD	$const_sysClone, R23
	MOVD	R23, R8
	SVC
	CBZ	R0, child
	CMP	$0, R0
	BLT	fail
	MOVD	R0, R25
op_join:
	MOVD	loopCtl_join(R19), R9
	CMP	$const_joinPidfd, R9
	BEQ	waitpidfd
	CMP	$const_joinFutex, R9
	BNE	reap

join:
	// FUTEX_WAIT on the tid word while it is not 0.
	ADD	$loopCtl_tid, R19, R0
	LDARW	(R0), R2
	CBZW	R2, closefd
	MOVD	$const_futexWait, R1
	MOVD	$0, R3
	MOVD	$const_sysFutex, R23
	MOVD	R23, R8
	SVC
	CMN	$const_eagain, R0
	BEQ	join
	CMN	$const_eintr, R0
	BEQ	join
	CMN	$4095, R0
	BHS	fail_join
	B	join

reap:
	// wait4(pid, &status, __WALL, NULL): __WALL for a child with no
	// exit signal or another than SIGCHLD.
	MOVD	R25, R0
	ADD	$loopCtl_wstatus, R19, R1
	MOVD	$const_wALL, R2
	MOVD	$0, R3
	MOVD	$const_sysWait4, R23
	MOVD	R23, R8
	SVC
	CMN	$const_eintr, R0
	BEQ	reap
	CMN	$4095, R0
	BHS	fail_join
	MOVWU	loopCtl_wstatus(R19), R9
	CBNZW	R9, bad_status

closefd:
	// close(pidfd) for a CLONE_PIDFD op, whichever way it was reaped.
	MOVD	loopCtl_closePidfd(R19), R9
	CBZ	R9, joined
	MOVW	loopCtl_pidfd(R19), R0
	MOVD	$const_sysClose, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	fail

joined:
	ADD	$1, R20
	ISB	$15
	MRS	CNTVCT_EL0, R9
	MOVD	R9, (R22)(R20<<3)
	CMP	R21, R20
	BLT	op

	MOVD	R20, loopCtl_done(R19)
	MOVD	$const_clockMonotonic, R0
	ADD	$loopCtl_mono1, R19, R1
	MOVD	$const_sysClockGettime, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	fail
	MOVD	loopCtl_mode(R19), R9
	CMP	$const_loopModeMinimal, R9
	BEQ	min_exit_ok
	MOVD	ZR, ret+8(FP)
	RET

op_bad:
	MOVD	loopCtl_badFlags(R19), R0
	B	op_clone

op_clone3:
	// clone3(&cargs, sizeof cargs): Go filled in the flags, the tid
	// and pidfd words, the stack and the cgroup.
	ADD	$loopCtl_cargs, R19, R0
	MOVD	$const_cloneArgsSize, R1
	MOVD	$const_sysClone3, R23
	MOVD	R23, R8
	SVC
	CBZ	R0, child
	CMP	$0, R0
	BLT	fail
	MOVD	R0, R25
	B	op_join

waitpidfd:
	// waitid(P_PIDFD, pidfd, &info, WEXITED|__WALL, NULL).
	MOVD	$const_pPidfd, R0
	MOVW	loopCtl_pidfd(R19), R1
	ADD	$loopCtl_siginfo, R19, R2
	MOVD	$const_waitidOpts, R3
	MOVD	$0, R4
	MOVD	$const_sysWaitid, R23
	MOVD	R23, R8
	SVC
	CMN	$const_eintr, R0
	BEQ	waitpidfd
	CMN	$4095, R0
	BHS	fail_join
	// si_status (offset 24) of a child that exited 0.
	MOVWU	(loopCtl_siginfo+24)(R19), R9
	CBNZW	R9, bad_status
	B	closefd

child:
	// An op's child: exit at once, or first write childByte to childFD
	// and exit 1 (its return value in childErr) if that fails.
	MOVD	loopCtl_childWrite(R19), R9
	CBZ	R9, child_exit
	MOVD	loopCtl_childFD(R19), R0
	ADD	$loopCtl_childByte, R19, R1
	MOVD	$1, R2
	MOVD	$const_sysWrite, R8
	SVC
	CMP	$1, R0
	BEQ	child_exit
	MOVD	R0, loopCtl_childErr(R19)
child_fail:
	MOVD	$1, R0
	MOVD	R24, R8
	SVC
	B	child_fail
child_exit:
	MOVD	$0, R0
	MOVD	R24, R8
	SVC
	B	child_exit

fail_join:
	// The child exists and is not joined: Go finishes it.
	MOVD	R25, loopCtl_pid(R19)
	B	fail

bad_status:
	// Reaped, but it did not exit 0.
	MOVD	R25, loopCtl_pid(R19)
	MOVD	$0, R0

fail:
	MOVD	R20, loopCtl_done(R19)
	MOVD	R23, loopCtl_failed(R19)
	MOVD	R0, loopCtl_errno(R19)
	MOVD	loopCtl_mode(R19), R9
	CMP	$const_loopModeMinimal, R9
	BEQ	min_fail_loop
	MOVD	ZR, ret+8(FP)
	RET

minimal:
	// clone(VM|VFORK|SIGCHLD, 0, 0, 0, 0): the go-between (see
	// minGoBetweenFlags). It runs on our stack, suspended, touching none.
	MOVD	$const_minGoBetweenFlags, R0
	MOVD	$0, R1
	MOVD	$0, R2
	MOVD	$0, R3
	MOVD	$0, R4
	MOVD	$const_sysClone, R8
	SVC
	CBZ	R0, min_between
	MOVD	R0, ret+8(FP)
	RET

min_between:
	// clone(PARENT|SIGCHLD, minStack, 0, 0, 0): the minimal child, ours.
	MOVD	$const_minChildFlags, R0
	MOVD	loopCtl_minStack(R19), R1
	MOVD	$0, R2
	MOVD	$0, R3
	MOVD	$0, R4
	MOVD	$const_sysClone, R8
	SVC
	CBZ	R0, min_child
	MOVD	R0, loopCtl_minPid(R19)
min_between_exit:
	MOVD	$0, R0
	MOVD	$const_sysExitGroup, R8
	SVC
	B	min_between_exit

min_child:
	// Die with the thread that cloned us, should it die first.
	MOVD	$const_prSetPdeathsig, R0
	MOVD	$const_sigkill, R1
	MOVD	$const_sysPrctl, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	min_fail_prctl
	MOVD	$const_sysGetppid, R8
	SVC
	MOVD	loopCtl_ppid(R19), R9
	CMP	R9, R0
	BNE	min_orphan

	// mincore of a Go heap page: 0 while it is mapped.
	MOVD	loopCtl_probe(R19), R0
	MOVD	$const_pageSize, R1
	ADD	$loopCtl_vec, R19, R2
	MOVD	$const_sysMincore, R8
	SVC
	MOVD	R0, loopCtl_probeBefore(R19)

	// munmap every gap between the kept ranges.
	MOVD	loopCtl_gaps(R19), R20
	MOVD	loopCtl_ngaps(R19), R21
gap:
	CBZ	R21, gaps_done
	MOVD	0(R20), R0
	MOVD	8(R20), R1
	MOVD	$const_sysMunmap, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	gap_err
gap_next:
	ADD	$24, R20
	SUB	$1, R21
	B	gap
gap_err:
	// EINVAL is accepted for a candidate top of user space above the real one.
	CMN	$const_einval, R0
	BNE	min_fail_munmap
	MOVD	16(R20), R9
	CBZ	R9, min_fail_munmap
	B	gap_next

gaps_done:
	// … and -ENOMEM once it is gone.
	MOVD	loopCtl_probe(R19), R0
	MOVD	$const_pageSize, R1
	ADD	$loopCtl_vec, R19, R2
	MOVD	$const_sysMincore, R8
	SVC
	MOVD	R0, loopCtl_probeAfter(R19)

	// Test hook: wait for a byte so that a test can read our maps.
	MOVD	loopCtl_holdFD(R19), R0
	CMP	$0, R0
	BLT	touch_text
	ADD	$loopCtl_rbuf, R19, R1
	MOVD	$1, R2
	MOVD	$const_sysRead, R23
	MOVD	R23, R8
	SVC
	CMN	$4095, R0
	BHS	min_fail_hold

touch_text:
	// Fault in our text and the tick pages now, not inside an op.
	MOVD	loopCtl_textStart(R19), R1
	MOVD	loopCtl_textEnd(R19), R2
touch_text_page:
	CMP	R2, R1
	BHS	touch_ticks
	MOVBU	(R1), R9
	ADD	$const_pageSize, R1
	B	touch_text_page
touch_ticks:
	MOVD	loopCtl_ticks(R19), R1
	MOVD	loopCtl_n(R19), R2
	ADD	$1, R2
	ADD	R2<<3, R1, R2
	MOVD	$-const_pageSize, R9
	AND	R9, R1
touch_ticks_page:
	CMP	R2, R1
	BHS	loop
	MOVBU	(R1), R9
	MOVB	R9, (R1)
	ADD	$const_pageSize, R1
	B	touch_ticks_page

min_orphan:
	MOVD	$const_minExitOrphan, R10
	B	min_exit
min_fail_prctl:
	MOVD	R0, loopCtl_errno(R19)
	MOVD	$const_minExitPrctl, R10
	B	min_exit
min_fail_munmap:
	MOVD	R0, loopCtl_errno(R19)
	MOVD	0(R20), R9
	MOVD	R9, loopCtl_failArg(R19)
	MOVD	8(R20), R9
	MOVD	R9, (loopCtl_failArg+8)(R19)
	MOVD	$const_minExitMunmap, R10
	B	min_exit
min_fail_hold:
	MOVD	R0, loopCtl_errno(R19)
	MOVD	$const_minExitHold, R10
	B	min_exit
min_fail_loop:
	MOVD	$const_minExitLoop, R10
	B	min_exit
min_exit_ok:
	MOVD	$const_minExitOK, R10
min_exit:
	MOVD	R10, loopCtl_stage(R19)
min_exit_again:
	MOVD	R10, R0
	MOVD	$const_sysExitGroup, R8
	SVC
	B	min_exit_again
