package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The documented figures the switch chart is drawn against (the seeds):
// 2.7–5.48 µs per process switch, about 3.8 µs per thread switch.
const (
	docProcessLo = 2.7
	docProcessHi = 5.48
	docThread    = 3.8
)

// ciXYs is points with asymmetric error bars, for plotter.NewYErrorBars.
type ciXYs struct {
	plotter.XYs
	plotter.YErrors
}

// ciXs is the horizontal version, for plotter.NewXErrorBars.
type ciXs struct {
	plotter.XYs
	plotter.XErrors
}

// point is one summarised row placed on a chart.
type point struct {
	x, y, lo, hi float64 // in chart units
}

// addCI adds points with 95% CI bars in colour c; points whose interval is
// unknown (too few samples) get no bar.
func addCI(p *plot.Plot, pts []point, c color.Color, g draw.GlyphDrawer) (*plotter.Scatter, error) {
	var xys plotter.XYs
	var bars ciXYs
	for _, pt := range pts {
		xys = append(xys, plotter.XY{X: pt.x, Y: pt.y})
		if !math.IsInf(pt.lo, 0) && !math.IsInf(pt.hi, 0) && !math.IsNaN(pt.lo) {
			bars.XYs = append(bars.XYs, plotter.XY{X: pt.x, Y: pt.y})
			bars.YErrors = append(bars.YErrors, struct{ Low, High float64 }{pt.y - pt.lo, pt.hi - pt.y})
		}
	}
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(4), Shape: g}
	if len(bars.XYs) > 0 {
		eb, err := plotter.NewYErrorBars(bars)
		if err != nil {
			return nil, err
		}
		eb.LineStyle.Color = c
		eb.LineStyle.Width = vg.Points(1.2)
		eb.CapWidth = vg.Points(8)
		p.Add(eb)
	}
	p.Add(s)
	return s, nil
}

func labels(xys plotter.XYs, texts []string, size float64, off vg.Point, align draw.XAlignment) (*plotter.Labels, error) {
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font.Size = vg.Points(size)
		l.TextStyle[i].XAlign = align
		l.TextStyle[i].Color = color.Gray{Y: 0x20}
	}
	l.Offset = off
	return l, nil
}

func simTitle(title string, sim bool) string {
	if sim {
		return title + " — SIMULATED"
	}
	return title
}

func simName(name string, sim bool) string {
	if sim {
		return name + " (simulated)"
	}
	return name
}

func ciPoint(x float64, s Summary, scale func(float64) float64) point {
	return point{x: x, y: scale(s.Median), lo: scale(s.Lo), hi: scale(s.Hi)}
}

const methodCaption = "median of n samples; bars: 95% confidence interval of the median (benchmath, distribution-free, as benchstat)"

// creationChart: cost per creation by style, log scale.
func creationChart(d *Data, h *Host) (*figure, string, error) {
	rows := d.rowsOf(h, "Create")
	sortRows(rows, func(r *Row) int { return styleRank(r.Param("style")) })
	type entry struct {
		r *Row
		s Summary
	}
	var es []entry
	for _, r := range rows {
		if s, ok := r.Primary(); ok && s.Median > 0 {
			es = append(es, entry{r, s})
		}
	}
	if len(es) == 0 {
		return nil, "no BenchmarkCreate rows with ns/op in the input", nil
	}
	sim := false
	for _, e := range es {
		sim = sim || e.r.Simulated
	}
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
		k := styleKind(e.r.Param("style"))
		byKind[k] = append(byKind[k], pt)
		names = append(names, tickName(e.r.Param("style"), e.r.Simulated))
		lo = math.Min(lo, math.Min(pt.y, finiteOr(pt.lo, pt.y)))
		hi = math.Max(hi, math.Max(pt.y, finiteOr(pt.hi, pt.y)))
		lxy = append(lxy, plotter.XY{X: pt.x, Y: pt.y})
		ltext = append(ltext, fmtNs(e.s.Median))
	}
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = logRange(lo, hi)
	p.X.Min, p.X.Max = -0.6, float64(len(es))-0.4
	for i, k := range []string{"process", "thread", "goroutine", "other"} {
		if len(byKind[k]) == 0 {
			continue
		}
		s, err := addCI(p, byKind[k], kindColor(k), glyphs[i])
		if err != nil {
			return nil, "", err
		}
		p.Legend.Add(kindLegend[k], s)
	}
	l, err := labels(lxy, ltext, 9, vg.Point{X: vg.Points(7), Y: vg.Points(-3)}, draw.XLeft)
	if err != nil {
		return nil, "", err
	}
	p.Add(l)
	p.Legend.Add("bar: 95% CI", ciThumb{colGrey})
	return &figure{name: "creation.png", p: p, w: 9 * vg.Inch, h: 5.5 * vg.Inch,
		caption: []string{machineCaption(h), methodCaption}}, "", nil
}

