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

// rssSeries is one (style, thp) line of the RSS sweep.
type rssSeries struct {
	style     rowspec.Style
	thp       bool
	sim       bool
	at        placement
	pts       []point // x MiB, y ms
	xs, ys    []float64
	slope     float64 // ns per MiB
	intercept float64 // ns
	fitErr    error
}

func (se *rssSeries) thpWord() string {
	if se.thp {
		return "on"
	}
	return "off"
}

// rssSweep groups h's CreateRSS rows into lines and fits each: fork.png
// draws them and the RSS section tabulates the slopes.
func (d *Data) rssSweep(h *Host) []*rssSeries {
	type key struct {
		style rowspec.Style
		thp   bool
		sim   bool
	}
	// Each line is drawn at one placement, the one covering most sizes:
	// a slope across placements would fit the pinning, not the RSS.
	var keys []key
	byKey := map[key][]*Row{}
	for _, r := range d.rowsOf(h, rowspec.CreateRSS) {
		if _, ok := r.Primary(); !ok {
			continue
		}
		k := key{r.Spec.Style, r.Spec.THP, r.Simulated}
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], r)
	}
	var use []*Row
	for _, k := range keys {
		at := bestPlacement(byKey[k], func(r *Row) string { return r.Spec.RSS.String() })
		use = append(use, atPlacement(byKey[k], at)...)
	}
	var out []*rssSeries
	idx := map[key]*rssSeries{}
	for _, r := range use {
		s, _ := r.Primary()
		mib := float64(r.Spec.RSS) / float64(rowspec.MiB)
		k := key{r.Spec.Style, r.Spec.THP, r.Simulated}
		se := idx[k]
		if se == nil {
			se = &rssSeries{style: k.style, thp: k.thp, sim: k.sim, at: placementOf(r)}
			idx[k] = se
			out = append(out, se)
		}
		se.pts = append(se.pts, point{x: mib, y: s.Median / 1e6, lo: s.Lo / 1e6, hi: s.Hi / 1e6})
		for _, v := range r.Values[rowspec.UnitNsOp] {
			se.xs = append(se.xs, mib)
			se.ys = append(se.ys, v)
		}
	}
	for _, se := range out {
		sort.Slice(se.pts, func(i, j int) bool { return se.pts[i].x < se.pts[j].x })
		se.intercept, se.slope, se.fitErr = fitSlope(se.xs, se.ys)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].style != out[j].style {
			return styleRank(out[i].style) < styleRank(out[j].style)
		}
		return !out[i].thp && out[j].thp
	})
	return out
}

// rssPlacements are the placements the series are drawn at, in
// preference order.
func rssPlacements(series []*rssSeries) []placement {
	seen := map[placement]bool{}
	for _, se := range series {
		seen[se.at] = true
	}
	var out []placement
	for p := placeSame; p <= placeNone; p++ {
		if seen[p] {
			out = append(out, p)
		}
	}
	return out
}

func forkRSSSupports(in *chartData) (bool, string) {
	return len(in.d.rssSweep(in.h)) > 0, "no BenchmarkCreateRSS rows with ns/op in the input"
}

func forkRSSSimulated(in *chartData) bool {
	for _, se := range in.d.rssSweep(in.h) {
		if se.sim {
			return true
		}
	}
	return false
}

// forkRSSChart draws creation cost against parent RSS with fitted lines.
func forkRSSChart(in *chartData, sim bool) (*figure, error) {
	series := in.d.rssSweep(in.h)
	ats := rssPlacements(series)
	uniform := len(ats) == 1
	words := ats[0].String()
	if !uniform {
		words = "per line, as the legend says"
	}
	p := newPlot(simTitle("Creation cost against the parent's resident memory", sim), "parent RSS (MiB, touched before the timer)", "ms per create + exit + reap (log scale)")
	// Log y: fork at 1 GiB costs hundreds of times a thread; on a linear
	// axis thread and vfork would sit on the zero line.
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	maxX := 0.0
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, se := range series {
		c := kindColor(kindOf(se.style))
		if se.style == rowspec.StyleVfork {
			// vfork is a process that shares the address space: its
			// own colour, not fork's.
			c = colOther
		}
		g := draw.GlyphDrawer(draw.CircleGlyph{})
		dash := dashes[0]
		if se.thp {
			g, dash = draw.TriangleGlyph{}, dashes[1]
		}
		for _, pt := range se.pts {
			maxX = math.Max(maxX, pt.x)
			maxY = math.Max(maxY, finiteOr(pt.hi, pt.y))
			minY = math.Min(minY, math.Max(finiteOr(pt.lo, pt.y), pt.y/2))
		}
		sc, err := addCI(p, se.pts, c, g)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("%s, THP %s", se.style, se.thpWord())
		if !uniform {
			name += ", cpu=" + se.at.short()
		}
		if se.sim {
			name += " (sim)"
		}
		if se.fitErr != nil {
			p.Legend.Add(name+": one size, no fit", sc)
			continue
		}
		a, b := se.intercept, se.slope
		lo, hi := se.pts[0].x, se.pts[len(se.pts)-1].x
		// The straight fit is a curve on the log axis: sample it.
		var fxy plotter.XYs
		for k := 0; k <= 64; k++ {
			x := lo + (hi-lo)*float64(k)/64
			if y := (a + b*x) / 1e6; y > 0 {
				fxy = append(fxy, plotter.XY{X: x, Y: y})
			}
		}
		if len(fxy) < 2 {
			p.Legend.Add(name+": fit below zero", sc)
			continue
		}
		fit, err := plotter.NewLine(fxy)
		if err != nil {
			return nil, err
		}
		fit.Color = c
		fit.Width = vg.Points(1.5)
		fit.Dashes = dash
		p.Add(fit)
		p.Legend.Add(fmt.Sprintf("%s: %s µs/MiB", name, fmtSlope(b/1e3)), sc, fit)
	}
	p.X.Min, p.X.Max = 0, maxX*1.03
	p.Y.Min, p.Y.Max = logRange(minY, maxY)
	p.Legend.Add("line: least-squares fit", noThumb{})
	return &figure{p: p, w: 10 * vg.Inch, h: 5.5 * vg.Inch, placement: words,
		caption: []string{machineCaption(in.h), "placement: " + words + "; THP off: MADV_NOHUGEPAGE, on: MADV_HUGEPAGE on the touched memory; " + methodCaption}}, nil
}
