//go:build linux

package probe

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/rowspec"
)

// The switch record's u64 slots: the two tracked tids, their task_structs
// (noted at each one's first system call, so sched_switch and
// sched_waking compare pointers and read no task memory), whether each
// was switched in since its last system call, the latest mark, and the
// sums.
const (
	swTidA     = iota // the initiator
	swTidB            // the responder
	swCloner          // the thread that creates the pair
	swFlags           // the pair's clone flags, less CSIGNAL
	swChildren        // tasks the cloner created with those flags
	swTaskA
	swTaskB
	swInA
	swInB
	swFirst
	swLast
	swOps // 1 once the timed window closed
	swEvents
	swLastOp                                           // the latest round trip's close
	swTimed                                            // 0 before the initiator's timed interval, 1 in it, 2 after
	swSum0                                             // rowspec.NumSwitchPhases sums of closed round trips, in rowspec.SwitchPhase order
	swPend0    = swSum0 + int(rowspec.NumSwitchPhases) // the open round trip's, added at its close
	numSwSlots = swPend0 + int(rowspec.NumSwitchPhases)
)

// SwitchSession is the attached programs of one switch row's sample.
type SwitchSession struct{ *attachment }

// StartSwitch loads and attaches the switch programs. They follow the
// first two tasks the thread cloner creates with clone flags flags (the
// exit signal aside), from their creation: the first is the responder and
// the second the initiator, the order the switch rows clone them in.
// Partners checks, once the row knows its tids, that these are the tasks
// the programs follow.
func StartSwitch(cloner int, flags uint64) (*SwitchSession, error) {
	pidOff, err := pidOffset()
	if err != nil {
		return nil, err
	}
	seed := map[int]uint64{swCloner: uint64(cloner), swFlags: flags &^ csignal}
	a, err := attach("swrec", numSwSlots, seed, func(fd int) []rawTP {
		return []rawTP{
			{Prefix + "sw_enter", "sys_enter", swSysEnterProg(fd)},
			{Prefix + "sw_waking", "sched_waking", swWakingProg(fd)},
			{Prefix + "sw_switch", "sched_switch", swSwitchProg(fd)},
			// Last, so that every program that marks the pair is in place
			// before the pair can be noted.
			{Prefix + "sw_newtask", "task_newtask", swNewtaskProg(fd, pidOff)},
		}
	})
	if err != nil {
		return nil, err
	}
	return &SwitchSession{a}, nil
}

// csignal is the exit-signal byte of clone's flags, which task_newtask's
// clone_flags never carry (the kernel keeps it apart).
const csignal = 0xff

// Partners checks that the programs follow exactly initiator and
// responder.
func (s *SwitchSession) Partners(initiator, responder int) error {
	u, err := s.read()
	if err != nil {
		return err
	}
	if a, b := int(u(swTidA)), int(u(swTidB)); a != initiator || b != responder {
		return fmt.Errorf("probe: the programs follow tids %d and %d, the row's partners are %d and %d", a, b, initiator, responder)
	}
	return nil
}

// Stop detaches the programs, reads what they counted and frees
// everything.
func (s *SwitchSession) Stop() (SwitchTotals, error) {
	var t SwitchTotals
	err := s.stop(func(u func(int) int64) {
		t.Timed, t.Events, t.Partners = u(swOps) == 1, u(swEvents), u(swChildren)
		for p := range rowspec.NumSwitchPhases {
			t.Ns[p] = float64(u(swSum0 + int(p)))
		}
		if first, last := u(swFirst), u(swLastOp); first != 0 && last > first {
			t.SpanNs = float64(last - first)
		}
	})
	return t, err
}

// The switch programs tile one timeline: every tracked event is a mark,
// and the interval since the previous mark goes to the phase the event
// that closes it names. Both tasks share one CPU (the probed rows are
// cpu=same), so the marks come from one CPU in order and the one record
// needs no lock.

