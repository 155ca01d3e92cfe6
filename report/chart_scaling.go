package report

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/rowspec"
)

// parSeries is one style's CreatePar rows, fewest creators first.
type parSeries struct {
	style rowspec.Style
	sim   bool
	rows  []*Row
}

// parSweep is h's CreatePar rows with ns/op, one series per style.
func (d *Data) parSweep(h *Host) []*parSeries {
	idx := map[rowspec.Style]*parSeries{}
	var out []*parSeries
	for _, r := range d.rowsOf(h, rowspec.CreatePar) {
		if _, ok := r.Primary(); !ok {
			continue
		}
		se := idx[r.Spec.Style]
		if se == nil {
			se = &parSeries{style: r.Spec.Style}
			idx[r.Spec.Style] = se
			out = append(out, se)
		}
		se.sim = se.sim || r.Simulated
		se.rows = append(se.rows, r)
	}
	for _, se := range out {
		sort.SliceStable(se.rows, func(i, j int) bool { return se.rows[i].Spec.Par < se.rows[j].Spec.Par })
	}
	sort.SliceStable(out, func(i, j int) bool { return styleRank(out[i].style) < styleRank(out[j].style) })
	return out
}

func scalingSupports(in *chartData) (bool, string) {
	return len(in.d.parSweep(in.h)) > 0, "no BenchmarkCreatePar rows with ns/op in the input"
}

func scalingSimulated(in *chartData) bool {
	for _, se := range in.d.parSweep(in.h) {
		if se.sim {
			return true
		}
	}
	return false
}

// scalingChart draws the per-creator cost against the number of creators
// on log axes: a kernel path that scales keeps each creator's cost flat
// (the dotted line at the fewest creators' cost); contention bends it up.
func scalingChart(in *chartData, sim bool) (*figure, error) {
	series := in.d.parSweep(in.h)
	p := newPlot(simTitle("Creation with several creators at once", sim), "creators at once (par, each on its own CPU; log scale)", "µs per create + exit + reap/join, per creator (log scale)")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = parTicks{}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	minX, maxX := math.Inf(1), math.Inf(-1)
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, se := range series {
		c := kindColor(kindOf(se.style))
		if se.style == rowspec.StyleVfork {
			c = colOther
		}
		var pts []point
		for _, r := range se.rows {
			s, _ := r.Primary()
			pt := ciPoint(float64(r.Spec.Par), s, µs)
			pts = append(pts, pt)
			minX, maxX = math.Min(minX, pt.x), math.Max(maxX, pt.x)
			maxY = math.Max(maxY, finiteOr(pt.hi, pt.y))
			minY = math.Min(minY, math.Max(finiteOr(pt.lo, pt.y), pt.y/2))
		}
		var xys plotter.XYs
		for _, pt := range pts {
			xys = append(xys, plotter.XY{X: pt.x, Y: pt.y})
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.Color, line.Width, line.Dashes = c, vg.Points(1.5), dashes[0]
		p.Add(line)
		g := draw.GlyphDrawer(draw.CircleGlyph{})
		if se.style.Kind() == "thread" {
			g = draw.TriangleGlyph{}
		}
		sc, err := addCI(p, pts, c, g)
		if err != nil {
			return nil, err
		}
		p.Legend.Add(simName(fmt.Sprintf("%s (%s)", se.style, se.style.Kind()), se.sim), sc, line)
		// The ideal: every creator as cheap as the fewest creators were.
		if len(pts) > 1 {
			ideal, err := plotter.NewLine(plotter.XYs{{X: pts[0].x, Y: pts[0].y}, {X: pts[len(pts)-1].x, Y: pts[0].y}})
			if err != nil {
				return nil, err
			}
			ideal.Color, ideal.Width, ideal.Dashes = c, vg.Points(0.8), []vg.Length{vg.Points(2), vg.Points(3)}
			p.Add(ideal)
		}
	}
	if maxX <= minX {
		maxX = minX * 2
	}
	p.X.Min, p.X.Max = minX/1.3, maxX*1.3
	p.Y.Min, p.Y.Max = logRange(minY, maxY)
	p.Legend.Add("dotted: ideal, flat at the fewest creators' cost", noThumb{})
	return &figure{p: p, w: 9 * vg.Inch, h: 5.5 * vg.Inch,
		caption: []string{machineCaption(in.h), "each creator pinned to its own CPU in topology order, all timed over the window every one ran; process (circles) against thread (triangles); " + methodCaption}}, nil
}

// parTicks labels the powers of two a par axis holds.
type parTicks struct{}

func (parTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for v := 1.0; v <= max*1.0001; v *= 2 {
		if v >= min {
			out = append(out, plot.Tick{Value: v, Label: fmt.Sprint(v)})
		}
	}
	return out
}
