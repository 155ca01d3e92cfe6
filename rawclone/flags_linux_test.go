//go:build linux

package rawclone

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Flags carries Linux's values on every platform; they must be x/sys's.
func TestFlagValuesAreLinuxs(t *testing.T) {
	for _, tt := range []struct {
		f    Flags
		unix uint64
	}{
		{CloneVM, unix.CLONE_VM}, {CloneFS, unix.CLONE_FS}, {CloneFiles, unix.CLONE_FILES},
		{CloneSighand, unix.CLONE_SIGHAND}, {ClonePidfd, unix.CLONE_PIDFD}, {ClonePtrace, unix.CLONE_PTRACE},
		{CloneVfork, unix.CLONE_VFORK}, {CloneParent, unix.CLONE_PARENT}, {CloneThread, unix.CLONE_THREAD},
		{CloneNewNS, unix.CLONE_NEWNS}, {CloneSysVSem, unix.CLONE_SYSVSEM}, {CloneSetTLS, unix.CLONE_SETTLS},
		{CloneParentSetTID, unix.CLONE_PARENT_SETTID}, {CloneChildClearTID, unix.CLONE_CHILD_CLEARTID},
		{CloneDetached, unix.CLONE_DETACHED}, {CloneUntraced, unix.CLONE_UNTRACED},
		{CloneChildSetTID, unix.CLONE_CHILD_SETTID}, {CloneNewCgroup, unix.CLONE_NEWCGROUP},
		{CloneNewUTS, unix.CLONE_NEWUTS}, {CloneNewIPC, unix.CLONE_NEWIPC}, {CloneNewUser, unix.CLONE_NEWUSER},
		{CloneNewPID, unix.CLONE_NEWPID}, {CloneNewNet, unix.CLONE_NEWNET}, {CloneIO, unix.CLONE_IO},
		{SignalMask, unix.CSIGNAL}, {SIGCHLD, uint64(unix.SIGCHLD)},
	} {
		if uint64(tt.f) != tt.unix {
			t.Errorf("%v = %#x, x/sys/unix says %#x", tt.f, uint64(tt.f), tt.unix)
		}
	}
	for sig := 1; sig < len(signalNames); sig++ {
		if got, want := signalNames[sig], unix.SignalName(unix.Signal(sig)); got != want {
			t.Errorf("signal %d named %q, x/sys/unix says %q", sig, got, want)
		}
	}
}