// swMark closes the interval since the last mark at now (R0) into phase
// p's pending sum (the first mark only sets the last mark), and makes now
// the last mark. It clobbers R1-R3 and ends at label pfx+"done".
func swMark(p rowspec.SwitchPhase, pfx string) asm.Instructions {
	return asm.Instructions{
		asm.LoadMem(asm.R1, asm.R6, off(swLast), asm.DWord),
		asm.JEq.Imm(asm.R1, 0, pfx+"first"),
		asm.Mov.Reg(asm.R2, asm.R0),
		asm.Sub.Reg(asm.R2, asm.R1),
		asm.LoadMem(asm.R3, asm.R6, off(swPend0+int(p)), asm.DWord),
		asm.Add.Reg(asm.R3, asm.R2),
		asm.StoreMem(asm.R6, off(swPend0+int(p)), asm.R3, asm.DWord),
		asm.StoreMem(asm.R6, off(swLast), asm.R0, asm.DWord).WithSymbol(pfx + "first"),
		asm.LoadMem(asm.R1, asm.R6, off(swEvents), asm.DWord),
		asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.R6, off(swEvents), asm.R1, asm.DWord),
		asm.Ja.Label(pfx + "done"),
	}
}

// swSysEnterProg: a tracked task's system call entry. After it was
// switched in, the interval is switch (the switch into it, the return
// from its wait and its own code); otherwise return (the rest of its
// signalling call, the return to user and its code).
//
// The initiator's calls also bound what is added up: its getrusage at the
// start of its timed interval opens the window (what came before is
// dropped), each of its first calls after a switch-in inside the window
// closes a round trip (the pending sums move to the totals), and its
// clock_gettime ending the interval, which is also the last round trip's
// close, shuts the window. So the totals are the timed round trips'
// exactly, and Ops is the loop's N.
func swSysEnterProg(mapFD int) asm.Instructions {
	insns := lookupRecord(mapFD)
	insns = append(insns,
		asm.LoadMem(asm.R8, asm.R9, 8, asm.DWord), // syscall number
		asm.FnGetCurrentPidTgid.Call(),
		asm.Mov.Reg32(asm.R7, asm.R0),
		asm.LoadMem(asm.R1, asm.R6, off(swTidA), asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "out"),
		asm.JEq.Reg(asm.R7, asm.R1, "A"),
		asm.LoadMem(asm.R1, asm.R6, off(swTidB), asm.DWord),
		asm.JEq.Reg(asm.R7, asm.R1, "B"),
		asm.Ja.Label("out"),
	)
	for _, side := range []struct {
		pfx       string
		in        int
		initiator bool
	}{{"A", swInA, true}, {"B", swInB, false}} {
		x := side.pfx
		insns = append(insns,
			asm.FnKtimeGetNs.Call().WithSymbol(x),
			asm.LoadMem(asm.R1, asm.R6, off(side.in), asm.DWord),
			asm.JEq.Imm(asm.R1, 0, x+"ret"),
			zero64(asm.R6, off(side.in)),
		)
		insns = append(insns, swMark(rowspec.SwitchSwitch, x+"s")...)
		post := "out"
		if side.initiator {
			post = x + "post"
		}
		insns = append(insns, asm.Ja.Label(post).WithSymbol(x+"sdone"))
		ret := swMark(rowspec.SwitchReturn, x+"r")
		ret[0] = ret[0].WithSymbol(x + "ret")
		insns = append(insns, ret...)
		insns = append(insns, asm.Ja.Label(post).WithSymbol(x+"rdone"))
		if side.initiator {
			insns = append(insns,
				asm.LoadMem(asm.R1, asm.R6, off(swTimed), asm.DWord).WithSymbol(post),
				asm.JNE.Imm(asm.R1, 0, x+"end"),
				asm.JNE.Imm(asm.R8, unix.SYS_GETRUSAGE, "out"),
				asm.StoreMem(asm.R6, off(swFirst), asm.R0, asm.DWord),
				zero64(asm.R6, off(swEvents)),
				asm.Mov.Imm(asm.R1, 1),
				asm.StoreMem(asm.R6, off(swTimed), asm.R1, asm.DWord),
			)
			insns = append(insns, swMoveSums(false)...)
			insns = append(insns,
				asm.Ja.Label("out"),
				asm.JNE.Imm(asm.R1, 1, "out").WithSymbol(x+"end"),
				asm.JNE.Imm(asm.R8, unix.SYS_CLOCK_GETTIME, "out"),
				asm.Mov.Imm(asm.R1, 2),
				asm.StoreMem(asm.R6, off(swTimed), asm.R1, asm.DWord),
			)
			insns = append(insns, swMoveSums(true)...)
			insns = append(insns, asm.Ja.Label("out"))
		}
	}
	return append(insns, epilogue()...)
}

