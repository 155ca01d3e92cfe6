package report

import (
	"errors"
	"fmt"
	"math"

	"github.com/montanaflynn/stats"
	"golang.org/x/perf/benchmath"

	"github.com/clonebench/clonebench/rowspec"
)

// Confidence is the level of every interval the report shows.
const Confidence = 0.95

// Summary is one row's figure for one unit.
type Summary struct {
	Unit string
	// Median and its confidence interval [Lo, Hi] at Confidence, from
	// benchmath.AssumeNothing (as benchstat). Lo and Hi are ±Inf when
	// there are too few samples (fewer than 6 at 95%).
	Median, Lo, Hi float64
	// P50 and P99 are the medians over samples of the row's per-op
	// percentiles (p50-ns, p99-ns), NaN when the row does not report them.
	P50, P99 float64
	N        int
	Warnings []string
}

// CIKnown reports whether the interval is finite.
func (s Summary) CIKnown() bool { return !math.IsInf(s.Lo, 0) && !math.IsInf(s.Hi, 0) }

// Summary summarises the row's samples of unit; ok is false when the row has
// none.
func (r *Row) Summary(unit string) (s Summary, ok bool) {
	vs := r.Values[unit]
	if len(vs) == 0 {
		return Summary{}, false
	}
	sample := benchmath.NewSample(append([]float64(nil), vs...), &benchmath.DefaultThresholds)
	sum := benchmath.AssumeNothing.Summary(sample, Confidence)
	s = Summary{Unit: unit, Median: sum.Center, Lo: sum.Lo, Hi: sum.Hi, N: len(vs), P50: math.NaN(), P99: math.NaN()}
	for _, w := range sum.Warnings {
		s.Warnings = append(s.Warnings, w.Error())
	}
	if unit == rowspec.UnitNsOp {
		s.P50 = medianOf(r.Values[rowspec.UnitP50])
		s.P99 = medianOf(r.Values[rowspec.UnitP99])
	}
	return s, true
}

// Primary is the row's ns/op summary (sim-ns/op for a simulated row).
func (r *Row) Primary() (Summary, bool) { return r.Summary(rowspec.UnitNsOp) }

func medianOf(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	m, err := stats.Median(vs)
	if err != nil {
		return math.NaN()
	}
	return m
}

// errFit is returned by fitSlope when the points cannot give a line.
var errFit = errors.New("report: need samples at two or more x values for a fit")

// fitSlope fits y = a + b·x by least squares (montanaflynn/stats) and
// returns the intercept a and slope b.
func fitSlope(xs, ys []float64) (a, b float64, err error) {
	if len(xs) != len(ys) {
		return 0, 0, fmt.Errorf("report: fit: %d x values, %d y values", len(xs), len(ys))
	}
	var series stats.Series
	distinct := map[float64]bool{}
	for i := range xs {
		series = append(series, stats.Coordinate{X: xs[i], Y: ys[i]})
		distinct[xs[i]] = true
	}
	if len(distinct) < 2 {
		return 0, 0, errFit
	}
	fit, err := stats.LinearRegression(series)
	if err != nil {
		return 0, 0, fmt.Errorf("report: fit: %w", err)
	}
	// LinearRegression returns the fitted points; two with different x
	// give the line.
	i, j := 0, 0
	for k := range fit {
		if fit[k].X < fit[i].X {
			i = k
		}
		if fit[k].X > fit[j].X {
			j = k
		}
	}
	b = (fit[j].Y - fit[i].Y) / (fit[j].X - fit[i].X)
	a = fit[i].Y - b*fit[i].X
	return a, b, nil
}
