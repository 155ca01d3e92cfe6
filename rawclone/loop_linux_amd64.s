//go:build linux && amd64

#include "go_asm.h"
#include "textflag.h"

// loopAsm keeps its state in registers SYSCALL preserves:
//	R12	*loopCtl
//	R13	op index (the minimal child's gap pointer before its loop)
//	R14	ops to do (its gap count before the loop)
//	R15	tick readings
//	R9	the op child's exit syscall (SYS_exit or SYS_exit_group)
//	R8	the op child's pid, from the clone until its join
//	BX	number of the system call in flight, stored if it fails
// Nothing pushes or calls: the minimal child runs on a stack it never
// touches, and every child of an op runs on a stack it never touches
// (ours, suspended, for VFORK; a copy of ours for fork style; the cached
// stack for CLONE_VM), exits at once, and has every signal blocked.

// func loopAsmPC() uintptr
TEXT ·loopAsmPC(SB),NOSPLIT,$0-8
	LEAQ	·loopAsm(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func loopAsm(l uintptr) int
TEXT ·loopAsm(SB),NOSPLIT|NOFRAME,$0-16
	MOVQ	l+0(FP), R12
	CMPQ	loopCtl_mode(R12), $const_loopModeMinimal
	JEQ	minimal

loop:
	// CLOCK_MONOTONIC, then reading 0, for the calibration.
	XORQ	R13, R13
	MOVQ	$const_clockMonotonic, DI
	LEAQ	loopCtl_mono0(R12), SI
	MOVQ	$const_sysClockGettime, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	fail
	MOVQ	loopCtl_ticks(R12), R15
	MOVQ	loopCtl_n(R12), R14
	MOVQ	loopCtl_exitNr(R12), R9
	LFENCE
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, (R15)

op:
	// clone(flags, stack, &tid, &tid, tls): the tid word holds the
	// sentinel until PARENT_SETTID or CHILD_SETTID write it, and 0 once
	// the child is gone (CHILD_CLEARTID).
	MOVL	$const_tidSentinel, loopCtl_tid(R12)
	MOVQ	loopCtl_flags(R12), DI
	CMPQ	R13, loopCtl_failAt(R12)
	JEQ	op_bad
op_clone:
	CMPQ	loopCtl_sys3(R12), $0
	JNE	op_clone3
	MOVQ	loopCtl_stack(R12), SI
	LEAQ	loopCtl_tid(R12), DX
	MOVQ	DX, R10
	MOVQ	loopCtl_tls(R12), R8
	MOVQ	$const_sysClone, BX
	MOVQ	BX, AX
	SYSCALL
	TESTQ	AX, AX
	JEQ	child
	JLT	fail
	MOVQ	AX, R8
op_join:
	CMPQ	loopCtl_join(R12), $const_joinPidfd
	JEQ	waitpidfd
	CMPQ	loopCtl_join(R12), $const_joinFutex
	JNE	reap

join:
	// FUTEX_WAIT on the tid word while it is not 0.
	MOVL	loopCtl_tid(R12), DX
	TESTL	DX, DX
	JEQ	closefd
	LEAQ	loopCtl_tid(R12), DI
	MOVQ	$const_futexWait, SI
	XORQ	R10, R10
	MOVQ	$const_sysFutex, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-const_eagain
	JEQ	join
	CMPQ	AX, $-const_eintr
	JEQ	join
	CMPQ	AX, $-4095
	JCC	fail_join
	JMP	join

reap:
	// wait4(pid, &status, __WALL, NULL): __WALL for a child with no
	// exit signal or another than SIGCHLD.
	MOVQ	R8, DI
	LEAQ	loopCtl_wstatus(R12), SI
	MOVQ	$const_wALL, DX
	XORQ	R10, R10
	MOVQ	$const_sysWait4, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-const_eintr
	JEQ	reap
	CMPQ	AX, $-4095
	JCC	fail_join
	CMPL	loopCtl_wstatus(R12), $0
	JNE	bad_status

closefd:
	// close(pidfd) for a CLONE_PIDFD op, whichever way it was reaped.
	CMPQ	loopCtl_closePidfd(R12), $0
	JEQ	joined
	MOVLQSX	loopCtl_pidfd(R12), DI
	MOVQ	$const_sysClose, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	fail

joined:
	INCQ	R13
	LFENCE
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, (R15)(R13*8)
	CMPQ	R13, R14
	JLT	op

	MOVQ	R13, loopCtl_done(R12)
	MOVQ	$const_clockMonotonic, DI
	LEAQ	loopCtl_mono1(R12), SI
	MOVQ	$const_sysClockGettime, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	fail
	CMPQ	loopCtl_mode(R12), $const_loopModeMinimal
	JEQ	min_exit_ok
	MOVQ	$0, ret+8(FP)
	RET

op_bad:
	MOVQ	loopCtl_badFlags(R12), DI
	JMP	op_clone

op_clone3:
	// clone3(&cargs, sizeof cargs): Go filled in the flags, the tid
	// and pidfd words, the stack and the cgroup.
	LEAQ	loopCtl_cargs(R12), DI
	MOVQ	$const_cloneArgsSize, SI
	MOVQ	$const_sysClone3, BX
	MOVQ	BX, AX
	SYSCALL
	TESTQ	AX, AX
	JEQ	child
	JLT	fail
	MOVQ	AX, R8
	JMP	op_join

waitpidfd:
	// waitid(P_PIDFD, pidfd, &info, WEXITED|__WALL, NULL). R8 is the
	// rusage argument, so the pid waits in curPid.
	MOVQ	R8, loopCtl_curPid(R12)
	MOVQ	$const_pPidfd, DI
	MOVLQSX	loopCtl_pidfd(R12), SI
	LEAQ	loopCtl_siginfo(R12), DX
	MOVQ	$const_waitidOpts, R10
	XORQ	R8, R8
	MOVQ	$const_sysWaitid, BX
	MOVQ	BX, AX
	SYSCALL
	MOVQ	loopCtl_curPid(R12), R8
	CMPQ	AX, $-const_eintr
	JEQ	waitpidfd
	CMPQ	AX, $-4095
	JCC	fail_join
	// si_status (offset 24) of a child that exited 0.
	CMPL	(loopCtl_siginfo+24)(R12), $0
	JNE	bad_status
	JMP	closefd

child:
	// An op's child: exit at once, or first write childByte to childFD
	// and exit 1 (its return value in childErr) if that fails.
	CMPQ	loopCtl_childWrite(R12), $0
	JEQ	child_exit
	MOVQ	loopCtl_childFD(R12), DI
	LEAQ	loopCtl_childByte(R12), SI
	MOVQ	$1, DX
	MOVQ	$const_sysWrite, AX
	SYSCALL
	CMPQ	AX, $1
	JEQ	child_exit
	MOVQ	AX, loopCtl_childErr(R12)
child_fail:
	MOVQ	R9, AX
	MOVQ	$1, DI
	SYSCALL
	JMP	child_fail
child_exit:
	MOVQ	R9, AX
	XORQ	DI, DI
	SYSCALL
	JMP	child_exit

fail_join:
	// The child exists and is not joined: Go finishes it.
	MOVQ	R8, loopCtl_pid(R12)
	JMP	fail

bad_status:
	// Reaped, but it did not exit 0.
	MOVQ	R8, loopCtl_pid(R12)
	XORQ	AX, AX

fail:
	MOVQ	R13, loopCtl_done(R12)
	MOVQ	BX, loopCtl_failed(R12)
	MOVQ	AX, loopCtl_errno(R12)
	CMPQ	loopCtl_mode(R12), $const_loopModeMinimal
	JEQ	min_fail_loop
	MOVQ	$0, ret+8(FP)
	RET

minimal:
	// clone(VM|VFORK|SIGCHLD, 0, 0, 0, 0): the go-between (see
	// minGoBetweenFlags). It runs on our stack, suspended, touching none.
	MOVQ	$const_minGoBetweenFlags, DI
	XORQ	SI, SI
	XORQ	DX, DX
	XORQ	R10, R10
	XORQ	R8, R8
	MOVQ	$const_sysClone, AX
	SYSCALL
	TESTQ	AX, AX
	JEQ	min_between
	MOVQ	AX, ret+8(FP)
	RET

min_between:
	// clone(PARENT|SIGCHLD, minStack, 0, 0, 0): the minimal child, ours.
	MOVQ	$const_minChildFlags, DI
	MOVQ	loopCtl_minStack(R12), SI
	XORQ	DX, DX
	XORQ	R10, R10
	XORQ	R8, R8
	MOVQ	$const_sysClone, AX
	SYSCALL
	TESTQ	AX, AX
	JEQ	min_child
	MOVQ	AX, loopCtl_minPid(R12)
min_between_exit:
	XORQ	DI, DI
	MOVQ	$const_sysExitGroup, AX
	SYSCALL
	JMP	min_between_exit

min_child:
	// Die with the thread that cloned us, should it die first.
	MOVQ	$const_prSetPdeathsig, DI
	MOVQ	$const_sigkill, SI
	MOVQ	$const_sysPrctl, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	min_fail_prctl
	MOVQ	$const_sysGetppid, AX
	SYSCALL
	CMPQ	AX, loopCtl_ppid(R12)
	JNE	min_orphan

	// mincore of a Go heap page: 0 while it is mapped.
	MOVQ	loopCtl_probe(R12), DI
	MOVQ	$const_pageSize, SI
	LEAQ	loopCtl_vec(R12), DX
	MOVQ	$const_sysMincore, AX
	SYSCALL
	MOVQ	AX, loopCtl_probeBefore(R12)

	// munmap every gap between the kept ranges.
	MOVQ	loopCtl_gaps(R12), R13
	MOVQ	loopCtl_ngaps(R12), R14
gap:
	TESTQ	R14, R14
	JEQ	gaps_done
	MOVQ	0(R13), DI
	MOVQ	8(R13), SI
	MOVQ	$const_sysMunmap, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	gap_err
gap_next:
	ADDQ	$24, R13
	DECQ	R14
	JMP	gap
gap_err:
	// EINVAL is accepted for a candidate top of user space above the real one.
	CMPQ	AX, $-const_einval
	JNE	min_fail_munmap
	CMPQ	16(R13), $0
	JEQ	min_fail_munmap
	JMP	gap_next

gaps_done:
	// … and -ENOMEM once it is gone.
	MOVQ	loopCtl_probe(R12), DI
	MOVQ	$const_pageSize, SI
	LEAQ	loopCtl_vec(R12), DX
	MOVQ	$const_sysMincore, AX
	SYSCALL
	MOVQ	AX, loopCtl_probeAfter(R12)

	// Test hook: wait for a byte so that a test can read our maps.
	MOVQ	loopCtl_holdFD(R12), DI
	TESTQ	DI, DI
	JLT	touch_text
	LEAQ	loopCtl_rbuf(R12), SI
	MOVQ	$1, DX
	MOVQ	$const_sysRead, BX
	MOVQ	BX, AX
	SYSCALL
	CMPQ	AX, $-4095
	JCC	min_fail_hold

touch_text:
	// Fault in our text and the tick pages now, not inside an op.
	MOVQ	loopCtl_textStart(R12), SI
	MOVQ	loopCtl_textEnd(R12), DX
touch_text_page:
	CMPQ	SI, DX
	JCC	touch_ticks
	MOVB	(SI), AX
	ADDQ	$const_pageSize, SI
	JMP	touch_text_page
touch_ticks:
	MOVQ	loopCtl_ticks(R12), SI
	MOVQ	loopCtl_n(R12), DX
	LEAQ	8(SI)(DX*8), DX
	ANDQ	$~(const_pageSize-1), SI
touch_ticks_page:
	CMPQ	SI, DX
	JCC	loop
	ORB	$0, (SI)
	ADDQ	$const_pageSize, SI
	JMP	touch_ticks_page

min_orphan:
	MOVQ	$const_minExitOrphan, DI
	JMP	min_exit
min_fail_prctl:
	MOVQ	AX, loopCtl_errno(R12)
	MOVQ	$const_minExitPrctl, DI
	JMP	min_exit
min_fail_munmap:
	MOVQ	AX, loopCtl_errno(R12)
	MOVQ	0(R13), CX
	MOVQ	CX, loopCtl_failArg(R12)
	MOVQ	8(R13), CX
	MOVQ	CX, (loopCtl_failArg+8)(R12)
	MOVQ	$const_minExitMunmap, DI
	JMP	min_exit
min_fail_hold:
	MOVQ	AX, loopCtl_errno(R12)
	MOVQ	$const_minExitHold, DI
	JMP	min_exit
min_fail_loop:
	MOVQ	$const_minExitLoop, DI
	JMP	min_exit
min_exit_ok:
	MOVQ	$const_minExitOK, DI
min_exit:
	MOVQ	DI, loopCtl_stage(R12)
min_exit_again:
	MOVQ	$const_sysExitGroup, AX
	SYSCALL
	JMP	min_exit_again
