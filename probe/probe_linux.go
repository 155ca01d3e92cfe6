//go:build linux

package probe

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/rowspec"
)

// The record's u64 slots (one array-map value): the two tracked tids, the
// open op's marks, and the sums only the measuring thread's program adds to.
const (
	slotParent = iota
	slotChild
	slotT0 // op opened: the previous op's close
	slotT1 // parent sys_enter clone/clone3
	slotT2 // task_newtask
	slotT3 // sched_switch to the child: its first time on a CPU
	slotT4 // child sys_enter exit/exit_group
	slotT5 // child's latest sched_switch away after t4
	slotOps
	slotSum0 // rowspec.NumPhases sums, in rowspec.Phase order
)

const (
	slotOther     = slotSum0 + int(rowspec.NumPhases) + iota
	slotChildTask // the child's task_struct, which sched_switch names
	slotIncomplete
	slotChildren
	slotExits
	slotFirst
	slotLast
	numSlots
)

func off(slot int) int16 { return int16(8 * slot) }

// Session is the attached programs of one row's sample.
type Session struct{ *attachment }

var pidOffset = sync.OnceValues(func() (int32, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return 0, fmt.Errorf("probe: kernel BTF: %w", err)
	}
	var ts *btf.Struct
	if err := spec.TypeByName("task_struct", &ts); err != nil {
		return 0, fmt.Errorf("probe: kernel BTF: task_struct: %w", err)
	}
	for _, m := range ts.Members {
		if m.Name == "pid" {
			return int32(m.Offset.Bytes()), nil
		}
	}
	return 0, errors.New("probe: kernel BTF: task_struct has no pid")
})

// SkipReason says why a Session cannot start here, or "" if it can: it
// asks the kernel to load a two-instruction raw tracepoint program (once
// per process), which needs what Start needs (root, or CAP_BPF and
// CAP_PERFMON, and BPF in the kernel), and looks for kernel BTF.
func SkipReason() string { return skipReason() }

var skipReason = sync.OnceValue(func() string {
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		return fmt.Sprintf("probe=sched needs kernel BTF: %v", err)
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name: Prefix + "check", Type: ebpf.RawTracepoint, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err != nil {
		var errno unix.Errno
		if errors.As(err, &errno) {
			return fmt.Sprintf("probe=sched: the kernel refused a BPF raw tracepoint program: %v (needs root or CAP_BPF+CAP_PERFMON)", errno)
		}
		return fmt.Sprintf("probe=sched: cannot load a BPF program: %v", err)
	}
	prog.Close()
	if _, err := pidOffset(); err != nil {
		return err.Error()
	}
	return ""
})

// Start loads and attaches the programs, tracking tid (the measuring
// thread) and the children it creates.
func Start(tid int) (*Session, error) {
	pidOff, err := pidOffset()
	if err != nil {
		return nil, err
	}
	a, err := attach("rec", numSlots, map[int]uint64{slotParent: uint64(tid)}, func(fd int) []rawTP {
		return []rawTP{
			// The child's marks first, so no op can close before every
			// program that stamps it is in place.
			{Prefix + "newtask", "task_newtask", newtaskProg(fd, pidOff)},
			{Prefix + "switch", "sched_switch", switchProg(fd)},
			{Prefix + "sys_enter", "sys_enter", sysEnterProg(fd)},
		}
	})
	if err != nil {
		return nil, err
	}
	return &Session{a}, nil
}

// Stop detaches the programs, reads what they counted and frees
// everything.
func (s *Session) Stop() (Totals, error) {
	var t Totals
	err := s.stop(func(u func(int) int64) {
		t.Ops, t.Incomplete, t.Children, t.Exits = u(slotOps), u(slotIncomplete), u(slotChildren), u(slotExits)
		for p := range rowspec.NumPhases {
			t.Ns[p] = float64(u(slotSum0 + int(p)))
		}
		t.OtherNs = float64(u(slotOther))
		if first, last := u(slotFirst), u(slotLast); first != 0 && last > first {
			t.SpanNs = float64(last - first)
		}
	})
	return t, err
}

// Ours lists the loaded BPF programs whose names start with Prefix, by
// walking the kernel's program IDs: this process's and any other's.
func Ours() ([]Loaded, error) {
	var out []Loaded
	id := ebpf.ProgramID(0)
	for {
		next, err := ebpf.ProgramGetNextID(id)
		if errors.Is(err, os.ErrNotExist) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("probe: next program ID after %d: %w", id, err)
		}
		id = next
		p, err := ebpf.NewProgramFromID(id)
		if err != nil {
			continue // unloaded meanwhile
		}
		info, err := p.Info()
		p.Close()
		if err == nil && strings.HasPrefix(info.Name, Prefix) {
			out = append(out, Loaded{ID: uint32(id), Name: info.Name})
		}
	}
}

