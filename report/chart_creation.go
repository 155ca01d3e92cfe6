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

// creationEntries are h's Create rows with a positive ns/op, one per style
// at its most preferred placement (placed), in style order: what
// creation.png and distribution.png draw (a log axis has no zero).
func creationEntries(in *chartData) []styleEntry {
	var rows []*Row
	for _, r := range in.d.rowsOf(in.h, rowspec.Create) {
		if s, ok := r.Primary(); ok && s.Median > 0 {
			rows = append(rows, r)
		}
	}
	rows = placed(rows, func(r *Row) string { return string(r.Spec.Style) })
	sortRows(rows, func(r *Row) int { return styleRank(r.Spec.Style) })
	var es []styleEntry
	for _, r := range rows {
		if s, ok := r.Primary(); ok && s.Median > 0 {
			es = append(es, styleEntry{r, s})
		}
	}
	return es
}

// entryRows are es's rows.
func entryRows(es []styleEntry) []*Row {
	rows := make([]*Row, len(es))
	for i, e := range es {
		rows[i] = e.r
	}
	return rows
}

// offPlacement reports whether e is drawn at another placement than the
// chart's main one, so its marker and tick say so.
func offPlacement(e styleEntry, main placement) bool { return placementOf(e.r) != main }

// entryTick is e's tick label: the style, and its placement when it is not
// the chart's main one (goroutine and spawn have no cpu=same rows).
func entryTick(e styleEntry, main placement) string {
	t := tickName(string(e.r.Spec.Style), e.r.Simulated)
	if offPlacement(e, main) {
		t += "\n(cpu=" + placementOf(e.r).short() + ")"
	}
	return t
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

// creationChart draws the cost per creation by style, log scale, each
// style at its most preferred placement: plain markers at the chart's main
// placement (cpu=same when the data has it), ringed ones for styles only
// measured elsewhere, so the eye does not read a placement's cost as a
// style's.
func creationChart(in *chartData, sim bool) (*figure, error) {
	es := creationEntries(in)
	ps := placementsOf(entryRows(es))
	main := ps[0]
	title := "Creating a task: create + exit + reap/join, by style, " + main.String()
	if len(ps) > 1 {
		title += " (ringed: " + ps[1].String() + ")"
	}
	p := newPlot(simTitle(title, sim), "creation style", "µs per creation (log scale)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}

	type series struct {
		kind string
		off  bool
	}
	by := map[series][]point{}
	var names []string
	lo, hi := math.Inf(1), math.Inf(-1)
	var lxy plotter.XYs
	var ltext []string
	for i, e := range es {
		pt := ciPoint(float64(i), e.s, µs)
		k := series{kindOf(e.r.Spec.Style), offPlacement(e, main)}
		by[k] = append(by[k], pt)
		names = append(names, entryTick(e, main))
		lo = math.Min(lo, math.Min(pt.y, finiteOr(pt.lo, pt.y)))
		hi = math.Max(hi, math.Max(pt.y, finiteOr(pt.hi, pt.y)))
		lxy = append(lxy, plotter.XY{X: pt.x, Y: pt.y})
		ltext = append(ltext, fmtNs(e.s.Median))
	}
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = logRange(lo, hi)
	p.X.Min, p.X.Max = -0.6, float64(len(es))-0.4
	for i, k := range kinds {
		var plain *plotter.Scatter
		for _, off := range []bool{false, true} {
			pts := by[series{k, off}]
			if len(pts) == 0 {
				continue
			}
			g := glyphs[i]
			if off {
				g = ringedGlyph{g}
			}
			s, err := addCI(p, pts, kindColor(k), g)
			if err != nil {
				return nil, err
			}
			if plain == nil {
				// The legend shows the kind's plain marker; the
				// ring has its own entry.
				cp := *s
				cp.GlyphStyle.Shape = glyphs[i]
				plain = &cp
			}
		}
		if plain != nil {
			p.Legend.Add(kindLegend[k], plain)
		}
	}
	l, err := labels(lxy, ltext, 9, vg.Point{X: vg.Points(7), Y: vg.Points(-3)}, draw.XLeft)
	if err != nil {
		return nil, err
	}
	p.Add(l)
	p.Legend.Add("bar: 95% CI", ciThumb{colGrey})
	capt := []string{machineCaption(in.h), methodCaption}
	if len(ps) > 1 {
		capt = append(capt, "plain markers: "+main.String()+"; ringed markers: styles the input has no "+main.String()+" row for, drawn at "+ps[1].String())
		ringed, err := plotter.NewScatter(plotter.XYs{{}})
		if err != nil {
			return nil, err
		}
		ringed.GlyphStyle = draw.GlyphStyle{Color: colGrey, Radius: vg.Points(4), Shape: ringedGlyph{draw.CircleGlyph{}}}
		p.Legend.Add("ringed: "+ps[1].String(), ringed)
	}
	return &figure{p: p, w: 9 * vg.Inch, h: 5.5 * vg.Inch, placement: placementWords(entryRows(es)),
		caption: capt}, nil
}

// ringedGlyph draws its glyph inside a ring. Some of the kinds' glyphs are
// outlines already, so a hollow form would not tell the placements apart;
// a ring does for every shape.
type ringedGlyph struct{ g draw.GlyphDrawer }

func (r ringedGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r.g.DrawGlyph(c, sty, pt)
	ring := sty
	ring.Radius = sty.Radius * 1.9
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1)})
	draw.RingGlyph{}.DrawGlyph(c, ring, pt)
}
