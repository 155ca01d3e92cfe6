package topology

import (
	"fmt"

	"github.com/clonebench/clonebench/rowspec"
)

// Pair returns the CPUs of the two tasks of a cpu=p switch row: the
// initiator's and the responder's. cpu=any has no pair (ok false, no
// error). A placement the allowed CPUs cannot give is an error wrapping
// ErrPlacement that says why.
//
//   - same: the first allowed CPU, twice (taskset -c 0 on an unrestricted host).
//   - cross: the first two allowed CPUs, whatever they share (the row's
//     meaning before the topology placements existed).
//   - smt: the first allowed CPU with an allowed SMT sibling, and that sibling.
//   - llc: the first two allowed CPUs of different cores sharing an LLC.
//   - xllc: the first allowed CPU and the first allowed CPU in another LLC,
//     on the same node where the machine has one (a chiplet's neighbour
//     CCX rather than the other socket).
//   - xnode: the first allowed CPU and the first allowed CPU on another node.
func (t *Topology) Pair(p rowspec.CPU) (a, b int, ok bool, err error) {
	cpus := t.CPUs
	if len(cpus) == 0 {
		return 0, 0, false, fmt.Errorf("cpu=%s: %w: no allowed CPU", p, ErrPlacement)
	}
	first := func(pred func(x, y CPU) bool) (int, int, bool) {
		for i, x := range cpus {
			for _, y := range cpus[i+1:] {
				if pred(x, y) {
					return x.ID, y.ID, true
				}
			}
		}
		return 0, 0, false
	}
	fail := func(format string, args ...any) (int, int, bool, error) {
		return 0, 0, false, fmt.Errorf("cpu=%s: %w: %s", p, ErrPlacement, fmt.Sprintf(format, args...))
	}
	switch p {
	case rowspec.CPUAny:
		return 0, 0, false, nil
	case rowspec.CPUSame:
		return cpus[0].ID, cpus[0].ID, true, nil
	case rowspec.CPUCross:
		if len(cpus) < 2 {
			return fail("needs 2 CPUs, the affinity mask allows only CPU %d", cpus[0].ID)
		}
		return cpus[0].ID, cpus[1].ID, true, nil
	case rowspec.CPUSMT:
		if x, y, ok := first(func(x, y CPU) bool { return x.Core == y.Core }); ok {
			return x, y, true, nil
		}
		if t.machineSMT {
			return fail("the machine has SMT, but the affinity mask (%s) allows at most one thread of each core", FormatList(t.Allowed()))
		}
		return fail("no SMT: every core runs one thread (thread_siblings_list of each allowed CPU names only itself)")
	case rowspec.CPULLC:
		if t.llcs == 0 {
			return fail("sysfs describes no cache for the allowed CPUs (no cpuN/cache/index*/shared_cpu_list)")
		}
		if x, y, ok := first(func(x, y CPU) bool { return x.LLC == y.LLC && x.Core != y.Core }); ok {
			return x, y, true, nil
		}
		return fail("no last-level cache (L%d) holds two allowed CPUs of different cores (allowed: %s)", t.llcLevel, FormatList(t.Allowed()))
	case rowspec.CPUXLLC:
		if t.llcs == 0 {
			return fail("sysfs describes no cache for the allowed CPUs (no cpuN/cache/index*/shared_cpu_list)")
		}
		if t.llcs < 2 {
			return fail("all allowed CPUs (%s) share one last-level cache (L%d)", FormatList(t.Allowed()), t.llcLevel)
		}
		x := cpus[0]
		for _, sameNode := range []bool{true, false} {
			for _, y := range cpus[1:] {
				if y.LLC != x.LLC && (y.Node == x.Node) == sameNode {
					return x.ID, y.ID, true, nil
				}
			}
		}
		// Unreachable with two LLCs among the allowed CPUs.
		return fail("no allowed CPU outside CPU %d's last-level cache", x.ID)
	case rowspec.CPUXNode:
		if t.nodes < 2 {
			return fail("all allowed CPUs (%s) are on NUMA node %d", FormatList(t.Allowed()), cpus[0].Node)
		}
		x := cpus[0]
		for _, y := range cpus[1:] {
			if y.Node != x.Node {
				return x.ID, y.ID, true, nil
			}
		}
		return fail("no allowed CPU outside CPU %d's node", x.ID)
	}
	return 0, 0, false, fmt.Errorf("cpu=%s: not a switch placement", p)
}

// Creators returns the CPU of each of n creators that run at once, one
// creator per CPU: the first n of Spread, so that par=2 takes two cores
// (on two nodes or LLCs where the machine has them) before any core's
// second thread, as will-it-scale binds its workers. CreatePar's par=n
// rows run there. Fewer than n allowed CPUs is an error wrapping
// ErrPlacement: two creators on one CPU would time the scheduler's time
// slicing, not the kernel's creation path.
func (t *Topology) Creators(n int) ([]int, error) {
	if n < 1 {
		return nil, fmt.Errorf("par=%d: %w: want at least one creator", n, ErrPlacement)
	}
	if n > len(t.CPUs) {
		return nil, fmt.Errorf("par=%d: %w: needs %d CPUs, one per creator, the affinity mask allows %d (%s)",
			n, ErrPlacement, n, len(t.CPUs), FormatList(t.Allowed()))
	}
	return t.Spread()[:n], nil
}
