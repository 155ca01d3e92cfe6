//go:build linux

package runner

import (
	"os/exec"
	"syscall"
)

// ownGroup puts a worker in a process group of its own: Ctrl-C at the
// terminal stops the run, which lets the sample in flight finish within
// the grace period, rather than killing the worker mid-sample (a failed
// row). Pdeathsig ends the worker should runbench be killed.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
