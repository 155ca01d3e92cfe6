package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/rowspec"
)

func switchSupports(in *chartData) (bool, string) {
	return len(in.d.switchPairs(in.h)) > 0, "no BenchmarkSwitch rows with mode=process or mode=thread at cpu=same, ws=0 in the input"
}

func switchSimulated(in *chartData) bool {
	for _, pr := range in.d.switchPairs(in.h) {
		if anySim(pr.rows()) {
			return true
		}
	}
	return false
}

// switchChart draws the per-switch cost, process beside thread at cpu=same.
func switchChart(in *chartData, sim bool) (*figure, error) {
	pairs := in.d.switchPairs(in.h)
	halved := false
	for _, pr := range pairs {
		for _, r := range pr.rows() {
			if _, ok := r.Summary(rowspec.UnitNsSwitch); !ok {
				halved = true
			}
		}
	}
	p := newPlot(simTitle("Context switch: process vs thread, both tasks on one CPU (cpu=same)", sim), "mechanism", "µs per switch (round trip ÷ 2)")
	n := float64(len(pairs))
	// Keep bars narrow when only one or two mechanisms ran.
	extra := math.Max(0, (3-n)/2)
	xlo, xhi := -0.5-extra, n-0.5+extra

	band, err := plotter.NewPolygon(plotter.XYs{{X: xlo, Y: docProcessLo}, {X: xhi, Y: docProcessLo}, {X: xhi, Y: docProcessHi}, {X: xlo, Y: docProcessHi}})
	if err != nil {
		return nil, err
	}
	band.Color = color.RGBA{R: 0xF6, G: 0xD8, B: 0xC4, A: 0xFF}
	band.LineStyle.Width = 0
	p.Add(band)

	hi := docProcessHi
	var names []string
	var procBars, thrBars []*plotter.Polygon
	var lxy plotter.XYs
	var ltext []string
	var pp, tp []point
	const bw = 0.36
	for i, pr := range pairs {
		names = append(names, string(pr.mech))
		x := float64(i)
		for j, r := range []*Row{pr.proc, pr.thr} {
			if r == nil {
				continue
			}
			s, ok := switchCost(r)
			if !ok {
				continue
			}
			cx := x - bw/2 - 0.01
			c := colProcess
			if j == 1 {
				cx = x + bw/2 + 0.01
				c = colThread
			}
			y := µs(s.Median)
			bar, err := plotter.NewPolygon(plotter.XYs{{X: cx - bw/2, Y: 0}, {X: cx + bw/2, Y: 0}, {X: cx + bw/2, Y: y}, {X: cx - bw/2, Y: y}})
			if err != nil {
				return nil, err
			}
			bar.Color = c
			bar.LineStyle.Width = 0
			p.Add(bar)
			pt := ciPoint(cx, s, µs)
			if j == 0 {
				procBars = append(procBars, bar)
				pp = append(pp, pt)
			} else {
				thrBars = append(thrBars, bar)
				tp = append(tp, pt)
			}
			top := finiteOr(pt.hi, y)
			hi = math.Max(hi, top)
			lxy = append(lxy, plotter.XY{X: cx, Y: top})
			txt := sig3(y)
			if r.Simulated {
				txt += "\nsim"
			}
			ltext = append(ltext, txt)
		}
	}
	for _, pts := range [][]point{pp, tp} {
		if len(pts) == 0 {
			continue
		}
		if _, err := addCI(p, pts, color.Black, noGlyph{}); err != nil {
			return nil, err
		}
	}
	// The band's edges and the thread line go over the bars, so the
	// reference stays visible where a bar crosses it.
	edge := draw.LineStyle{Color: color.RGBA{R: 0xB0, G: 0x50, B: 0x10, A: 0xFF}, Width: vg.Points(0.8), Dashes: dashes[2]}
	for _, y := range []float64{docProcessLo, docProcessHi} {
		l, err := plotter.NewLine(plotter.XYs{{X: xlo, Y: y}, {X: xhi, Y: y}})
		if err != nil {
			return nil, err
		}
		l.LineStyle = edge
		p.Add(l)
	}
	tl, err := plotter.NewLine(plotter.XYs{{X: xlo, Y: docThread}, {X: xhi, Y: docThread}})
	if err != nil {
		return nil, err
	}
	tl.Color = color.RGBA{R: 0x00, G: 0x3C, B: 0x70, A: 0xFF}
	tl.Width = vg.Points(1.5)
	tl.Dashes = dashes[1]
	p.Add(tl)
	l, err := labels(lxy, ltext, 9, vg.Point{Y: vg.Points(8)}, draw.XCenter)
	if err != nil {
		return nil, err
	}
	p.Add(l)

	p.NominalX(names...)
	p.X.Min, p.X.Max = xlo, xhi
	p.Y.Min, p.Y.Max = 0, hi*1.15
	if len(procBars) > 0 {
		p.Legend.Add("process (fork-style flags)", procBars[0])
	}
	if len(thrBars) > 0 {
		p.Legend.Add("thread (thread-style flags)", thrBars[0])
	}
	p.Legend.Add(fmt.Sprintf("documented, processes: %.1f–%.2f µs", docProcessLo, docProcessHi), band)
	p.Legend.Add(fmt.Sprintf("documented, threads: %.1f µs", docThread), tl)
	p.Legend.Add("bar: 95% CI", ciThumb{color.Black})
	capt := []string{machineCaption(in.h), "ws=0; per switch = round trip ÷ 2 (ns/switch); documented figures from the seeds; " + methodCaption}
	if halved {
		capt[1] = "ws=0; some rows report no ns/switch: their ns/op ÷ 2 is shown; documented figures from the seeds"
	}
	return &figure{p: p, w: 10 * vg.Inch, h: 5.5 * vg.Inch, caption: capt}, nil
}
