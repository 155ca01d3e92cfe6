package report

import (
	"image/color"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/rowspec"
)

// wsLine is one mechanism and mode of the working-set sweep.
type wsLine struct {
	mech rowspec.Mech
	mode rowspec.Mode
	sim  bool
	rows []*Row
}

// wsSweep is h's Switch rows at cpu=same, process or thread, grouped into
// lines; a mechanism measured at one size only is no line (switch.png shows
// it). sizes are every size the lines hold, ascending.
func (d *Data) wsSweep(h *Host) (lines []*wsLine, sizes []rowspec.Size) {
	type key struct {
		mech rowspec.Mech
		mode rowspec.Mode
		sim  bool
	}
	idx := map[key]*wsLine{}
	var all []*wsLine
	for _, r := range d.rowsOf(h, rowspec.Switch) {
		if r.Spec.CPU != rowspec.CPUSame || (r.Spec.Mode != rowspec.ModeProcess && r.Spec.Mode != rowspec.ModeThread) {
			continue
		}
		k := key{r.Spec.Mech, r.Spec.Mode, r.Simulated}
		l := idx[k]
		if l == nil {
			l = &wsLine{mech: k.mech, mode: k.mode, sim: k.sim}
			idx[k] = l
			all = append(all, l)
		}
		l.rows = append(l.rows, r)
	}
	for _, l := range all {
		var ws []rowspec.Size
		for _, r := range l.rows {
			if !slices.Contains(ws, r.Spec.WS) {
				ws = append(ws, r.Spec.WS)
			}
		}
		if len(ws) < 2 {
			continue
		}
		lines = append(lines, l)
		for _, s := range ws {
			if !slices.Contains(sizes, s) {
				sizes = append(sizes, s)
			}
		}
	}
	slices.Sort(sizes)
	sort.SliceStable(lines, func(i, j int) bool {
		if lines[i].mech != lines[j].mech {
			return mechRank(lines[i].mech) < mechRank(lines[j].mech)
		}
		return lines[i].mode < lines[j].mode
	})
	return lines, sizes
}

func switchWSSupports(in *chartData) (bool, string) {
	lines, _ := in.d.wsSweep(in.h)
	return len(lines) > 0, "no mechanism measured at two or more working-set sizes at cpu=same"
}

func switchWSSimulated(in *chartData) bool {
	lines, _ := in.d.wsSweep(in.h)
	for _, l := range lines {
		if l.sim {
			return true
		}
	}
	return false
}

// switchWSChart draws the per-switch cost against working-set size.
func switchWSChart(in *chartData, sim bool) (*figure, error) {
	lines, sizes := in.d.wsSweep(in.h)
	var ticks []string
	for _, s := range sizes {
		ticks = append(ticks, s.String())
	}
	mechColor := map[rowspec.Mech]color.Color{}
	// Mechanisms by colour; mode by line and glyph, so process and
	// thread stay apart without colour.
	mechPalette := []color.Color{color.Black, palette[5], palette[4], palette[3], palette[2]}
	p := newPlot(simTitle("Context switch against working-set size (cpu=same)", sim), "working set touched by each side between round trips", "µs per switch")
	hi := 0.0
	for _, k := range lines {
		if _, ok := mechColor[k.mech]; !ok {
			mechColor[k.mech] = mechPalette[len(mechColor)%len(mechPalette)]
		}
		var ps []point
		for _, r := range k.rows {
			s, ok := switchCost(r)
			if !ok {
				continue
			}
			pt := ciPoint(float64(slices.Index(sizes, r.Spec.WS)), s, µs)
			// Process left, thread right of the tick, so bars do not overlap.
			if k.mode == rowspec.ModeProcess {
				pt.x -= 0.06
			} else {
				pt.x += 0.06
			}
			ps = append(ps, pt)
			hi = math.Max(hi, finiteOr(pt.hi, pt.y))
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].x < ps[j].x })
		if len(ps) == 0 {
			continue
		}
		c := mechColor[k.mech]
		g := draw.GlyphDrawer(draw.CircleGlyph{})
		dash := dashes[0]
		if k.mode == rowspec.ModeThread {
			g, dash = draw.TriangleGlyph{}, dashes[1]
		}
		var xys plotter.XYs
		for _, pt := range ps {
			xys = append(xys, plotter.XY{X: pt.x, Y: pt.y})
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.Color, line.Width, line.Dashes = c, vg.Points(1.5), dash
		p.Add(line)
		sc, err := addCI(p, ps, c, g)
		if err != nil {
			return nil, err
		}
		p.Legend.Add(simName(string(k.mech)+", "+string(k.mode), k.sim), sc, line)
	}
	p.NominalX(ticks...)
	p.X.Min, p.X.Max = -0.3, float64(len(sizes))-0.7
	p.Y.Min, p.Y.Max = 0, hi*1.1
	p.Legend.Add("bar: 95% CI", ciThumb{colGrey})
	return &figure{p: p, w: 9 * vg.Inch, h: 5.5 * vg.Inch,
		caption: []string{machineCaption(in.h), "solid/circle: processes (cache and TLB refilled after a switch), dashed/triangle: threads; " + methodCaption}}, nil
}
