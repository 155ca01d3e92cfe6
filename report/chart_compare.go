package report

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func compareSupports(in *chartData) (bool, string) {
	switch {
	case in.base == nil:
		return false, "no baseline given"
	case in.cmpErr != nil:
		return false, in.cmpErr.Error()
	case len(in.deltas) == 0:
		return false, "no rows in common with the baseline"
	}
	return true, ""
}

// compareSimulated reports whether every row compared is simulated: each
// simulated row is marked on its own, and the chart as a
// whole only when all are.
func compareSimulated(in *chartData) bool {
	for _, dl := range in.deltas {
		if !dl.Simulated {
			return false
		}
	}
	return len(in.deltas) > 0
}

// compareChart draws the % change per row against the baseline.
func compareChart(in *chartData, sim bool) (*figure, error) {
	deltas, threshold := in.deltas, in.threshold
	n := len(deltas)
	p := newPlot(simTitle("Change against the baseline (median, ns/op)", sim), "% change of the median (negative = faster)", "")
	var names []string
	type placed struct {
		Delta
		y float64
	}
	groups := map[string][]placed{}
	lo, hi := -threshold*100, threshold*100
	for i := range deltas {
		dl := deltas[n-1-i] // first row on top
		names = append(names, simName(strings.TrimPrefix(dl.Name, "Benchmark"), dl.Simulated))
		k := "same"
		switch {
		case dl.Regression:
			k = "regression"
		case dl.Improvement:
			k = "improvement"
		case dl.Significant:
			k = "small"
		}
		groups[k] = append(groups[k], placed{dl, float64(i)})
		lo = math.Min(lo, finiteOr(dl.PctLo, dl.Pct))
		hi = math.Max(hi, finiteOr(dl.PctHi, dl.Pct))
	}
	p.NominalY(names...)
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	span := hi - lo
	p.X.Min, p.X.Max = lo-span*0.05, hi+span*0.05
	for _, x := range []float64{0, -threshold * 100, threshold * 100} {
		l, err := plotter.NewLine(plotter.XYs{{X: x, Y: -0.6}, {X: x, Y: float64(n) - 0.4}})
		if err != nil {
			return nil, err
		}
		l.Color = colGrey
		if x != 0 {
			l.Dashes = dashes[2]
		} else {
			l.Width = vg.Points(1)
		}
		p.Add(l)
	}
	for _, g := range []struct {
		k, name string
		c       color.Color
		glyph   draw.GlyphDrawer
	}{
		{"regression", fmt.Sprintf("regression (p < α, slower by > %.0f%%)", threshold*100), colRegress, draw.PyramidGlyph{}},
		{"improvement", fmt.Sprintf("improvement (p < α, faster by > %.0f%%)", threshold*100), colImprove, draw.BoxGlyph{}},
		{"small", "significant, within threshold", colThread, draw.RingGlyph{}},
		{"same", "no significant change (~)", colGrey, draw.CircleGlyph{}},
	} {
		ds := groups[g.k]
		if len(ds) == 0 {
			continue
		}
		var xys plotter.XYs
		var bars ciXs
		for _, dl := range ds {
			xys = append(xys, plotter.XY{X: dl.Pct, Y: dl.y})
			if !math.IsInf(dl.PctLo, 0) && !math.IsInf(dl.PctHi, 0) {
				bars.XYs = append(bars.XYs, plotter.XY{X: dl.Pct, Y: dl.y})
				bars.XErrors = append(bars.XErrors, struct{ Low, High float64 }{dl.Pct - dl.PctLo, dl.PctHi - dl.Pct})
			}
		}
		if len(bars.XYs) > 0 {
			eb, err := plotter.NewXErrorBars(bars)
			if err != nil {
				return nil, err
			}
			eb.LineStyle.Color = g.c
			eb.LineStyle.Width = vg.Points(1.2)
			eb.CapWidth = vg.Points(6)
			p.Add(eb)
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: g.c, Radius: vg.Points(4), Shape: g.glyph}
		p.Add(s)
		p.Legend.Add(g.name, s)
	}
	p.Legend.Add("bar: range from both 95% CIs", ciThumb{colGrey})
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	p.Y.Label.Text = ""
	h := vg.Length(n)*vg.Points(15) + 3*vg.Inch
	capt := []string{"baseline: " + machineCaption(in.base.primary()), "this run: " + machineCaption(in.h),
		"Mann-Whitney U test (benchmath); CI bar: new CI ÷ old CI, a conservative range"}
	return &figure{p: p, w: 11 * vg.Inch, h: h, caption: capt, legendBelow: true}, nil
}
