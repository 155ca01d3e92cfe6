//go:build linux

package ab

import (
	"os/exec"
	"syscall"

	"github.com/clonebench/clonebench/cmd/runbench/internal/runner"
)

// ownGroup puts a sample's process in a process group of its own
// (runner.OwnGroup), which a stopped session kills whole: a bench killed
// mid-row leaves forked children that would outlive us.
func ownGroup(cmd *exec.Cmd) {
	runner.OwnGroup(cmd)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
