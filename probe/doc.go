// Package probe attributes a creation row's time per op, and a switch
// row's per round trip, to phases, from the kernel's own tracepoints,
// with BPF programs that keep only the row's tasks and aggregate in the
// kernel.
//
// A Session is started on the measuring thread before a row's op loop and
// stopped after it: no event crosses to user space while the loop runs;
// Stop reads one map and detaches everything.
//
// # Phases of a creation op
//
// An op is clone → the child runs and exits → the parent reaps or joins
// it. The programs stamp six marks per op with bpf_ktime_get_ns (the
// CLOCK_MONOTONIC the loop's own timer is calibrated against), each mark
// written by exactly one task, and the parent's program closes the op and
// adds the six intervals between consecutive marks to per-phase sums. The
// intervals tile the op, so the phases sum to the op's time by
// construction (less only the loop's first clone entry and last clock
// read, a fraction of one op per sample).
//
//	phase     unit              from (tracepoint)                              to (tracepoint)
//	between   between-ns/op     parent: previous op closed (raw_syscalls:sys_enter)  parent: sys_enter clone/clone3
//	copy      copy-ns/op        parent: sys_enter clone/clone3                 parent: task:task_newtask (end of copy_process)
//	start     start-ns/op       task_newtask                                   sched:sched_switch to the child (its first time on a CPU)
//	run       run-ns/op         sched_switch to the child                      child: sys_enter exit/exit_group
//	teardown  teardown-ns/op    child: sys_enter exit/exit_group               child: last sched:sched_switch away (do_exit, exit_mm, exit_notify)
//	reap      reap-ns/op        child: last sched_switch away                  parent: next sys_enter after the join (the next clone, or the loop's clock read)
//
// start is wake_up_new_task and the wait until the child is picked; on
// one CPU it also holds the parent's return from clone and its entry into
// wait4 or futex, since the child only runs once the parent sleeps. run
// is the switch into the child, ret_from_fork, its return to user space
// and its own code (a few instructions) up to the exit system call. reap
// is waking the parent, wait4's release_task or the clear-tid futex wake,
// and the return to the loop. between is zero
// for the assembly loops, whose parent makes no system call between the
// join and the next clone; for a fresh-stack row it is the munmap and
// mmap of the stack.
//
// Where the parent is woken before the child's last switch away (a
// thread's clear-tid wake comes from exit_mm, and on two CPUs the parent
// may be back in clone before the child has left the CPU), teardown ends
// at the parent's next system call: the rest of do_exit overlaps the next
// op and is not on the op's path. Marks are clamped into order, so a late
// or missing mark moves time between neighbouring phases and never out of
// the op; an op missing its newtask or first-switch-in mark is counted as
// incomplete and its whole span goes to other-ns/op.
//
// The op loop's own timer (rawclone's TSC readings) is what ns/op
// reports; the marks come from bpf_ktime_get_ns on the same clock.
//
// # Phases of a switch round trip
//
// A probed Switch or SwitchLibc row (cpu=same, mech pipe, futex, eventfd
// or unix; SwitchSession) is two raw-clone tasks on one CPU. The
// programs follow the first two tasks the measuring thread clones with
// the row's clone flags (task:task_newtask: the responder, then the
// initiator; the row's started callback checks the tids), so they see
// the pair from its creation. Every event of the pair is a mark, and the
// interval since the previous mark goes to the phase that the closing
// event names, so the phases tile the timeline exactly. Only the
// initiator's timed interval is added up: it opens at the initiator's
// getrusage entry at the timer's start and closes at its clock_gettime
// entry at the end (the last round trip's end), so the warm-up, the
// exits and the overhead task are outside, and the sums divided by the
// loop's N sum to its ns/op. A round trip is two directions, each
// normally syscall, return, block, switch in turn.
//
//	phase    unit           from (the previous mark)               to (tracepoint)
//	syscall  syscall-ns/op  the waker's sys_enter (write, FUTEX_WAKE)  sched:sched_waking of the partner
//	return   return-ns/op   the wake                               raw_syscalls:sys_enter of a task not switched in since its last call
//	block    block-ns/op    the wait call's sys_enter              sched:sched_switch with a partner as prev
//	switch   switch-ns/op   sched_switch into a partner            that partner's next raw_syscalls:sys_enter
//	wakeup   wakeup-ns/op   the previous mark                      sched_switch into a partner from another task or idle
//
// return is the rest of the signalling call, the return to user space
// and the waker's own code up to its wait call. block is the wait call up
// to __schedule having picked the other task (or a preemption). switch is
// context_switch (switch_mm for a process: a new address space, and the
// TLB and caches refilled after it), the return from the wait to user
// space and the task's loop and working-set pass up to its next call.
// wakeup is, on one CPU, a third task's time between the two.
//
// With wake-up preemption the woken partner may run before the waker
// reaches its wait call; the marks then come in another order and the
// same rules still split the time, only the per-direction reading blurs.
// The phases need the pair on one CPU: the marks of two CPUs would race
// on the one record and interleave two timelines, so cpu=cross and
// cpu=any rows have no twin; mech=yield has no wake to mark. The
// programs are on raw_syscalls:sys_enter, sched_waking, sched_switch and
// task_newtask; none on sys_exit. Each program returns at once for a task
// other than the pair (sys_enter compares tids; sched_switch and
// sched_waking compare task pointers noted at task_newtask, reading no
// task memory).
//
// # Which tasks count
//
// The programs compare the current task's tid with two slots of one array
// map: the measuring thread's tid, written before attaching, and the
// child's, written at task_newtask when the creating task is the measuring
// thread (sched_switch compares the prev and next task pointers with the
// child's, noted at the same time). Every other task's events (the Go
// runtime's threads, any other process) return at once without writing
// the map. Three programs, on raw_syscalls:sys_enter, task:task_newtask
// and sched:sched_switch; none on sys_exit, which every system call on the
// machine would run.
//
// # Why asm and not C
//
// The programs are written with github.com/cilium/ebpf/asm in Go: a
// user who never probes builds and runs clonebench with nothing new (no
// clang, no libbpf headers, no generated objects to keep in step), and the
// one kernel-dependent fact the programs need, the offset of
// task_struct.pid, is read from the kernel's BTF at load time instead of
// being compiled in. The programs are raw tracepoints, which need neither
// tracefs nor kprobes. Per-function attribution (fentry on dup_mmap,
// copy_page_range, exit_mmap, …) is tried by FunctionsSupported and
// reported as the kernel's refusal where it is refused.
//
// Every program is named with the prefix "cb_" (Prefix) so a test can
// walk the kernel's program IDs and prove none is left after a run.
package probe