var kindLegend = map[string]string{
	"process":   "process (own thread group)",
	"thread":    "thread (joins our thread group)",
	"goroutine": "goroutine (no kernel task)",
	"other":     "other",
}

func kindColor(k string) color.Color {
	switch k {
	case "process":
		return colProcess
	case "thread":
		return colThread
	case "goroutine":
		return colGoroutine
	}
	return colOther
}

func finiteOr(v, alt float64) float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return alt
	}
	return v
}

// ciThumb is a legend entry showing an error bar.
type ciThumb struct{ c color.Color }

func (t ciThumb) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	sty := draw.LineStyle{Color: t.c, Width: vg.Points(1.2)}
	w := vg.Points(3)
	c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
	c.StrokeLine2(sty, x-w, c.Min.Y, x+w, c.Min.Y)
	c.StrokeLine2(sty, x-w, c.Max.Y, x+w, c.Max.Y)
}

// cloneFlagsChart: the sweep as a staircase, each step labelled.
func cloneFlagsChart(d *Data, h *Host) (*figure, string, error) {
	rows, sums := d.cloneFlagSteps(h)
	if len(rows) == 0 {
		return nil, "no BenchmarkCloneFlags rows with ns/op in the input", nil
	}
	sim := false
	for _, r := range rows {
		sim = sim || r.Simulated
	}
	p := newPlot(simTitle("Clone flags: fork's set to thread's set, one resource at a time", sim),
		"flags changed from the previous step (sweep order)", "µs per create + exit + reap")
	var stair plotter.XYs
	var pts []point
	var ticks []string
	var lxy plotter.XYs
	var ltext []string
	hi := 0.0
	for i, r := range rows {
		s := sums[i]
		x := float64(i)
		stair = append(stair, plotter.XY{X: x - 0.5, Y: µs(s.Median)}, plotter.XY{X: x + 0.5, Y: µs(s.Median)})
		pts = append(pts, ciPoint(x, s, µs))
		prev := ""
		if i > 0 {
			prev = rows[i-1].Param("flags")
		}
		tick := flagStep(prev, r.Param("flags"))
		if i == 0 {
			tick = seedSetName(r.Param("flags"))
		}
		ticks = append(ticks, tick)
		txt := fmtNs(s.Median)
		if i > 0 {
			txt += "\nΔ " + signed(s.Median-sums[i-1].Median)
		}
		lxy = append(lxy, plotter.XY{X: x, Y: µs(finiteOr(s.Hi, s.Median))})
		ltext = append(ltext, txt)
		hi = math.Max(hi, µs(finiteOr(s.Hi, s.Median)))
	}
	p.NominalX(ticks...)
	// Flag names are long: slant them steeply, one line each, so
	// neighbours never overlap.
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YTop
	p.X.Min, p.X.Max = -0.6, float64(len(rows))-0.4
	p.Y.Min, p.Y.Max = 0, hi*1.3
	line, err := plotter.NewLine(stair)
	if err != nil {
		return nil, "", err
	}
	line.Color = colProcess
	line.Width = vg.Points(2)
	p.Add(line)
	s, err := addCI(p, pts, color.Black, draw.CircleGlyph{})
	if err != nil {
		return nil, "", err
	}
	l, err := labels(lxy, ltext, 9, vg.Point{Y: vg.Points(6)}, draw.XCenter)
	if err != nil {
		return nil, "", err
	}
	p.Add(l)
	p.Legend.Add("cost of the flag set", line)
	p.Legend.Add("median, 95% CI", s, ciThumb{color.Black})
	return &figure{name: "cloneflags.png", p: p, w: 10 * vg.Inch, h: 6 * vg.Inch,
		caption: []string{machineCaption(h), "first step: the starting set; each later step adds (+) or drops (−) flags; Δ: cost change from the previous set; " + methodCaption}}, "", nil
}

