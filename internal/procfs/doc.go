// Package procfs holds the few Linux /proc and kcmp(2) readers that the
// rawclone, workloads and simkernel tests and `runbench verify` all need:
// the fields of a task's status file, a task's PF_* flags from its stat
// file, whether two tasks share a kernel structure, and how many tasks,
// fds and mappings this process has. rawclone (waiting out its threads'
// do_exit) and workloads (the kernel threads' run time) read task flags
// with it too.
//
// They live here, not in each package, so that every check of "the kernel
// says these tasks share X" or "nothing leaked" reads /proc the same way.
// The readers are deliberately thin: they return the kernel's view and the
// bare error (an *fs.PathError or a unix.Errno), and leave what counts as a
// failure to the caller.
//
// The one mountinfo parser (ReadMountinfo, ParseMountinfo) is here too: the
// cgroup v2 rows find their hierarchy with it, and the needs checks their
// cgroups' limits.
//
// On systems other than Linux every reader of the live system returns an
// error wrapping errors.ErrUnsupported, so that packages importing procfs
// still build; the mountinfo parser reads text and works everywhere, as the
// needs checks read fixtures of a root on any system.
package procfs
