//go:build linux

package runner

import (
	"os/exec"
	"syscall"
)

// OwnGroup puts a child of runbench (a -pprof worker, an ab sample) in a
// process group of its own: Ctrl-C at the terminal stops runbench, which
// then ends the child its own way (a worker's sample finishes within the
// grace period; ab kills the group), rather than killing it mid-sample.
// Pdeathsig ends the child should runbench be killed; it follows the
// thread that started the child, which the caller keeps alive.
func OwnGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