type noThumb struct{}

func (noThumb) Thumbnail(*draw.Canvas) {}

func signed(ns float64) string {
	if ns >= 0 {
		return "+" + fmtNs(ns)
	}
	return "−" + fmtNs(-ns)
}

// rssSeries is one (style, thp) line of the RSS sweep.
type rssSeries struct {
	style, thp string
	sim        bool
	pts        []point // x MiB, y ms
	xs, ys     []float64
	slope      float64 // ns per MiB
	intercept  float64 // ns
	fitErr     error
}

func rssSweep(d *Data, h *Host) ([]*rssSeries, error) {
	var out []*rssSeries
	idx := map[string]*rssSeries{}
	for _, r := range d.rowsOf(h, "CreateRSS") {
		s, ok := r.Primary()
		if !ok {
			continue
		}
		b, err := parseBytes(r.Param("rss"))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", r.Pos, r.Name, err)
		}
		mib := b / (1 << 20)
		key := r.Param("style") + "/" + r.Param("thp") + fmt.Sprint(r.Simulated)
		se := idx[key]
		if se == nil {
			se = &rssSeries{style: r.Param("style"), thp: r.Param("thp"), sim: r.Simulated}
			idx[key] = se
			out = append(out, se)
		}
		se.pts = append(se.pts, point{x: mib, y: s.Median / 1e6, lo: s.Lo / 1e6, hi: s.Hi / 1e6})
		for _, v := range r.Values["ns/op"] {
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
		return out[i].thp < out[j].thp
	})
	return out, nil
}

