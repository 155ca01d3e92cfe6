package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/rowspec"
)

// distributionChart draws, for each creation style, the spread of its
// per-sample ns/op (box) and the per-op p50 and p99 inside each sample, all
// relative to the style's median, so styles four decades apart share one
// readable axis.
func distributionChart(in *chartData, sim bool) (*figure, error) {
	use := creationEntries(in)
	main := placementsOf(entryRows(use))[0]
	p := newPlot(simTitle("Creation latency spread by style, "+placementWords(entryRows(use)), sim), "creation style (median per creation)", "× the style's median")
	lo, hi := 1.0, 1.0
	var names []string
	var p50s, p99s plotter.XYs
	for i, e := range use {
		r, med := e.r, e.s.Median
		names = append(names, entryTick(e, main)+"\n"+fmtNs(med))
		var vs plotter.Values
		for _, v := range r.Values[rowspec.UnitNsOp] {
			vs = append(vs, v/med)
			lo, hi = math.Min(lo, v/med), math.Max(hi, v/med)
		}
		b, err := plotter.NewBoxPlot(vg.Points(22), float64(i)-0.13, vs)
		if err != nil {
			return nil, err
		}
		c := kindColor(kindOf(r.Spec.Style))
		b.FillColor = lighten(c)
		b.BoxStyle.Color = c
		b.MedianStyle.Color = color.Black
		b.MedianStyle.Width = vg.Points(1.5)
		b.WhiskerStyle.Color = c
		b.GlyphStyle.Color = c
		p.Add(b)
		for _, pv := range []struct {
			unit string
			xys  *plotter.XYs
		}{{rowspec.UnitP50, &p50s}, {rowspec.UnitP99, &p99s}} {
			for _, v := range r.Values[pv.unit] {
				*pv.xys = append(*pv.xys, plotter.XY{X: float64(i) + 0.2, Y: v / med})
				lo, hi = math.Min(lo, v/med), math.Max(hi, v/med)
			}
		}
	}
	one, err := plotter.NewLine(plotter.XYs{{X: -0.6, Y: 1}, {X: float64(len(use)) - 0.4, Y: 1}})
	if err != nil {
		return nil, err
	}
	one.Color = colGrey
	one.Dashes = dashes[2]
	p.Add(one)
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(use))-0.4
	p.Y.Min, p.Y.Max = math.Max(0, math.Min(0.9, lo-0.05*(hi-lo))), hi+0.05*(hi-lo)
	p.Legend.Add("ns/op of each sample", boxThumb{})
	p.Legend.Add("  (box: quartiles, line: median,", noThumb{})
	p.Legend.Add("  whiskers: 1.5 IQR)", noThumb{})
	for _, m := range []struct {
		xys   plotter.XYs
		name  string
		glyph draw.GlyphDrawer
		c     color.Color
	}{{p50s, "per-op p50 of each sample", draw.RingGlyph{}, color.Black}, {p99s, "per-op p99 of each sample", draw.CrossGlyph{}, colRegress}} {
		if len(m.xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(m.xys)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: m.c, Radius: vg.Points(3), Shape: m.glyph}
		p.Add(s)
		p.Legend.Add(m.name, s)
	}
	p.Legend.Add("1 = the style's median", one)
	return &figure{p: p, w: 10 * vg.Inch, h: 5.5 * vg.Inch, placement: placementWords(entryRows(use)),
		caption: []string{machineCaption(in.h), "box: spread of the per-sample means (run-to-run noise); markers: the tail inside each sample (p50-ns, p99-ns of single-op timings); absolute costs in creation.png"}}, nil
}
