//go:build linux

package ab

import (
	"os/exec"
	"syscall"
)

// ownGroup puts a sample's process in a process group of its own, which a
// stopped session kills whole: a bench killed mid-row leaves forked
// children that would outlive us. Pdeathsig ends the sample should we be
// killed ourselves.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