// FunctionsSupported tries to load an fentry program on dup_mmap, which
// per-function attribution would need, and returns the kernel's answer.
func FunctionsSupported() error {
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name: Prefix + "fentry", Type: ebpf.Tracing, AttachType: ebpf.AttachTraceFEntry, AttachTo: "dup_mmap",
		License: "GPL", Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err != nil {
		return fmt.Errorf("probe: fentry on dup_mmap: %w", err)
	}
	defer prog.Close()
	l, err := link.AttachTracing(link.TracingOptions{Program: prog})
	if err != nil {
		return fmt.Errorf("probe: attach fentry on dup_mmap: %w", err)
	}
	return l.Close()
}

// The programs. Every one starts the same way: the record in R6, the
// current tid in R7, and returns at once unless that tid is tracked.

// prologue loads the record into R6 and the current tid into R7, saving
// the context in R9; it jumps to "out" if the map has no entry.
func prologue(mapFD int) asm.Instructions {
	return append(lookupRecord(mapFD),
		asm.FnGetCurrentPidTgid.Call(),
		asm.Mov.Reg32(asm.R7, asm.R0), // the low half: the tid
	)
}

func epilogue() asm.Instructions {
	return asm.Instructions{asm.Mov.Imm(asm.R0, 0).WithSymbol("out"), asm.Return()}
}

// ifNotChild jumps to "out" unless R7 is the record's nonzero child.
func ifNotChild() asm.Instructions {
	return asm.Instructions{
		asm.LoadMem(asm.R1, asm.R6, off(slotChild), asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "out"),
		asm.JNE.Reg(asm.R7, asm.R1, "out"),
	}
}

// incr adds 1 to slot (only one task ever writes it).
func incr(slot int) asm.Instructions {
	return asm.Instructions{
		asm.LoadMem(asm.R1, asm.R6, off(slot), asm.DWord),
		asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.R6, off(slot), asm.R1, asm.DWord),
	}
}

// newtaskProg (task_newtask: args[0] = the new task) stamps t2 and notes
// the child's tid for the op the measuring thread has open.
func newtaskProg(mapFD int, pidOff int32) asm.Instructions {
	insns := prologue(mapFD)
	insns = append(insns,
		asm.LoadMem(asm.R1, asm.R6, off(slotParent), asm.DWord),
		asm.JNE.Reg(asm.R7, asm.R1, "out"),
		asm.LoadMem(asm.R1, asm.R6, off(slotT1), asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "out"),
		asm.LoadMem(asm.R1, asm.R6, off(slotT2), asm.DWord),
		asm.JNE.Imm(asm.R1, 0, "out"),
	)
	insns = append(insns, newTaskPid(pidOff, -8)...)
	insns = append(insns,
		asm.StoreMem(asm.R6, off(slotChild), asm.R1, asm.DWord),
		asm.LoadMem(asm.R1, asm.R9, 0, asm.DWord),
		asm.StoreMem(asm.R6, off(slotChildTask), asm.R1, asm.DWord),
		asm.FnKtimeGetNs.Call(),
		asm.StoreMem(asm.R6, off(slotT2), asm.R0, asm.DWord),
	)
	insns = append(insns, incr(slotChildren)...)
	return append(insns, epilogue()...)
}

// switchProg (sched_switch: args[1] = prev, args[2] = next) stamps t3
// when the child first gets a CPU and t5 each time the exiting child
// leaves one: the last stamp is its final switch. It compares task
// pointers with the one task_newtask noted, so it reads no task memory.
func switchProg(mapFD int) asm.Instructions {
	insns := append(lookupRecord(mapFD),
		asm.LoadMem(asm.R7, asm.R6, off(slotChildTask), asm.DWord),
		asm.JEq.Imm(asm.R7, 0, "out"),
		asm.LoadMem(asm.R1, asm.R9, 8, asm.DWord), // prev
		asm.JNE.Reg(asm.R1, asm.R7, "next"),
		asm.LoadMem(asm.R1, asm.R6, off(slotT4), asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "out"),
		asm.FnKtimeGetNs.Call(),
		asm.StoreMem(asm.R6, off(slotT5), asm.R0, asm.DWord),
		asm.Ja.Label("out"),
		asm.LoadMem(asm.R1, asm.R9, 16, asm.DWord).WithSymbol("next"),
		asm.JNE.Reg(asm.R1, asm.R7, "out"),
		asm.LoadMem(asm.R1, asm.R6, off(slotT3), asm.DWord),
		asm.JNE.Imm(asm.R1, 0, "out"),
		asm.FnKtimeGetNs.Call(),
		asm.StoreMem(asm.R6, off(slotT3), asm.R0, asm.DWord),
	)
	return append(insns, epilogue()...)
}

