package comparison

import (
	"math"
)

// Ratio is a ratio measured as pairs: the median of the pairs' ratios
// num[i]/den[i] and its distribution-free interval.
type Ratio struct {
	Median float64
	// Lo and Hi bound Median at the confidence asked for, from the
	// binomial order statistics of the pair ratios (as ComparePaired);
	// ±Inf when there are too few pairs for that level (fewer than 6 at
	// 95%).
	Lo, Hi float64
	N      int // pairs with both figures positive
}

// CIKnown reports whether the interval is finite.
func (r Ratio) CIKnown() bool { return !math.IsInf(r.Lo, 0) && !math.IsInf(r.Hi, 0) }

// HalfWidth is the interval's larger half as a fraction of the median
// (0.02 is ±2%), +Inf when the interval is unknown.
func (r Ratio) HalfWidth() float64 {
	if !r.CIKnown() || r.Median <= 0 {
		return math.Inf(1)
	}
	return math.Max(r.Hi-r.Median, r.Median-r.Lo) / r.Median
}

// PairRatio is the ratio of two rows measured back to back: num[i] and
// den[i] are one pair. Pairs with a figure that is not positive are left
// out. conf is the interval's level, e.g. 0.95.
func PairRatio(num, den []float64, conf float64) Ratio {
	var rs []float64
	for i := range min(len(num), len(den)) {
		if num[i] > 0 && den[i] > 0 {
			rs = append(rs, num[i]/den[i])
		}
	}
	r := Ratio{Median: math.NaN(), Lo: math.Inf(-1), Hi: math.Inf(1), N: len(rs)}
	if len(rs) > 0 {
		r.Median = median(rs)
		r.Lo, r.Hi = medianCI(rs, conf)
	}
	return r
}

// RoundFactors is the host's factor in each round of a run: the geometric
// mean, over the samples taken in that round, of each sample's value over
// its row's median across the run. rounds[i] holds round i's samples as
// (row, value); rows are any comparable key. A round whose samples all sit
// at their rows' medians has factor 1; a host slower by 10% for a round
// makes it about 1.1. A round without samples is NaN.
func RoundFactors[K comparable](rounds [][]RoundSample[K]) []float64 {
	byRow := map[K][]float64{}
	for _, r := range rounds {
		for _, s := range r {
			if s.Value > 0 {
				byRow[s.Row] = append(byRow[s.Row], s.Value)
			}
		}
	}
	med := map[K]float64{}
	for k, vs := range byRow {
		med[k] = median(vs)
	}
	out := make([]float64, len(rounds))
	for i, r := range rounds {
		var sum float64
		n := 0
		for _, s := range r {
			if m := med[s.Row]; s.Value > 0 && m > 0 {
				sum += math.Log(s.Value / m)
				n++
			}
		}
		out[i] = math.NaN()
		if n > 0 {
			out[i] = math.Exp(sum / float64(n))
		}
	}
	return out
}

// RoundSample is one sample of a round, for RoundFactors.
type RoundSample[K comparable] struct {
	Row   K
	Value float64
}
