package workloads

import (
	"fmt"

	"github.com/clonebench/clonebench/rowspec"
)

// Probed switch rows: the twin of a raw-clone Switch or SwitchLibc row at
// cpu=same (rowspec refuses the others), run with package probe's switch
// programs following the two partners from their creation (the programs
// note the creating thread's first two clones with the row's flags; the
// started callback checks they are the row's partners), and reporting
// each phase of the round trip as PHASE-ns/op (rowspec.SwitchPhaseUnits)
// over exactly the initiator's timed interval: the programs add up only
// between its getrusage at the timer's start and its clock_gettime at
// the end, so the warm-up, the partners' exits and the overhead task are
// outside the sums, and the phases divided by the loop's N sum to its
// ns/op.
func probedSwitch(r Row) (Row, bool) {
	p := r
	p.Spec.Probe = rowspec.ProbeSched
	if _, err := rowspec.Parse(p.Spec.String()); err != nil {
		return Row{}, false
	}
	p.Name = p.Spec.String()
	p.Doc += "; with BPF programs on sys_enter, sched_waking and sched_switch following both partners, splitting each round trip into phases (PHASE-ns/op)"
	obs, skip, mode := r.observed, r.SkipReason, r.Spec.Mode
	p = observedRow(p, func(n int, started startedFunc) (Result, error) { return probedSwitchRun(mode, obs, n, started) })
	p.SkipReason = probedSkip(skip)
	// simkernel's switch model is fitted round trips with no timeline to
	// split (simkernel.Run refuses a probed switch spec).
	p.Sim = nil
	return p, true
}

// switchPhaseMetrics turns a switch session's per-phase sums over ops
// round trips into per-round-trip metrics.
func switchPhaseMetrics(ns [rowspec.NumSwitchPhases]float64, ops int64) ([]Metric, error) {
	if ops <= 0 {
		return nil, fmt.Errorf("probe: the programs saw no round trip of the pair")
	}
	var out []Metric
	for _, p := range rowspec.SwitchPhases() {
		out = append(out, Metric{Value: ns[p] / float64(ops), Unit: p.Unit()})
	}
	return out, nil
}
