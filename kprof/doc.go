// Package kprof samples the on-CPU stacks of a row's own tasks with
// perf_event_open(2) and writes them as a pprof profile
// (github.com/google/pprof/profile), so `go tool pprof -top FILE` names
// the kernel functions an op spends its time in.
//
// A Session follows one thread and every task it creates afterwards
// (perf's inherit bit): the measuring thread that runs a raw loop and its
// children, forked or thread-style. It samples hardware cycles where the
// PMU counts them and the software cpu-clock otherwise (a guest without a
// virtual PMU), and says which in the profile (Source, a profile comment).
// Timer sampling without an NMI has a bias worth knowing when reading a
// profile: time spent with interrupts off is charged to the point where
// they come back on (_raw_spin_unlock_irqrestore, finish_task_switch),
// not to the code that ran with them off.
//
// Each sample keeps its kernel and user callchains. Kernel addresses are
// named from /proc/kallsyms (Kallsyms; under kptr_restrict the file shows
// every address as zero, which the profile says, and the frames stay
// addresses); user addresses in this binary are named from its own
// symbol table, which a forked child shares. Kernel frames sit in a
// mapping named "[kernel]" (KernelMapping), user frames in the
// executable's.
//
// The ring buffers are read with x/sys/unix alone: one per CPU (the
// kernel refuses to mmap an inherited per-task event not bound to a CPU),
// drained by a goroutine while the row runs, data_head loaded and
// data_tail stored with atomics as perf_event_open(2) prescribes.
// Everything a Session holds (fds, mappings, the goroutine) is released
// by Stop or Close, which a caller defers so an error or panic leaves
// nothing behind.
//
// Where perf events are refused (perf_event_paranoid, no CAP_PERFMON,
// seccomp) Start returns the kernel's answer; off Linux it returns an
// error wrapping errors.ErrUnsupported.
//
// The analysis helpers (Functions, KernelTop) are portable: report and
// comparison read stored profiles through them.
package kprof