// forkRSSChart: creation cost against parent RSS with fitted lines.
func forkRSSChart(d *Data, h *Host) (*figure, string, error) {
	series, err := rssSweep(d, h)
	if err != nil {
		return nil, "", err
	}
	if len(series) == 0 {
		return nil, "no BenchmarkCreateRSS rows with ns/op in the input", nil
	}
	sim := false
	for _, s := range series {
		sim = sim || s.sim
	}
	p := newPlot(simTitle("Creation cost against the parent's resident memory", sim), "parent RSS (MiB, touched before the timer)", "ms per create + exit + reap (log scale)")
	// Log y: fork at 1 GiB costs hundreds of times a thread; on a linear
	// axis thread and vfork would sit on the zero line.
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	maxX := 0.0
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, se := range series {
		c := kindColor(styleKind(se.style))
		if se.style == "vfork" {
			c = colOther
		}
		g := draw.GlyphDrawer(draw.CircleGlyph{})
		dash := dashes[0]
		if se.thp == "on" {
			g, dash = draw.TriangleGlyph{}, dashes[1]
		}
		for _, pt := range se.pts {
			maxX = math.Max(maxX, pt.x)
			maxY = math.Max(maxY, finiteOr(pt.hi, pt.y))
			minY = math.Min(minY, math.Max(finiteOr(pt.lo, pt.y), pt.y/2))
		}
		sc, err := addCI(p, se.pts, c, g)
		if err != nil {
			return nil, "", err
		}
		name := fmt.Sprintf("%s, THP %s", se.style, se.thp)
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
			return nil, "", err
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
	return &figure{name: "fork-rss.png", p: p, w: 10 * vg.Inch, h: 5.5 * vg.Inch,
		caption: []string{machineCaption(h), "THP off: MADV_NOHUGEPAGE, on: MADV_HUGEPAGE on the touched memory; " + methodCaption}}, "", nil
}

// switchRow returns the per-switch summary of a Switch row: ns/switch, or
// half the round trip when the row does not report it.
func switchCost(r *Row) (Summary, bool) {
	if s, ok := r.Summary("ns/switch"); ok {
		return s, true
	}
	s, ok := r.Primary()
	if !ok {
		return s, false
	}
	s.Median, s.Lo, s.Hi = s.Median/2, s.Lo/2, s.Hi/2
	s.Unit = "ns/op÷2"
	return s, true
}

func wsIsZero(r *Row) bool {
	ws := r.Param("ws")
	return ws == "" || ws == "0" || ws == "0B"
}

// switchChart: per-switch cost, process beside thread at cpu=same.
func switchChart(d *Data, h *Host) (*figure, string, error) {
	type pair struct{ proc, thr *Row }
	var mechs []string
	byMech := map[string]*pair{}
	for _, r := range d.rowsOf(h, "Switch") {
		if r.Param("cpu") != "same" || !wsIsZero(r) {
			continue
		}
		m := r.Param("mech")
		pr := byMech[m]
		if pr == nil {
			pr = &pair{}
		}
		switch r.Param("mode") {
		case "process":
			if pr.proc == nil || (pr.proc.Simulated && !r.Simulated) {
				pr.proc = r
			}
		case "thread":
			if pr.thr == nil || (pr.thr.Simulated && !r.Simulated) {
				pr.thr = r
			}
		default:
			continue
		}
		if byMech[m] == nil {
			byMech[m] = pr
			mechs = append(mechs, m)
		}
	}
	if len(mechs) == 0 {
		return nil, "no BenchmarkSwitch rows with mode=process or mode=thread at cpu=same, ws=0 in the input", nil
	}
	sort.SliceStable(mechs, func(i, j int) bool { return mechRank(mechs[i]) < mechRank(mechs[j]) })
	sim := false
	halved := false
	for _, m := range mechs {
		for _, r := range []*Row{byMech[m].proc, byMech[m].thr} {
			if r != nil {
				sim = sim || r.Simulated
				if _, ok := r.Summary("ns/switch"); !ok {
					halved = true
				}
			}
		}
	}
	p := newPlot(simTitle("Context switch: process vs thread, both tasks on one CPU (cpu=same)", sim), "mechanism", "µs per switch (round trip ÷ 2)")
	n := float64(len(mechs))
	// Keep bars narrow when only one or two mechanisms ran.
	extra := math.Max(0, (3-n)/2)
	xlo, xhi := -0.5-extra, n-0.5+extra

	band, err := plotter.NewPolygon(plotter.XYs{{X: xlo, Y: docProcessLo}, {X: xhi, Y: docProcessLo}, {X: xhi, Y: docProcessHi}, {X: xlo, Y: docProcessHi}})
	if err != nil {
		return nil, "", err
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
	for i, m := range mechs {
		names = append(names, m)
		x := float64(i)
		for j, r := range []*Row{byMech[m].proc, byMech[m].thr} {
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
				return nil, "", err
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
			return nil, "", err
		}
	}
	// The band's edges and the thread line go over the bars, so the
	// reference stays visible where a bar crosses it.
	edge := draw.LineStyle{Color: color.RGBA{R: 0xB0, G: 0x50, B: 0x10, A: 0xFF}, Width: vg.Points(0.8), Dashes: dashes[2]}
	for _, y := range []float64{docProcessLo, docProcessHi} {
		l, err := plotter.NewLine(plotter.XYs{{X: xlo, Y: y}, {X: xhi, Y: y}})
		if err != nil {
			return nil, "", err
		}
		l.LineStyle = edge
		p.Add(l)
	}
	tl, err := plotter.NewLine(plotter.XYs{{X: xlo, Y: docThread}, {X: xhi, Y: docThread}})
	if err != nil {
		return nil, "", err
	}
	tl.Color = color.RGBA{R: 0x00, G: 0x3C, B: 0x70, A: 0xFF}
	tl.Width = vg.Points(1.5)
	tl.Dashes = dashes[1]
	p.Add(tl)
	l, err := labels(lxy, ltext, 9, vg.Point{Y: vg.Points(8)}, draw.XCenter)
	if err != nil {
		return nil, "", err
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
	capt := []string{machineCaption(h), "ws=0; per switch = round trip ÷ 2 (ns/switch); documented figures from the seeds; " + methodCaption}
	if halved {
		capt[1] = "ws=0; some rows report no ns/switch: their ns/op ÷ 2 is shown; documented figures from the seeds"
	}
	return &figure{name: "switch.png", p: p, w: 10 * vg.Inch, h: 5.5 * vg.Inch, caption: capt}, "", nil
}

type noGlyph struct{}

func (noGlyph) DrawGlyph(*draw.Canvas, draw.GlyphStyle, vg.Point) {}

// switchWSChart: per-switch cost against working-set size.
func switchWSChart(d *Data, h *Host) (*figure, string, error) {
	type key struct {
		mech, mode string
		sim        bool
	}
	var keys []key
	pts := map[key][]*Row{}
	sizes := map[float64]string{}
	for _, r := range d.rowsOf(h, "Switch") {
		if r.Param("cpu") != "same" || r.Param("ws") == "" {
			continue
		}
		mode := r.Param("mode")
		if mode != "process" && mode != "thread" {
			continue
		}
		b, err := parseBytes(r.Param("ws"))
		if err != nil {
			return nil, "", fmt.Errorf("%s: %s: %w", r.Pos, r.Name, err)
		}
		sizes[b] = r.Param("ws")
		k := key{r.Param("mech"), mode, r.Simulated}
		if _, ok := pts[k]; !ok {
			keys = append(keys, k)
		}
		pts[k] = append(pts[k], r)
	}
	// A mechanism measured at one size only is no line: leave it to
	// switch.png.
	kept := keys[:0]
	sizes = map[float64]string{}
	for _, k := range keys {
		ws := map[string]bool{}
		for _, r := range pts[k] {
			ws[r.Param("ws")] = true
		}
		if len(ws) < 2 {
			continue
		}
		kept = append(kept, k)
		for _, r := range pts[k] {
			b, _ := parseBytes(r.Param("ws"))
			sizes[b] = r.Param("ws")
		}
	}
	keys = kept
	if len(keys) == 0 {
		return nil, "no mechanism measured at two or more working-set sizes at cpu=same", nil
	}
	var order []float64
	for b := range sizes {
		order = append(order, b)
	}
	sort.Float64s(order)
	pos := map[float64]float64{}
	var ticks []string
	for i, b := range order {
		pos[b] = float64(i)
		ticks = append(ticks, sizes[b])
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].mech != keys[j].mech {
			return mechRank(keys[i].mech) < mechRank(keys[j].mech)
		}
		return keys[i].mode < keys[j].mode
	})
	sim := false
	mechColor := map[string]color.Color{}
	// Mechanisms by colour; mode by line and glyph, so process and
	// thread stay apart without colour.
	mechPalette := []color.Color{color.Black, palette[5], palette[4], palette[3], palette[2]}
	p := newPlot("", "working set touched by each side between round trips", "µs per switch")
	hi := 0.0
	for _, k := range keys {
		sim = sim || k.sim
		if _, ok := mechColor[k.mech]; !ok {
			mechColor[k.mech] = mechPalette[len(mechColor)%len(mechPalette)]
		}
		rows := pts[k]
		var ps []point
		for _, r := range rows {
			s, ok := switchCost(r)
			if !ok {
				continue
			}
			b, _ := parseBytes(r.Param("ws"))
			pt := ciPoint(pos[b], s, µs)
			// Process left, thread right of the tick, so bars do not overlap.
			if k.mode == "process" {
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
		if k.mode == "thread" {
			g, dash = draw.TriangleGlyph{}, dashes[1]
		}
		var xys plotter.XYs
		for _, pt := range ps {
			xys = append(xys, plotter.XY{X: pt.x, Y: pt.y})
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, "", err
		}
		line.Color, line.Width, line.Dashes = c, vg.Points(1.5), dash
		p.Add(line)
		sc, err := addCI(p, ps, c, g)
		if err != nil {
			return nil, "", err
		}
		p.Legend.Add(simName(k.mech+", "+k.mode, k.sim), sc, line)
	}
	p.Title.Text = simTitle("Context switch against working-set size (cpu=same)", sim)
	p.NominalX(ticks...)
	p.X.Min, p.X.Max = -0.3, float64(len(order))-0.7
	p.Y.Min, p.Y.Max = 0, hi*1.1
	p.Legend.Add("bar: 95% CI", ciThumb{colGrey})
	return &figure{name: "switch-ws.png", p: p, w: 9 * vg.Inch, h: 5.5 * vg.Inch,
		caption: []string{machineCaption(h), "solid/circle: processes (cache and TLB refilled after a switch), dashed/triangle: threads; " + methodCaption}}, "", nil
}

// distributionChart: for each creation style, the spread of its per-sample
// ns/op (box) and the per-op p50 and p99 inside each sample, all relative to
// the style's median, so styles four decades apart share one readable axis.
func distributionChart(d *Data, h *Host) (*figure, string, error) {
	rows := d.rowsOf(h, "Create")
	sortRows(rows, func(r *Row) int { return styleRank(r.Param("style")) })
	type entry struct {
		r   *Row
		med float64
	}
	var use []entry
	for _, r := range rows {
		if s, ok := r.Primary(); ok && s.Median > 0 {
			use = append(use, entry{r, s.Median})
		}
	}
	if len(use) == 0 {
		return nil, "no BenchmarkCreate rows with ns/op samples in the input", nil
	}
	sim := false
	p := newPlot("", "creation style (median per creation)", "× the style's median")
	lo, hi := 1.0, 1.0
	var names []string
	var p50s, p99s plotter.XYs
	for i, e := range use {
		r := e.r
		sim = sim || r.Simulated
		names = append(names, tickName(r.Param("style"), r.Simulated)+"\n"+fmtNs(e.med))
		var vs plotter.Values
		for _, v := range r.Values["ns/op"] {
			vs = append(vs, v/e.med)
			lo, hi = math.Min(lo, v/e.med), math.Max(hi, v/e.med)
		}
		b, err := plotter.NewBoxPlot(vg.Points(22), float64(i)-0.13, vs)
		if err != nil {
			return nil, "", err
		}
		c := kindColor(styleKind(r.Param("style")))
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
		}{{"p50-ns", &p50s}, {"p99-ns", &p99s}} {
			for _, v := range r.Values[pv.unit] {
				*pv.xys = append(*pv.xys, plotter.XY{X: float64(i) + 0.2, Y: v / e.med})
				lo, hi = math.Min(lo, v/e.med), math.Max(hi, v/e.med)
			}
		}
	}
	one, err := plotter.NewLine(plotter.XYs{{X: -0.6, Y: 1}, {X: float64(len(use)) - 0.4, Y: 1}})
	if err != nil {
		return nil, "", err
	}
	one.Color = colGrey
	one.Dashes = dashes[2]
	p.Add(one)
	p.Title.Text = simTitle("Creation latency spread by style", sim)
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
			return nil, "", err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: m.c, Radius: vg.Points(3), Shape: m.glyph}
		p.Add(s)
		p.Legend.Add(m.name, s)
	}
	p.Legend.Add("1 = the style's median", one)
	return &figure{name: "distribution.png", p: p, w: 10 * vg.Inch, h: 5.5 * vg.Inch,
		caption: []string{machineCaption(h), "box: spread of the per-sample means (run-to-run noise); markers: the tail inside each sample (p50-ns, p99-ns of single-op timings); absolute costs in creation.png"}}, "", nil
}

