package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/comparison"
)

func compareSupports(in *chartData) (bool, string) {
	switch {
	case in.cmp == nil:
		return false, "no baseline given"
	case in.cmp.Verdict == comparison.Incomparable:
		return false, in.cmp.Reason
	case in.cmp.Primary() == nil || len(in.cmp.Primary().Rows) == 0:
		return false, "no rows in common with the baseline"
	}
	return true, ""
}

// compareSimulated reports whether every row compared is simulated: each
// simulated row is marked on its own, and the chart as a
// whole only when all are.
func compareSimulated(in *chartData) bool {
	rows := in.cmp.Primary().Rows
	for _, r := range rows {
		if !r.Simulated {
			return false
		}
	}
	return len(rows) > 0
}

// compareChart draws the % change per primary row against the baseline,
// each marked with the class the comparison gave it.
func compareChart(in *chartData, sim bool) (*figure, error) {
	c := in.cmp
	rows, threshold := c.Primary().Rows, c.Opts.Threshold
	n := len(rows)
	p := newPlot(simTitle("Change against the baseline (median, ns/op)", sim), "% change of the median (negative = faster)", "")
	var names []string
	type placed struct {
		*comparison.Row
		y float64
	}
	groups := map[comparison.Class][]placed{}
	lo, hi := -threshold*100, threshold*100
	for i := range rows {
		r := rows[n-1-i] // first row on top
		names = append(names, simName(r.Name, r.Simulated))
		groups[r.Class] = append(groups[r.Class], placed{r, float64(i)})
		lo = math.Min(lo, finiteOr(r.ChangeLo*100, r.Change*100))
		hi = math.Max(hi, finiteOr(r.ChangeHi*100, r.Change*100))
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
		k     comparison.Class
		c     color.Color
		glyph draw.GlyphDrawer
	}{
		{comparison.Regression, colRegress, draw.PyramidGlyph{}},
		{comparison.Improvement, colImprove, draw.BoxGlyph{}},
		{comparison.WithinThreshold, colThread, draw.RingGlyph{}},
		{comparison.NotSignificant, colGrey, draw.CircleGlyph{}},
	} {
		ds := groups[g.k]
		if len(ds) == 0 {
			continue
		}
		var xys plotter.XYs
		var bars ciXs
		for _, r := range ds {
			pct := r.Change * 100
			xys = append(xys, plotter.XY{X: pct, Y: r.y})
			if !math.IsInf(r.ChangeLo, 0) && !math.IsInf(r.ChangeHi, 0) {
				bars.XYs = append(bars.XYs, plotter.XY{X: pct, Y: r.y})
				bars.XErrors = append(bars.XErrors, struct{ Low, High float64 }{pct - r.ChangeLo*100, r.ChangeHi*100 - pct})
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
		p.Legend.Add(g.k.Legend(threshold), s)
	}
	p.Legend.Add("bar: "+c.IntervalShort, ciThumb{colGrey})
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	p.Y.Label.Text = ""
	h := vg.Length(n)*vg.Points(15) + 3*vg.Inch
	capt := []string{"baseline: " + c.Old.Machine.Caption(), "this run: " + c.New.Machine.Caption(), c.Method + "; CI bar: " + c.Interval}
	return &figure{p: p, w: 11 * vg.Inch, h: h, caption: capt, legendBelow: true}, nil
}
