package report

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/rowspec"
)

// styleEntry is one creation style's row with its primary figure.
type styleEntry struct {
	r *Row
	s Summary
}

// creationEntries are h's Create rows with a positive ns/op, in style order:
// what creation.png and distribution.png draw (a log axis has no zero).
func creationEntries(in *chartData) []styleEntry {
	rows := in.d.rowsOf(in.h, rowspec.Create)
	sortRows(rows, func(r *Row) int { return styleRank(r.Spec.Style) })
	var es []styleEntry
	for _, r := range rows {
		if s, ok := r.Primary(); ok && s.Median > 0 {
			es = append(es, styleEntry{r, s})
		}
	}
	return es
}

func creationSupports(in *chartData) (bool, string) {
	return len(creationEntries(in)) > 0, "no BenchmarkCreate rows with ns/op in the input"
}

func creationSimulated(in *chartData) bool {
	for _, e := range creationEntries(in) {
		if e.r.Simulated {
			return true
		}
	}
	return false
}

// creationChart draws the cost per creation by style, log scale.
func creationChart(in *chartData, sim bool) (*figure, error) {
	es := creationEntries(in)
	p := newPlot(simTitle("Creating a task: create + exit + reap/join, by style", sim), "creation style", "µs per creation (log scale)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}

	byKind := map[string][]point{}
	var names []string
	lo, hi := math.Inf(1), math.Inf(-1)
	var lxy plotter.XYs
	var ltext []string
	for i, e := range es {
		pt := ciPoint(float64(i), e.s, µs)
		k := kindOf(e.r.Spec.Style)
		byKind[k] = append(byKind[k], pt)
		names = append(names, tickName(string(e.r.Spec.Style), e.r.Simulated))
		lo = math.Min(lo, math.Min(pt.y, finiteOr(pt.lo, pt.y)))
		hi = math.Max(hi, math.Max(pt.y, finiteOr(pt.hi, pt.y)))
		lxy = append(lxy, plotter.XY{X: pt.x, Y: pt.y})
		ltext = append(ltext, fmtNs(e.s.Median))
	}
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = logRange(lo, hi)
	p.X.Min, p.X.Max = -0.6, float64(len(es))-0.4
	for i, k := range kinds {
		if len(byKind[k]) == 0 {
			continue
		}
		s, err := addCI(p, byKind[k], kindColor(k), glyphs[i])
		if err != nil {
			return nil, err
		}
		p.Legend.Add(kindLegend[k], s)
	}
	l, err := labels(lxy, ltext, 9, vg.Point{X: vg.Points(7), Y: vg.Points(-3)}, draw.XLeft)
	if err != nil {
		return nil, err
	}
	p.Add(l)
	p.Legend.Add("bar: 95% CI", ciThumb{colGrey})
	return &figure{p: p, w: 9 * vg.Inch, h: 5.5 * vg.Inch,
		caption: []string{machineCaption(in.h), methodCaption}}, nil
}
