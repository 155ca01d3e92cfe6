package simkernel

import (
	"fmt"
	"syscall"

	"github.com/clonebench/clonebench/rawclone"
)

// Namespaces. A task's namespaces live in its nsproxy (uts, ipc, mnt,
// pid_for_children, net, cgroup), shared by reference between tasks
// until a CLONE_NEW* flag asks copy_namespaces (kernel/nsproxy.c) for a
// copy with that one namespace new; its user namespace lives in its
// credentials (copy_creds → create_user_ns), and its active pid namespace
// is fixed at birth: the parent's pid_for_children.

// NSProxy is an nsproxy: each field is a namespace's id, as the inode of
// /proc/PID/ns/KIND identifies it.
type NSProxy struct {
	ID                                         int
	Count                                      int
	UTS, IPC, Mnt, PIDForChildren, Net, Cgroup int
}

// nsproxyFlags are the flags copy_namespaces copies the nsproxy for.
const nsproxyFlags = rawclone.CloneNewNS | rawclone.CloneNewUTS | rawclone.CloneNewIPC |
	rawclone.CloneNewPID | rawclone.CloneNewNet | rawclone.CloneNewCgroup

// The namespace rules of copy_namespaces and create_user_ns, beside
// copy_process's in errors.go.
var (
	ErrNewIPCWithSysVSem = fmt.Errorf("simkernel: CLONE_NEWIPC with CLONE_SYSVSEM: %w", syscall.EINVAL)
)

// copyNamespaces gives t its namespaces from parent: shared, or for each
// CLONE_NEW* flag a new one (and then an nsproxy of t's own).
func (k *Kernel) copyNamespaces(parent, t *Task, flags rawclone.Flags) {
	t.UserNS = parent.UserNS
	if flags&rawclone.CloneNewUser != 0 {
		t.UserNS = k.id()
	}
	old := parent.NS
	if flags&nsproxyFlags == 0 {
		old.Count++
		t.NS = old
	} else {
		ns := *old
		ns.ID, ns.Count = k.id(), 1
		for _, f := range []struct {
			bit rawclone.Flags
			id  *int
		}{
			{rawclone.CloneNewUTS, &ns.UTS}, {rawclone.CloneNewIPC, &ns.IPC}, {rawclone.CloneNewNS, &ns.Mnt},
			{rawclone.CloneNewPID, &ns.PIDForChildren}, {rawclone.CloneNewNet, &ns.Net}, {rawclone.CloneNewCgroup, &ns.Cgroup},
		} {
			if flags&f.bit != 0 {
				*f.id = k.id()
			}
		}
		t.NS = &ns
	}
	// The child is the first task of a new pid namespace (its init) or
	// joins the one its parent makes children in.
	t.PidNS = t.NS.PIDForChildren
}

// releaseNS drops t's nsproxy reference (exit_task_namespaces).
func releaseNS(t *Task) {
	if t.NS != nil {
		t.NS.Count--
		t.NS = nil
	}
}

// NewNamespaces is the CLONE_NEW* flag word of the namespaces b is in and
// a is not, as comparing /proc/A/ns/* with /proc/B/ns/* shows (pid: the
// active pid namespace). Both must be live.
func NewNamespaces(a, b *Task) rawclone.Flags {
	var f rawclone.Flags
	if a.UserNS != b.UserNS {
		f |= rawclone.CloneNewUser
	}
	if a.PidNS != b.PidNS {
		f |= rawclone.CloneNewPID
	}
	if a.NS == nil || b.NS == nil {
		return f
	}
	for _, c := range []struct {
		bit  rawclone.Flags
		x, y int
	}{
		{rawclone.CloneNewUTS, a.NS.UTS, b.NS.UTS}, {rawclone.CloneNewIPC, a.NS.IPC, b.NS.IPC},
		{rawclone.CloneNewNS, a.NS.Mnt, b.NS.Mnt}, {rawclone.CloneNewNet, a.NS.Net, b.NS.Net},
		{rawclone.CloneNewCgroup, a.NS.Cgroup, b.NS.Cgroup},
	} {
		if c.x != c.y {
			f |= c.bit
		}
	}
	return f
}
