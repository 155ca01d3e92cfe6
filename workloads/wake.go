package workloads

// SwitchWake/mech=M/mode=P/cpu=C measures wake-up latency the schbench
// way: the time from the waker's wake call (a pipe or eventfd write, or
// FUTEX_WAKE after flipping the turn word) to the moment the woken task is
// back in user space, for every wake-up of a ping-pong between two
// raw-clone tasks. Each side stamps the cycle counter into a word both
// share just before its wake call; the other reads the counter as soon as
// its wait returns and records the difference in a log-linear histogram
// (rawclone.Body.Wake). An op is one wake-up: ns/op is the mean wake-up
// latency (from the histogram), and p50-ns … p99.9-ns its percentiles.
//
// At cpu=same the woken task runs only once the waker blocks (or
// preempts it on wake-up), so the figure holds the rest of the waker's
// wake call and its switch out; across CPUs it holds the IPI or the idle
// exit of the other CPU. Across CPUs the two counters must be in step:
// rows that may put the tasks on two CPUs (all but cpu=same) skip unless
// the kernel's clocksource is tsc, which it keeps only while it finds the
// TSCs synchronised.

import (
	"fmt"

	"github.com/clonebench/clonebench/rowspec"
)

// wakeSpec is one SwitchWake row.
type wakeSpec struct {
	mech switchMech
	mode switchMode
	cpu  switchCPU
}

func (s wakeSpec) spec() rowspec.Spec {
	return rowspec.Spec{Family: rowspec.SwitchWake, Mech: s.mech, Mode: s.mode, CPU: s.cpu}
}

func wakeSpecs() []wakeSpec {
	var out []wakeSpec
	for _, mode := range []switchMode{modeProcess, modeThread} {
		for _, mech := range []switchMech{mechPipe, mechFutex, mechEventfd} {
			for _, cpu := range rowspec.CPUs() {
				out = append(out, wakeSpec{mech, mode, cpu})
			}
		}
	}
	return out
}

func (s wakeSpec) row() Row {
	r := observedRow(Row{
		Spec: s.spec(),
		Doc: fmt.Sprintf("wake-up latency: from the waker's %s wake call to the wakee running in user space, per wake-up of a ping-pong between two raw-clone tasks created with %s flags, %s",
			s.mech, s.mode, placeDoc(s.cpu)),
		Suites: Full,
		Needs:  Needs{Linux: true},
		NoSim:  "simkernel has no wake-up latency distribution: every simulated round trip costs the same virtual time",
	}, func(n int, started startedFunc) (Result, error) { return runSwitchWake(s, n, started) })
	if s.cpu.TwoCPUs() {
		r.Needs.CPUs = 2
	}
	topo := s.cpu != cpuSame && s.cpu != cpuCross && s.cpu != cpuAny
	r.SkipReason = func() string {
		if why := wakeSkip(s.cpu); why != "" {
			return why
		}
		if topo {
			return placementSkip(s.cpu)()
		}
		return ""
	}
	if s.mech == mechPipe && s.cpu == cpuSame {
		r.Suites |= Quick
	}
	return r
}

func init() {
	for _, s := range wakeSpecs() {
		register(s.row())
	}
}