// sysEnterProg (args[1] = the syscall number) stamps the child's t4 and,
// for the measuring thread, opens an op at clone and closes it at its
// first system call after the child exited other than the join's.
func sysEnterProg(mapFD int) asm.Instructions {
	insns := prologue(mapFD)
	insns = append(insns,
		asm.LoadMem(asm.R8, asm.R9, 8, asm.DWord), // syscall number
		asm.LoadMem(asm.R1, asm.R6, off(slotParent), asm.DWord),
		asm.JEq.Reg(asm.R7, asm.R1, "parent"),
	)
	// The child: its exit entry is t4.
	insns = append(insns, ifNotChild()...)
	insns = append(insns,
		asm.JEq.Imm(asm.R8, unix.SYS_EXIT, "exit"),
		asm.JNE.Imm(asm.R8, unix.SYS_EXIT_GROUP, "out"),
		asm.LoadMem(asm.R1, asm.R6, off(slotT4), asm.DWord).WithSymbol("exit"),
		asm.JNE.Imm(asm.R1, 0, "out"),
		asm.FnKtimeGetNs.Call(),
		asm.StoreMem(asm.R6, off(slotT4), asm.R0, asm.DWord),
		zero64(asm.R6, off(slotT5)),
	)
	insns = append(insns, incr(slotExits)...)
	insns = append(insns, asm.Ja.Label("out"))

	// The measuring thread. The join's own calls never close an op.
	insns = append(insns, asm.JEq.Imm(asm.R8, unix.SYS_WAIT4, "out").WithSymbol("parent"))
	insns = append(insns,
		asm.JEq.Imm(asm.R8, unix.SYS_WAITID, "out"),
		asm.JEq.Imm(asm.R8, unix.SYS_FUTEX, "out"),
		asm.FnKtimeGetNs.Call(),
		asm.Mov.Reg(asm.R7, asm.R0), // now; the tid is no longer needed
		asm.LoadMem(asm.R1, asm.R6, off(slotT4), asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "open"),
	)
	insns = append(insns, closeOp()...)
	insns = append(insns,
		// open: at clone or clone3, if no op is open.
		asm.JEq.Imm(asm.R8, unix.SYS_CLONE, "isclone").WithSymbol("open"),
		asm.JNE.Imm(asm.R8, unix.SYS_CLONE3, "out"),
		asm.LoadMem(asm.R1, asm.R6, off(slotT1), asm.DWord).WithSymbol("isclone"),
		asm.JNE.Imm(asm.R1, 0, "out"),
		asm.StoreMem(asm.R6, off(slotT1), asm.R7, asm.DWord),
		asm.LoadMem(asm.R1, asm.R6, off(slotT0), asm.DWord),
		asm.JNE.Imm(asm.R1, 0, "out"),
		asm.StoreMem(asm.R6, off(slotT0), asm.R7, asm.DWord),
		asm.LoadMem(asm.R1, asm.R6, off(slotFirst), asm.DWord),
		asm.JNE.Imm(asm.R1, 0, "out"),
		asm.StoreMem(asm.R6, off(slotFirst), asm.R7, asm.DWord),
	)
	return append(insns, epilogue()...)
}

