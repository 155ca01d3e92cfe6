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
// copy_signal, copy_mm, copy_namespaces (an nsproxy shared, or copied
// with each CLONE_NEW* flag's namespace new; the user namespace of the
// credentials; the active pid namespace, with the EINVAL and EPERM rules
// of copy_process, copy_namespaces and create_user_ns, checked against
// the real kernel by diff_ns_linux_test.go), pid allocation and the
// thread group. NewNamespaces is the /proc/PID/ns comparison. Exit and Wait
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
// cache/TLB refill term that grows with the working set. Ping-pong runs a
// small scheduler model (PingPong): whether a hand-over pays for an mm
// switch and a refill follows from which mm each CPU has loaded, and the
// voluntary/involuntary switch counts from which side was asleep.
// Nothing reads the wall clock and nothing depends on map order, so two
// simulated runs give identical figures.
//
// # Calibration
//
// Fit reads a real result file through resultfile, the suite's one reader
// of result files (so a file it refuses, or calls simulated, is refused
// here too), and takes each row's median over repeated runs (p50-ns where
// the row has per-op samples), the figure benchstat shows.
// Copy and flag costs are the steps between CloneFlags rows that differ in
// one flag; per-MiB and per-fd costs are least-squares slopes over the
// CreateRSS and CreateFDs rows; switch, mm-switch and refill costs come
// from the Switch rows net of the SwitchOverhead rows; the task base is the
// mean residual. Negative steps are noise and are taken as zero, with a
// warning. The embedded DefaultProfile is the fit of
// results/reference/linux-amd64-kvm.txt (a copy lives in testdata/, and a
// test refits it and compares). The calibration tests hold rows out of the
// fit and check the model predicts them: fork at rss=64MiB and 1GiB from
// rss=0, 16MiB and 256MiB, and the pipe process/thread switch ratio from
// the other mechanisms, each within 25%.
//
// # Rows
//
// Run simulates one catalogue row, given as its typed rowspec.Spec
// (Create/style=fork, Switch/mech=pipe/mode=process/cpu=same/ws=0, …), for
// n ops. Its figures are virtual time and carry units of their own
// (rowspec.UnitSimNsOp, rowspec.Sim(…)), so benchstat never compares them
// with real ones. Clone flags are rawclone.Flags throughout, so a flag set
// reads and prints as in rawclone and in row names. The scheduler model
// places only ping-pong pairs: a creation row's cpu= does not change its
// figure, and Fit calibrates from the unpinned creation rows.
//
// # Not modelled: topology and latency distributions
//
// The scheduler model knows one CPU and "another CPU" (a cross-CPU wake
// has one cost), not SMT siblings, caches or NUMA nodes, so the topology
// placements (cpu=smt, llc, xllc, xnode) have no simulated rows: a figure
// for them would be cpu=cross under another name. Nor does a simulated
// switch row report p50-ns … p99.9-ns, and SwitchWake has no simulated
// family: after warm-up every simulated round trip charges the same
// virtual time, so its distribution is one point and its percentiles would
// only repeat the mean. runbench -kernel sim lists those rows as skipped
// with that reason (workloads.Row.NoSim).
package simkernel
