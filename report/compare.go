package report

import (
	"errors"
	"fmt"
	"math"

	"golang.org/x/perf/benchmath"

	"github.com/clonebench/clonebench/rowspec"
)

// ErrNoCommonRows is wrapped by Compare when the two runs share no row.
var ErrNoCommonRows = errors.New("report: no rows in common")

// Delta is one row's change from an old run to a new one, in ns/op.
type Delta struct {
	Name      string
	Simulated bool
	Old, New  Summary
	// Pct is the change of the median in percent: (new/old − 1)·100.
	// PctLo and PctHi bound it from the two confidence intervals
	// (new.Lo/old.Hi, new.Hi/old.Lo): conservative, and ±Inf when either
	// interval is unknown.
	Pct, PctLo, PctHi float64
	// P is the Mann-Whitney U test's p-value (benchmath.AssumeNothing,
	// as benchstat), Alpha the level it is held to.
	P, Alpha float64
	// Significant is P < Alpha. Regression and Improvement are
	// significant changes larger than the threshold (slower, faster).
	Significant, Regression, Improvement bool
	Warnings                             []string
}

// Compare pairs the ns/op rows of old and new by name (on each input's
// first machine, real and simulated rows kept apart) and tests each pair.
// alpha is the U test's level (e.g. 0.05), threshold the smallest change
// that counts as a regression or improvement (0.05 = 5%). Deltas follow
// new's row order.
func Compare(old, new *Data, alpha, threshold float64) ([]Delta, error) {
	if old == nil || new == nil {
		return nil, fmt.Errorf("report: compare: missing input: %w", ErrNoResults)
	}
	if !(alpha > 0 && alpha < 1) {
		return nil, fmt.Errorf("report: compare: alpha %v must be in range (0, 1)", alpha)
	}
	if threshold < 0 || math.IsNaN(threshold) {
		return nil, fmt.Errorf("report: compare: threshold %v must be ≥ 0", threshold)
	}
	oh, nh := old.primary(), new.primary()
	// A known row pairs by its canonical name, so a baseline stored before
	// creation rows had cpu= pairs with today's cpu=any rows, as in
	// runbench compare.
	canon := func(r *Row) string {
		if r.Known {
			return r.Spec.Canonical().String()
		}
		return r.Name
	}
	olds := map[rowKey]*Row{}
	for _, r := range old.Rows {
		if r.Host == oh {
			olds[rowKey{"", canon(r), r.Simulated}] = r
		}
	}
	th := benchmath.Thresholds{CompareAlpha: alpha}
	var out []Delta
	for _, r := range new.Rows {
		if r.Host != nh {
			continue
		}
		o := olds[rowKey{"", canon(r), r.Simulated}]
		if o == nil {
			continue
		}
		os, ok1 := o.Primary()
		ns, ok2 := r.Primary()
		if !ok1 || !ok2 {
			continue
		}
		d := Delta{Name: r.Name, Simulated: r.Simulated, Old: os, New: ns, Alpha: alpha}
		s1 := benchmath.NewSample(append([]float64(nil), o.Values[rowspec.UnitNsOp]...), &th)
		s2 := benchmath.NewSample(append([]float64(nil), r.Values[rowspec.UnitNsOp]...), &th)
		c := benchmath.AssumeNothing.Compare(s1, s2)
		d.P = c.P
		for _, w := range c.Warnings {
			d.Warnings = append(d.Warnings, w.Error())
		}
		if os.Median > 0 {
			d.Pct = (ns.Median/os.Median - 1) * 100
			d.PctLo, d.PctHi = math.Inf(-1), math.Inf(1)
			if os.CIKnown() && ns.CIKnown() && os.Lo > 0 {
				d.PctLo = (ns.Lo/os.Hi - 1) * 100
				d.PctHi = (ns.Hi/os.Lo - 1) * 100
			}
		}
		d.Significant = c.P < alpha
		d.Regression = d.Significant && d.Pct > threshold*100
		d.Improvement = d.Significant && d.Pct < -threshold*100
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("report: compare %s with %s: %w", fileList(old), fileList(new), ErrNoCommonRows)
	}
	return out, nil
}

func fileList(d *Data) string {
	switch len(d.Files) {
	case 0:
		return "(no files)"
	case 1:
		return d.Files[0]
	}
	return fmt.Sprintf("%s and %d more", d.Files[0], len(d.Files)-1)
}