func lighten(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8)/3 + 0xFF*2/3) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 0xFF}
}

// compareChart: % change per row against the baseline.
func compareChart(deltas []Delta, base, cur *Host, threshold float64) (*figure, string, error) {
	if len(deltas) == 0 {
		return nil, "no rows in common with the baseline", nil
	}
	n := len(deltas)
	p := newPlot("Change against the baseline (median, ns/op)", "% change of the median (negative = faster)", "")
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
			return nil, "", err
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
				return nil, "", err
			}
			eb.LineStyle.Color = g.c
			eb.LineStyle.Width = vg.Points(1.2)
			eb.CapWidth = vg.Points(6)
			p.Add(eb)
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, "", err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: g.c, Radius: vg.Points(4), Shape: g.glyph}
		p.Add(s)
		p.Legend.Add(g.name, s)
	}
	p.Legend.Add("bar: range from both 95% CIs", ciThumb{colGrey})
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	p.Y.Label.Text = ""
	h := vg.Length(n)*vg.Points(15) + 3*vg.Inch
	capt := []string{"baseline: " + machineCaption(base), "this run: " + machineCaption(cur),
		"Mann-Whitney U test (benchmath); CI bar: new CI ÷ old CI, a conservative range"}
	return &figure{name: "compare.png", p: p, w: 11 * vg.Inch, h: h, caption: capt, legendBelow: true}, "", nil
}

