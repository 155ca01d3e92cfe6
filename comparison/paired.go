package comparison

import (
	"fmt"
	"math"

	"github.com/clonebench/clonebench/rowspec"
)

// PairedRow is one row of an A/B session: A[i] and B[i] are the row's
// per-op times in ns (ns/op as written) on the two sides in round i,
// measured back to back in a random order. A pair is the replicate: the
// host's drift between rounds moves both of its figures alike, and their
// ratio cancels it.
type PairedRow struct {
	Name   string
	A, B   []float64
	Unit   string // as written; "" is ns/op
	Rounds []int  // the round of each pair, for the record; may be nil
}

// ComparePaired compares the pairs of an A/B session: per row, the ratio
// B/A of each pair, its median with a distribution-free interval (the
// binomial order statistics), and Wilcoxon's signed-rank test on the log
// ratios; Benjamini–Hochberg across the rows; a row is a regression when
// it is significant after that control and its median ratio exceeds
// 1 + Threshold. old and new name the sides and carry their result files.
func ComparePaired(rows []PairedRow, old, new Side, opts Options) (*Comparison, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	c := &Comparison{Opts: opts, Kind: Paired, Old: old, New: new}
	if c.Old.Name == "" {
		c.Old.Name = "A"
	}
	if c.New.Name == "" {
		c.New.Name = "B"
	}
	conf := opts.confidence()
	t := &Table{Unit: "sec/op", OrigUnit: rowspec.UnitNsOp, Primary: true}
	rounds := 0
	for _, pr := range rows {
		if len(pr.A) != len(pr.B) {
			return nil, fmt.Errorf("%s: %d figures on side A and %d on side B: pairs need one of each", pr.Name, len(pr.A), len(pr.B))
		}
		if len(pr.A) == 0 {
			continue
		}
		if pr.Unit != "" && pr.Unit != rowspec.UnitNsOp {
			t.Unit, t.OrigUnit = pr.Unit, pr.Unit
		}
		secs := func(xs []float64) []float64 {
			out := make([]float64, len(xs))
			for i, x := range xs {
				out[i] = x
				if t.Unit == "sec/op" {
					out[i] = x / 1e9
				}
			}
			return out
		}
		a, b := secs(pr.A), secs(pr.B)
		r := &Row{
			Name:    pr.Name,
			Unit:    t.Unit,
			Old:     summary(a, conf),
			New:     summary(b, conf),
			OldRuns: len(a), NewRuns: len(b),
			MDC: math.NaN(), Spread: math.NaN(),
			Mixture: mixture(a) || mixture(b),
			P:       math.NaN(),
		}
		rounds = max(rounds, len(a))
		ratios, lr := make([]float64, 0, len(a)), make([]float64, 0, len(a))
		for i := range a {
			if a[i] > 0 && b[i] > 0 {
				ratios = append(ratios, b[i]/a[i])
				lr = append(lr, math.Log(b[i]/a[i]))
			}
		}
		r.Change, r.ChangeLo, r.ChangeHi = math.NaN(), math.Inf(-1), math.Inf(1)
		if len(ratios) > 0 {
			r.Change = median(ratios) - 1
			lo, hi := medianCI(ratios, conf)
			r.ChangeLo, r.ChangeHi = lo-1, hi-1
			r.P = signedRank(lr)
		}
		t.Rows = append(t.Rows, r)
	}
	if len(t.Rows) == 0 {
		return nil, fmt.Errorf("no pairs to compare: %w", ErrNoCommonRows)
	}
	c.Tables = []*Table{t}
	c.Method = fmt.Sprintf("paired: %d rounds, each row once on each side back to back in a random order, rows shuffled per round (RMIT); "+
		"per row the ratio B/A of each pair, Wilcoxon's signed-rank test on the log ratios, and Benjamini–Hochberg false discovery rate control at α=%g across the rows",
		rounds, opts.Alpha)
	c.Interval = fmt.Sprintf("distribution-free %g%% interval of the median pair ratio (binomial order statistics of the pairs' ratios)", conf*100)
	c.IntervalShort = fmt.Sprintf("%g%% CI of the median pair ratio", conf*100)
	c.decide()
	return c, nil
}