// swMoveSums clears the pending sums; with commit it first adds them to
// the totals and notes the window closed at now (R0). It clobbers R1 and
// R2 and falls through.
func swMoveSums(commit bool) asm.Instructions {
	var insns asm.Instructions
	for p := range int(rowspec.NumSwitchPhases) {
		if commit {
			insns = append(insns,
				asm.LoadMem(asm.R1, asm.R6, off(swSum0+p), asm.DWord),
				asm.LoadMem(asm.R2, asm.R6, off(swPend0+p), asm.DWord),
				asm.Add.Reg(asm.R1, asm.R2),
				asm.StoreMem(asm.R6, off(swSum0+p), asm.R1, asm.DWord),
			)
		}
		insns = append(insns, zero64(asm.R6, off(swPend0+p)))
	}
	if commit {
		insns = append(insns,
			asm.StoreMem(asm.R6, off(swLastOp), asm.R0, asm.DWord),
			asm.Mov.Imm(asm.R1, 1),
			asm.StoreMem(asm.R6, off(swOps), asm.R1, asm.DWord),
		)
	}
	return insns
}

// swNewtaskProg (task_newtask: args[0] = the new task, args[1] = its
// clone flags) notes the cloner's first two children with the pair's
// flags: the responder, then the initiator, tid and task_struct.
func swNewtaskProg(mapFD int, pidOff int32) asm.Instructions {
	insns := lookupRecord(mapFD)
	insns = append(insns,
		asm.LoadMem(asm.R1, asm.R9, 8, asm.DWord),
		asm.LoadMem(asm.R2, asm.R6, off(swFlags), asm.DWord),
		asm.JNE.Reg(asm.R1, asm.R2, "out"),
		asm.FnGetCurrentPidTgid.Call(),
		asm.Mov.Reg32(asm.R7, asm.R0),
		asm.LoadMem(asm.R1, asm.R6, off(swCloner), asm.DWord),
		asm.JNE.Reg(asm.R7, asm.R1, "out"),
		asm.LoadMem(asm.R8, asm.R6, off(swChildren), asm.DWord),
		asm.JGE.Imm(asm.R8, 2, "out"),
	)
	insns = append(insns, newTaskPid(pidOff, -16)...)
	insns = append(insns,
		asm.LoadMem(asm.R2, asm.R9, 0, asm.DWord),
		asm.JNE.Imm(asm.R8, 0, "second"),
		asm.StoreMem(asm.R6, off(swTidB), asm.R1, asm.DWord),
		asm.StoreMem(asm.R6, off(swTaskB), asm.R2, asm.DWord),
		asm.Ja.Label("count"),
		asm.StoreMem(asm.R6, off(swTidA), asm.R1, asm.DWord).WithSymbol("second"),
		asm.StoreMem(asm.R6, off(swTaskA), asm.R2, asm.DWord),
		asm.Add.Imm(asm.R8, 1).WithSymbol("count"),
		asm.StoreMem(asm.R6, off(swChildren), asm.R8, asm.DWord),
	)
	return append(insns, epilogue()...)
}

