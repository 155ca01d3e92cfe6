package probe

import "github.com/clonebench/clonebench/rowspec"

// SwitchTotals is what a SwitchSession counted over its whole life.
type SwitchTotals struct {
	// Timed is whether the programs saw the initiator's whole timed
	// interval: its getrusage at the start and its clock_gettime at the
	// end. The sums are of that interval only.
	Timed    bool
	Events   int64                            // tracked events (marks) in the interval
	Partners int64                            // tasks the programs followed: 2 for a pair
	Ns       [rowspec.NumSwitchPhases]float64 // per-phase sums over the interval, by rowspec.SwitchPhase
	// SpanNs is the interval, from the getrusage entry to the
	// clock_gettime entry: what the phases sum to, exactly, since every
	// interval between two marks goes to one phase.
	SpanNs float64
}

// Sum is the phases' total.
func (t SwitchTotals) Sum() float64 {
	var s float64
	for _, v := range t.Ns {
		s += v
	}
	return s
}
