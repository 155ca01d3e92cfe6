package workloads

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// nprocLimit is RLIMIT_NPROC's soft limit when it binds this process: the
// kernel does not hold root to it.
func nprocLimit() (uint64, bool, error) {
	if os.Geteuid() == 0 {
		return 0, false, nil
	}
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &rl); err != nil {
		return 0, false, fmt.Errorf("getrlimit(RLIMIT_NPROC): %w", err)
	}
	if rl.Cur == unix.RLIM_INFINITY {
		return 0, false, nil
	}
	return rl.Cur, true, nil
}
