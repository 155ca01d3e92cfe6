package workloads

import (
	"fmt"

	"github.com/clonebench/clonebench/rowspec"
)

// Probed rows: the twin of a raw creation row, run with package probe's
// BPF programs attached to the measuring thread and its children, named
// with /probe=sched and reporting each phase of the op as PHASE-ns/op
// beside its own ns/op. They are not in the catalogue (a user who never
// probes never runs them); runbench run -probe and CLONEBENCH_PROBE=sched
// under go test add them after each plain row.

// Probed returns r's probed twin, and false for a row that has none: only
// raw-clone creation rows, whose op loop runs on one thread the programs
// can follow, and the cpu=same raw ping-pong switch rows (probedSwitch).
func Probed(r Row) (Row, bool) {
	if r.Spec.Probe == "" && r.observed != nil && (r.Family() == rowspec.Switch || r.Family() == rowspec.SwitchLibc) {
		return probedSwitch(r)
	}
	if r.raw == nil || !r.Family().Probed() || r.Spec.Probe != "" {
		return Row{}, false
	}
	p := r
	p.Spec.Probe = rowspec.ProbeSched
	p.Name = p.Spec.String()
	p.Doc += "; with BPF programs on the sched and raw_syscalls tracepoints splitting each op into phases (PHASE-ns/op)"
	run, skip := r.Run, r.SkipReason
	p.Run = func(n int) (Result, error) { return probedRun(run, n) }
	p.SkipReason = probedSkip(skip)
	p.Sim = nil
	if r.Sim != nil {
		spec := p.Spec
		p.Sim = func(n int) (Result, error) { return runSim(spec, n) }
	}
	return p, true
}

// probedSkip is a twin's skip reason: its plain row's (skip, if any),
// else why BPF cannot run here.
func probedSkip(skip func() string) func() string {
	return func() string {
		if skip != nil {
			if reason := skip(); reason != "" {
				return reason
			}
		}
		return probeSkipReason()
	}
}

// WithProbes is rows with each row's probed twin right after it, so a run
// that takes samples round-robin alternates plain and probed.
func WithProbes(rows []Row) []Row {
	var out []Row
	for _, r := range rows {
		out = append(out, r)
		if p, ok := Probed(r); ok {
			out = append(out, p)
		}
	}
	return out
}

// ProbeEnv is the environment variable that makes go test -bench run each
// raw creation row's probed twin after it: CLONEBENCH_PROBE=sched.
const ProbeEnv = "CLONEBENCH_PROBE"

// ProbeSetting reads ProbeEnv's value: whether to add probed twins, or an
// error naming the variable for a value it does not know.
func ProbeSetting(v string) (bool, error) {
	switch v {
	case "":
		return false, nil
	case rowspec.ProbeSched:
		return true, nil
	}
	return false, fmt.Errorf("%s=%q: want %s or unset", ProbeEnv, v, rowspec.ProbeSched)
}

// phaseMetrics turns a session's per-phase sums into per-op metrics.
func phaseMetrics(ns [rowspec.NumPhases]float64, other float64, n int) []Metric {
	var out []Metric
	for _, p := range rowspec.Phases() {
		out = append(out, Metric{Value: ns[p] / float64(n), Unit: p.Unit()})
	}
	if other > 0 {
		out = append(out, Metric{Value: other / float64(n), Unit: rowspec.UnitOtherNsOp})
	}
	return out
}
