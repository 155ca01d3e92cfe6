package sysinfo

import "github.com/clonebench/clonebench/internal/topology"

// TopologyKeys are the config keys describing the CPUs a run may use:
// cpus-allowed (sched_getaffinity's mask as a cpulist), smt (on if two
// allowed CPUs share a core), cores, llcs and nodes (how many the allowed
// CPUs span).
var TopologyKeys = topology.FactKeys

// Topology returns the topology facts of the CPUs this process may use,
// each Unknown if sysfs or the affinity mask cannot be read.
func Topology() []Fact {
	top, err := topology.Live()
	out := make([]Fact, 0, len(TopologyKeys))
	if err != nil {
		for _, k := range TopologyKeys {
			out = append(out, Fact{k, Unknown})
		}
		return out
	}
	for _, f := range top.Facts() {
		out = append(out, Fact{f[0], f[1]})
	}
	return out
}
