// Package simkernel is a simulated Linux kernel: the task model of
// copy_process plus a deterministic cost model in virtual time, calibrated
// from a real clonebench result file.
//
// It exists so that hosts without raw clone(2) — macOS and Windows laptops,
// CI runners — can still run the suite, draw the report's charts and have a
// baseline, and so that the seeds' thesis can be checked against a model:
// on Linux a thread is a task like a process, and only the clone flags
// decide what the new task shares.
//
// # Task model
//
// A Kernel holds tasks with a pid (what gettid returns) and a tgid (what
// getpid returns), and the five structures clone flags decide about — mm,
// files, fs, sighand and signal — each with a reference count. Clone follows
// copy_process step by step: the flag validity rules with the kernel's
// errors (errors.Is(err, syscall.EINVAL) holds exactly where the real clone
// fails with EINVAL), dup_task_struct, copy_files, copy_fs, copy_sighand,
// copy_signal, copy_mm, pid allocation and the thread group. Exit and Wait
// follow exit_notify: thread-group members are released at once, other
// tasks stay zombies until their parent reaps them. ProcList and ProcTask are
// the /proc view: TGIDs at the top, thread ids under task/.
//
// # Cost model
//
// Every step charges virtual nanoseconds to the Kernel's clock from a
// Profile: a base cost per task, the cost of each structure copied instead
// of shared, page-table copying per MiB mapped (with and without huge
// pages), fd-table copying per fd, a syscall, each wake-up mechanism, a
// switch within one address space and one across address spaces, and a
// cache/TLB refill term that grows with the working set. Profiles are
// fitted (Fit) from a real Linux result file in the benchmark format; the
// embedded DefaultProfile was fitted from results/reference/linux-amd64-kvm.txt.
// Nothing reads the wall clock and nothing depends on map order, so two
// simulated runs give identical figures.
//
// # Rows
//
// Run simulates one catalogue row by name (Create/style=fork,
// Switch/mech=pipe/mode=process/cpu=same/ws=0, …) for n ops. Its figures
// are virtual time and carry units of their own ("sim-ns/op"), so benchstat
// never compares them with real ones.
package simkernel