// swWakingProg (sched_waking: args[0] = the woken task): the waker's
// system call from its entry to the wake is syscall.
func swWakingProg(mapFD int) asm.Instructions {
	insns := lookupRecord(mapFD)
	insns = append(insns,
		asm.LoadMem(asm.R1, asm.R9, 0, asm.DWord),
		asm.LoadMem(asm.R2, asm.R6, off(swTaskA), asm.DWord),
		asm.JEq.Imm(asm.R2, 0, "b"),
		asm.JEq.Reg(asm.R1, asm.R2, "hit"),
		asm.LoadMem(asm.R2, asm.R6, off(swTaskB), asm.DWord).WithSymbol("b"),
		asm.JEq.Imm(asm.R2, 0, "out"),
		asm.JNE.Reg(asm.R1, asm.R2, "out"),
		asm.FnKtimeGetNs.Call().WithSymbol("hit"),
	)
	insns = append(insns, swMark(rowspec.SwitchSyscall, "w")...)
	insns = append(insns, asm.Ja.Label("out").WithSymbol("wdone"))
	return append(insns, epilogue()...)
}

// swSwitchProg (sched_switch: args[1] = prev, args[2] = next): a tracked
// task leaving the CPU closes block (its wait call from entry to the
// switch away, or a preemption); a tracked task arriving from any other
// task closes wakeup (on one CPU, a third task's time between the two).
// Either way the arriving tracked task is noted as switched in.
func swSwitchProg(mapFD int) asm.Instructions {
	insns := lookupRecord(mapFD)
	insns = append(insns,
		asm.LoadMem(asm.R2, asm.R9, 8, asm.DWord),  // prev
		asm.LoadMem(asm.R3, asm.R9, 16, asm.DWord), // next
		asm.LoadMem(asm.R4, asm.R6, off(swTaskA), asm.DWord),
		asm.LoadMem(asm.R5, asm.R6, off(swTaskB), asm.DWord),
		asm.Mov.Imm(asm.R7, 0), // prev is tracked
		asm.JEq.Imm(asm.R4, 0, "pb"),
		asm.JNE.Reg(asm.R2, asm.R4, "pb"),
		asm.Mov.Imm(asm.R7, 1),
		asm.JEq.Imm(asm.R5, 0, "na").WithSymbol("pb"),
		asm.JNE.Reg(asm.R2, asm.R5, "na"),
		asm.Mov.Imm(asm.R7, 1),
		asm.Mov.Imm(asm.R8, 0).WithSymbol("na"), // next is tracked
		asm.JEq.Imm(asm.R4, 0, "nb"),
		asm.JNE.Reg(asm.R3, asm.R4, "nb"),
		asm.Mov.Imm(asm.R1, 1),
		asm.StoreMem(asm.R6, off(swInA), asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R8, 1),
		asm.JEq.Imm(asm.R5, 0, "decide").WithSymbol("nb"),
		asm.JNE.Reg(asm.R3, asm.R5, "decide"),
		asm.Mov.Imm(asm.R1, 1),
		asm.StoreMem(asm.R6, off(swInB), asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R8, 1),
		asm.Mov.Reg(asm.R1, asm.R7).WithSymbol("decide"),
		asm.Or.Reg(asm.R1, asm.R8),
		asm.JEq.Imm(asm.R1, 0, "out"),
		asm.FnKtimeGetNs.Call(),
		asm.JEq.Imm(asm.R7, 0, "wake"),
	)
	insns = append(insns, swMark(rowspec.SwitchBlock, "k")...)
	insns = append(insns, asm.Ja.Label("out").WithSymbol("kdone"))
	wake := swMark(rowspec.SwitchWakeup, "u")
	wake[0] = wake[0].WithSymbol("wake")
	insns = append(insns, wake...)
	insns = append(insns, asm.Ja.Label("out").WithSymbol("udone"))
	return append(insns, epilogue()...)
}
