package workloads

import (
	"fmt"

	"github.com/clonebench/clonebench/internal/topology"
	"github.com/clonebench/clonebench/rowspec"
)

// topologyCPUs are the placements internal/topology picks: they need to
// know which CPUs share a core, an LLC or a node.
var topologyCPUs = []switchCPU{rowspec.CPUSMT, rowspec.CPULLC, rowspec.CPUXLLC, rowspec.CPUXNode}

// topologyPair is the initiator's and responder's CPU for a topology
// placement, read from sysfs and sched_getaffinity at the time of the run.
func topologyPair(c switchCPU) (initCPU, respCPU int, err error) {
	top, err := topology.Live()
	if err != nil {
		return 0, 0, fmt.Errorf("cpu=%s: %w", c, err)
	}
	a, b, _, err := top.Pair(c)
	return a, b, err
}

// placementSkip is a topology placement's skip reason on this host, "" if
// the machine can give it.
func placementSkip(c switchCPU) func() string {
	return func() string {
		if _, _, err := topologyPair(c); err != nil {
			return err.Error()
		}
		return ""
	}
}
