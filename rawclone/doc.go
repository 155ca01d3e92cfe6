// Package rawclone issues the raw clone(2) system call from Go with any
// flag set, and runs in the child a body written in Go assembly that makes
// raw system calls only: no Go code, no allocation, no stack growth.
//
// It exists so that clonebench can time exactly what the kernel charges for
// a given set of clone flags — the fork-style set glibc's fork uses, the
// thread-style set pthread_create uses, vfork's, and every set between —
// with no Go runtime work inside the measured interval.
//
// Cloner.Loop3 issues clone3(2) instead, with a struct clone_args, from
// the same assembly loop: what clone(2) cannot pass (CLONE_INTO_CGROUP's
// directory, a CLONE_PIDFD descriptor beside PARENT_SETTID's word) and
// what glibc 2.34 and later uses for pthread_create.
//
// Every signal is blocked on the calling (locked) OS thread around the
// syscall, as the runtime's newosproc does, so the child starts with all
// signals blocked and no Go signal handler ever runs on a raw task.
//
// Every task is joined (thread-group members, through the
// CLONE_CHILD_CLEARTID futex) or reaped (tasks with an exit signal, through
// wait4) by its owner; Task.Wait and Task.Kill are the only ways a task
// ends, and callers defer one of them.
//
// A thread-group member (CLONE_THREAD) cannot be SIGKILLed alone: SIGKILL
// would end the whole process. Kill therefore sets an abort word the body
// checks after every wait and wakes the task: a byte into its pipe (through
// a write end opened via /proc/self/fd), shutdown(SHUT_RD) on its socket —
// which the caller's socket keeps — a count on its eventfd, or a futex wake.
// A task in its own thread group that blocks or loops (every op but OpExit)
// asks for PR_SET_PDEATHSIG=SIGKILL first, so it cannot outlive a process
// that dies without reaping it (Ctrl-C, a crash).
//
// Memory a body uses (Body.Word, Body.WorkingSet, Body.RoundTrips,
// Body.Wake, Body.WakeStamp) must stay mapped until the task has ended: a
// fault in a thread-group member kills the whole process.
//
// Latency recording (latency.go): the ping-pong loop reads the cycle
// counter (amd64 RDTSC after LFENCE, arm64 CNTVCT_EL0 after ISB) once per
// timed round trip on the initiator (Body.RoundTrips) or once per wake-up
// on each side (Body.Wake), computes the hist package's log-linear bucket
// in registers (BSR/CLZ, two shifts, an add) and increments it in a
// MAP_SHARED histogram, so nothing but that runs between round trips.
// Result.NsPerTick calibrates the counter against CLOCK_MONOTONIC over the
// timed interval; CounterCheck refuses an amd64 TSC without constant_tsc
// and nonstop_tsc.
//
// On platforms other than Linux amd64 and arm64 the package compiles and
// every entry point returns an error wrapping errors.ErrUnsupported.
package rawclone
