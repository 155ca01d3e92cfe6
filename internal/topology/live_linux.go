//go:build linux

package topology

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// AllowedCPUs is the calling thread's sched_getaffinity mask: the CPUs a
// cgroup cpuset and any taskset leave us.
func AllowedCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("topology: sched_getaffinity: %w", err)
	}
	var out []int
	for i := 0; i < len(set)*64; i++ {
		if set.IsSet(i) {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("topology: sched_getaffinity: empty mask")
	}
	return out, nil
}

// Live reads this machine's topology for the CPUs we may use now.
func Live() (*Topology, error) {
	allowed, err := AllowedCPUs()
	if err != nil {
		return nil, err
	}
	return Read(SysRoot, allowed)
}
