package workloads

import (
	"fmt"

	"github.com/clonebench/clonebench/rowspec"
)

// Probed switch rows: the twin of a raw-clone Switch or SwitchLibc row at
// cpu=same (rowspec refuses the others), run with package probe's switch
// programs following the two partners from the started callback on, and
// reporting each phase of the round trip as PHASE-ns/op
// (rowspec.SwitchPhaseUnits). The programs are loaded and attached before
// the partners exist and do nothing until their tids are written, which
// happens in the started callback while the pair runs its untimed warm-up
// (switchWarmup: at least 16 round trips), so the phases are averages
// over the round trips the programs saw: the timed ones and the tail of
// the warm-up, and, should the creating thread be kept off the CPU for
// the whole warm-up, not the first timed ones.
func probedSwitch(r Row) (Row, bool) {
	p := r
	p.Spec.Probe = rowspec.ProbeSched
	if _, err := rowspec.Parse(p.Spec.String()); err != nil {
		return Row{}, false
	}
	p.Name = p.Spec.String()
	p.Doc += "; with BPF programs on sys_enter, sched_waking and sched_switch following both partners, splitting each round trip into phases (PHASE-ns/op)"
	obs, skip := r.observed, r.SkipReason
	p = observedRow(p, func(n int, started startedFunc) (Result, error) { return probedSwitchRun(obs, n, started) })
	p.SkipReason = func() string {
		if skip != nil {
			if reason := skip(); reason != "" {
				return reason
			}
		}
		return probeSkipReason()
	}
	// simkernel's switch model is fitted round trips with no timeline to
	// split (simkernel.Run refuses a probed switch spec).
	p.Sim = nil
	return p, true
}

// switchPhaseMetrics turns a switch session's per-phase sums over ops
// round trips into per-round-trip metrics.
func switchPhaseMetrics(ns []float64, ops int64) ([]Metric, error) {
	if ops <= 0 {
		return nil, fmt.Errorf("probe: the programs saw no round trip of the pair")
	}
	units := rowspec.SwitchPhaseUnits()
	var out []Metric
	for i, v := range ns {
		out = append(out, Metric{Value: v / float64(ops), Unit: units[i]})
	}
	return out, nil
}