// headlineRows are the rows hosts.png compares.
type headline struct {
	label, family string
	kv            []string
	perSwitch     bool
}

var headlines = []headline{
	{"fork", "Create", []string{"style", "fork"}, false},
	{"vfork", "Create", []string{"style", "vfork"}, false},
	{"spawn", "Create", []string{"style", "spawn"}, false},
	{"thread", "Create", []string{"style", "thread"}, false},
	{"pthread", "Create", []string{"style", "pthread"}, false},
	{"goroutine", "Create", []string{"style", "goroutine"}, false},
	{"switch pipe\nprocess", "Switch", []string{"mech", "pipe", "mode", "process", "cpu", "same", "ws", "0"}, true},
	{"switch pipe\nthread", "Switch", []string{"mech", "pipe", "mode", "thread", "cpu", "same", "ws", "0"}, true},
	{"switch futex\nprocess", "Switch", []string{"mech", "futex", "mode", "process", "cpu", "same", "ws", "0"}, true},
	{"switch futex\nthread", "Switch", []string{"mech", "futex", "mode", "thread", "cpu", "same", "ws", "0"}, true},
}

// hostsChart: headline rows side by side per host.
func hostsChart(d *Data) (*figure, string, error) {
	if len(d.Hosts) < 2 {
		return nil, "results from one machine only", nil
	}
	var use []headline
	for _, hl := range headlines {
		for _, h := range d.Hosts {
			if d.find(h, hl.family, hl.kv...) != nil {
				use = append(use, hl)
				break
			}
		}
	}
	if len(use) == 0 {
		return nil, "none of the headline rows (Create styles, Switch pipe/futex at cpu=same) in the input", nil
	}
	p := newPlot("Headline rows per machine", "", "µs per creation / per switch (log scale)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	lo, hi := math.Inf(1), math.Inf(-1)
	nh := float64(len(d.Hosts))
	step := math.Min(0.7/nh, 0.2)
	var capt []string
	for j, h := range d.Hosts {
		var pts []point
		for i, hl := range use {
			r := d.find(h, hl.family, hl.kv...)
			if r == nil {
				continue
			}
			var s Summary
			ok := false
			if hl.perSwitch {
				s, ok = switchCost(r)
			} else {
				s, ok = r.Primary()
			}
			if !ok || s.Median <= 0 {
				continue
			}
			pt := ciPoint(float64(i)+(float64(j)-(nh-1)/2)*step, s, µs)
			pts = append(pts, pt)
			lo = math.Min(lo, math.Max(finiteOr(pt.lo, pt.y), pt.y/10))
			hi = math.Max(hi, finiteOr(pt.hi, pt.y))
		}
		capt = append(capt, fmt.Sprintf("%c: %s", 'A'+j, machineCaption(h)))
		if len(pts) == 0 {
			continue
		}
		sc, err := addCI(p, pts, palette[j%len(palette)], glyphs[j%len(glyphs)])
		if err != nil {
			return nil, "", err
		}
		p.Legend.Add(fmt.Sprintf("%c: %s", 'A'+j, shorten(h.Label, 40)), sc)
	}
	var names []string
	for _, hl := range use {
		names = append(names, hl.label)
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(use))-0.4
	p.Y.Min, p.Y.Max = logRange(lo, hi)
	p.Legend.Add("bar: 95% CI", ciThumb{colGrey})
	capt = append(capt, "creation: create + exit + reap/join; switch: round trip ÷ 2 at cpu=same, ws=0; "+methodCaption)
	return &figure{name: "hosts.png", p: p, w: 11 * vg.Inch, h: 5.5*vg.Inch + vg.Length(len(d.Hosts))*vg.Points(12), caption: capt}, "", nil
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// boxThumb is a legend entry showing a box with its median line.
type boxThumb struct{}

func (boxThumb) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	pts := []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min}
	c.FillPolygon(color.Gray{Y: 0xDD}, pts)
	c.StrokeLines(draw.LineStyle{Color: colGrey, Width: vg.Points(1)}, pts)
	mid := (r.Min.Y + r.Max.Y) / 2
	c.StrokeLine2(draw.LineStyle{Color: color.Black, Width: vg.Points(1.5)}, r.Min.X, mid, r.Max.X, mid)
}

// seedSetName names the sweep's starting set by the seed it is (glibc's
// fork, pthread_create, vfork), or gives the flags.
func seedSetName(flags string) string {
	switch flags {
	case "CHILD_CLEARTID|CHILD_SETTID|SIGCHLD":
		return "fork's flags"
	case "VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID":
		return "pthread's flags"
	case "VM|VFORK|SIGCHLD":
		return "vfork's flags"
	}
	return flags
}
