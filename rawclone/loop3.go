package rawclone

import "fmt"

// Clone3 is one op of Loop3: clone3(2) with a struct clone_args, then the
// same exit and join or reap as Loop.
//
//	func (cl *Cloner) Loop3(c Clone3, n int) (LoopResult, error)
//
// Why a second entry point rather than a flag of Loop: clone3 takes what
// clone(2) cannot (CLONE_INTO_CGROUP's directory, a pidfd beside
// PARENT_SETTID), and glibc 2.34 and later creates threads with it, so the
// clone3 rows issue it from the same assembly loop with the same op
// boundary and nothing else changed.
type Clone3 struct {
	// Flags are the CLONE_* bits with the exit signal in the low byte, as
	// for Loop; clone_args takes the signal in its own field. PIDFD is
	// allowed here: its descriptor has a word of its own.
	Flags Flags

	// IntoCgroup sets CLONE_INTO_CGROUP: the child starts in the cgroup v2
	// directory open as Cgroup.
	IntoCgroup bool
	Cgroup     int

	// WaitPidfd reaps with waitid(P_PIDFD, pidfd, …, WEXITED|__WALL)
	// instead of wait4(pid, …, __WALL); it needs PIDFD. With PIDFD the
	// descriptor is closed after every join, inside the op, whichever way
	// the child was reaped.
	WaitPidfd bool

	// ChildWrite ≥ 0: the child writes "0" to this descriptor before it
	// exits (to cgroup.procs, "0" moves the writer: the migration a
	// runtime does by writing the child's pid, done by the child itself so
	// that the loop needs no number formatting); its exit status says
	// whether the write took. -1: it exits at once.
	ChildWrite int
}

// cloneIntoCgroup is CLONE_INTO_CGROUP, which only clone_args can carry.
const cloneIntoCgroup = 0x200000000

func (c Clone3) String() string {
	s := c.Flags.String()
	if c.IntoCgroup {
		s += fmt.Sprintf(" into-cgroup fd %d", c.Cgroup)
	}
	if c.WaitPidfd {
		s += " waitid(P_PIDFD)"
	}
	if c.ChildWrite >= 0 {
		s += fmt.Sprintf(" child writes fd %d", c.ChildWrite)
	}
	return s
}

func (c Clone3) check() error {
	if c.Flags&CloneParent != 0 && c.Flags&CloneThread == 0 {
		return fmt.Errorf("rawclone: Loop3(%v): PARENT without THREAD makes the child our sibling, which we cannot reap", c)
	}
	if c.Flags&CloneVfork != 0 && c.ChildWrite >= 0 {
		return fmt.Errorf("rawclone: Loop3(%v): a VFORK child runs on our stack and may only exit", c)
	}
	if c.WaitPidfd && c.Flags&ClonePidfd == 0 {
		return fmt.Errorf("rawclone: Loop3(%v): waitid(P_PIDFD) needs PIDFD", c)
	}
	if c.WaitPidfd && c.Flags&CloneThread != 0 {
		return fmt.Errorf("rawclone: Loop3(%v): a thread is joined on its CHILD_CLEARTID word, not waited for", c)
	}
	if c.Flags&ClonePidfd != 0 && c.Flags&CloneThread != 0 {
		return fmt.Errorf("rawclone: Loop3(%v): PIDFD|THREAD is left out: the loop joins threads on their tid word", c)
	}
	if c.IntoCgroup && c.Cgroup < 0 {
		return fmt.Errorf("rawclone: Loop3(%v): CLONE_INTO_CGROUP needs a cgroup directory fd", c)
	}
	return nil
}
