package workloads

import (
	"fmt"

	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
)

// Containers' creation rows: Clone3, CreateNS, CreateCgroup, CreatePidfd.
//
// Each times the creation op of the other creation rows (create → the
// child exits at once → reap or join) in rawclone's assembly loop, so a
// row here and a Create row differ only by the system call or the flags.
// Clone3, CreateCgroup and CreatePidfd issue clone3 (rawclone.Loop3);
// CreateNS issues clone(2) with fork's flags and one CLONE_NEW* flag
// (rawclone.Loop), as every namespace flag it tries is one clone(2) takes.
//
// glibc 2.34 and later creates threads with clone3 and falls back to
// clone when the kernel says ENOSYS; this host's glibc 2.36 does so
// (strace -f -e trace=clone,clone3 of a pthread_create shows
// clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|
// CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, …},
// 88)), so style=thread here is the system call pthread_create makes.

// nsFlags are the CreateNS flags per value. all is what runc's default
// spec asks for: every namespace but user (a rootful container).
var nsFlags = map[rowspec.NS]rawclone.Flags{
	rowspec.NSUTS:    rawclone.CloneNewUTS,
	rowspec.NSIPC:    rawclone.CloneNewIPC,
	rowspec.NSMnt:    rawclone.CloneNewNS,
	rowspec.NSPID:    rawclone.CloneNewPID,
	rowspec.NSNet:    rawclone.CloneNewNet,
	rowspec.NSUser:   rawclone.CloneNewUser,
	rowspec.NSCgroup: rawclone.CloneNewCgroup,
	rowspec.NSAll: rawclone.CloneNewNS | rawclone.CloneNewUTS | rawclone.CloneNewIPC |
		rawclone.CloneNewPID | rawclone.CloneNewNet | rawclone.CloneNewCgroup,
}

// NSFlags is the CLONE_NEW* set a CreateNS row adds to fork's flags.
func NSFlags(ns rowspec.NS) rawclone.Flags { return nsFlags[ns] }

func init() {
	// Clone3: the seed sets through clone3. cpu=same is quick: it is the
	// pair the C reference compares with, and as cheap as Create's.
	for _, st := range []struct {
		style rowspec.Style
		flags rawclone.Flags
		join  string
	}{
		{rowspec.StyleFork, rawclone.ForkFlags, "child exit_groups at once, parent reaps with wait4"},
		{rowspec.StyleThread, rawclone.ThreadFlags, "on a cached stack, child exits at once, parent joins on the clear-tid futex"},
	} {
		c := rawclone.Clone3{Flags: st.flags, ChildWrite: -1}
		register(placed(clone3Row(rowspec.Spec{Family: rowspec.Clone3, Style: st.style}, c,
			fmt.Sprintf("raw clone3(%s flags) from one locked thread, %s", st.style, st.join)), rowspec.CPUSame)...)
	}

	// CreateNS: one namespace flag at a time, then a runtime's set.
	for _, ns := range rowspec.NSs() {
		flags := rawclone.ForkFlags | nsFlags[ns]
		r := Row{
			Spec:       rowspec.Spec{Family: rowspec.CreateNS, NS: ns},
			raw:        &rawSpec{Flags: flags},
			Needs:      Needs{Linux: true},
			Doc:        fmt.Sprintf("raw clone(%v) from one locked thread, child exit_groups at once, parent reaps with wait4; kthread-ns/op counts the deferred teardown", flags),
			Run:        func(n int) (Result, error) { return runNS(flags, n) },
			SkipReason: func() string { return nsSkipReason(flags) },
		}
		register(placed(r)...)
	}

	// CreateCgroup: into a prepared cgroup v2, at the clone or after it.
	for _, how := range rowspec.Hows() {
		doc := "raw clone3(fork flags|CLONE_INTO_CGROUP) into a prepared empty cgroup v2, child exit_groups at once, parent reaps with wait4"
		if how == rowspec.HowMigrate {
			doc = "raw clone3(fork flags), child writes \"0\" to the prepared cgroup v2's cgroup.procs (moving itself, as a runtime writing its pid would) then exit_groups, parent reaps with wait4"
		}
		r := Row{
			Spec:       rowspec.Spec{Family: rowspec.CreateCgroup, How: how},
			raw:        &rawSpec{Flags: rawclone.ForkFlags},
			Needs:      Needs{Linux: true},
			Doc:        doc,
			Run:        func(n int) (Result, error) { return runCgroup(how, n) },
			SkipReason: cgroupSkipReason,
		}
		register(placed(r)...)
	}

	// CreatePidfd: CLONE_PIDFD in both, reaped through it or not.
	for _, w := range rowspec.Waits() {
		c := rawclone.Clone3{Flags: rawclone.ForkFlags | rawclone.ClonePidfd, WaitPidfd: w == rowspec.WaitPidfd, ChildWrite: -1}
		doc := "raw clone3(fork flags|CLONE_PIDFD), child exit_groups at once, parent reaps with waitid(P_PIDFD, WEXITED|__WALL) and closes the pidfd"
		if w == rowspec.WaitWait4 {
			doc = "raw clone3(fork flags|CLONE_PIDFD), child exit_groups at once, parent reaps with wait4 and closes the pidfd"
		}
		register(placed(clone3Row(rowspec.Spec{Family: rowspec.CreatePidfd, Wait: w}, c, doc))...)
	}
}

func clone3Row(sp rowspec.Spec, c rawclone.Clone3, doc string) Row {
	return Row{
		Spec: sp,
		// The task is the one these flags make; a pidfd is no part of it
		// (and rawclone.Clone, which the task tests use, refuses PIDFD).
		raw:   &rawSpec{Flags: c.Flags &^ rawclone.ClonePidfd},
		Needs: Needs{Linux: true},
		Doc:   doc,
		Run:   func(n int) (Result, error) { return runClone3(c, n) },
	}
}
