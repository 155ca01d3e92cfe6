package probe

import "github.com/clonebench/clonebench/rowspec"

// Prefix starts the name of every BPF program this package loads.
const Prefix = "cb_"

// Totals is what a Session counted over its whole life.
type Totals struct {
	Ops        int64                      // ops closed with every mark
	Incomplete int64                      // ops closed without a newtask or first switch-in mark
	Children   int64                      // task_newtask events of the measuring thread
	Exits      int64                      // exit/exit_group entries of those children
	Ns         [rowspec.NumPhases]float64 // per-phase sums over the complete ops, by rowspec.Phase
	OtherNs    float64                    // the spans of incomplete ops
	// SpanNs runs from the first op's first mark to the last op's close:
	// what the phases and OtherNs sum to.
	SpanNs float64
}

// Sum is the phases' total plus OtherNs.
func (t Totals) Sum() float64 {
	s := t.OtherNs
	for _, v := range t.Ns {
		s += v
	}
	return s
}

// Loaded is one BPF program the kernel holds.
type Loaded struct {
	ID   uint32
	Name string
}