// closeOp ends the open op at now (R7): the marks t1…t5, each clamped
// between the previous one and now, split [t0, now] into the phases. It
// then clears the marks, sets t0 = now and falls through to "open".
func closeOp() asm.Instructions {
	insns := asm.Instructions{
		asm.LoadMem(asm.R2, asm.R6, off(slotT0), asm.DWord), // R2: previous mark
		asm.JNE.Imm(asm.R2, 0, "have_t0"),
		asm.LoadMem(asm.R2, asm.R6, off(slotT1), asm.DWord),
		asm.JGT.Reg(asm.R2, asm.R7, "clamp_t0"),
		asm.Ja.Label("have_t0"),
		asm.Mov.Reg(asm.R2, asm.R7).WithSymbol("clamp_t0"),
		// R5: the op's start, for an incomplete op's span.
		asm.Mov.Reg(asm.R5, asm.R2).WithSymbol("have_t0"),
		asm.LoadMem(asm.R1, asm.R6, off(slotT2), asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "incomplete"),
		asm.LoadMem(asm.R1, asm.R6, off(slotT3), asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "incomplete"),
	}
	marks := []int{slotT1, slotT2, slotT3, slotT4, slotT5}
	for i, slot := range marks {
		l := fmt.Sprintf("m%d_", i)
		insns = append(insns,
			asm.LoadMem(asm.R3, asm.R6, off(slot), asm.DWord),
			// A missing t5 (the child had not left the CPU yet) is now.
			asm.JNE.Imm(asm.R3, 0, l+"lo"),
			asm.Mov.Reg(asm.R3, asm.R7),
			asm.JGE.Reg(asm.R3, asm.R2, l+"hi").WithSymbol(l+"lo"),
			asm.Mov.Reg(asm.R3, asm.R2),
			asm.JLE.Reg(asm.R3, asm.R7, l+"add").WithSymbol(l+"hi"),
			asm.Mov.Reg(asm.R3, asm.R7),
			asm.Mov.Reg(asm.R4, asm.R3).WithSymbol(l+"add"),
			asm.Sub.Reg(asm.R4, asm.R2),
			asm.LoadMem(asm.R1, asm.R6, off(slotSum0+i), asm.DWord),
			asm.Add.Reg(asm.R1, asm.R4),
			asm.StoreMem(asm.R6, off(slotSum0+i), asm.R1, asm.DWord),
			asm.Mov.Reg(asm.R2, asm.R3),
		)
	}
	insns = append(insns,
		// reap: the last mark to now.
		asm.Mov.Reg(asm.R4, asm.R7),
		asm.Sub.Reg(asm.R4, asm.R2),
		asm.LoadMem(asm.R1, asm.R6, off(slotSum0+int(rowspec.PhaseReap)), asm.DWord),
		asm.Add.Reg(asm.R1, asm.R4),
		asm.StoreMem(asm.R6, off(slotSum0+int(rowspec.PhaseReap)), asm.R1, asm.DWord),
	)
	insns = append(insns, incr(slotOps)...)
	insns = append(insns,
		asm.Ja.Label("reset"),
		asm.Mov.Reg(asm.R4, asm.R7).WithSymbol("incomplete"),
		asm.Sub.Reg(asm.R4, asm.R5),
		asm.LoadMem(asm.R1, asm.R6, off(slotOther), asm.DWord),
		asm.Add.Reg(asm.R1, asm.R4),
		asm.StoreMem(asm.R6, off(slotOther), asm.R1, asm.DWord),
	)
	insns = append(insns, incr(slotIncomplete)...)
	insns = append(insns, asm.StoreMem(asm.R6, off(slotLast), asm.R7, asm.DWord).WithSymbol("reset"))
	for _, slot := range []int{slotChild, slotChildTask, slotT1, slotT2, slotT3, slotT4, slotT5} {
		insns = append(insns, zero64(asm.R6, off(slot)))
	}
	return append(insns, asm.StoreMem(asm.R6, off(slotT0), asm.R7, asm.DWord))
}

// zero64 stores a 64-bit zero: BPF_ST|BPF_DW takes a sign-extended
// 32-bit immediate, which asm.StoreImm refuses for DWord.
// newTaskPid reads the pid of task_newtask's task (its first argument,
// from the context in R9) through a stack slot at fp+slot into R1, and
// jumps to "out" if the read fails.
func newTaskPid(pidOff int32, slot int16) asm.Instructions {
	return asm.Instructions{
		zero64(asm.RFP, slot),
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, int32(slot)),
		asm.Mov.Imm(asm.R2, 4),
		asm.LoadMem(asm.R3, asm.R9, 0, asm.DWord),
		asm.Add.Imm(asm.R3, pidOff),
		asm.FnProbeReadKernel.Call(),
		asm.JNE.Imm(asm.R0, 0, "out"),
		asm.LoadMem(asm.R1, asm.RFP, slot, asm.Word),
	}
}

func zero64(dst asm.Register, offset int16) asm.Instruction {
	return asm.Instruction{OpCode: asm.StoreImmOp(asm.DWord), Dst: dst, Offset: offset, Constant: 0}
}
