package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/internal/chartkit"
	"github.com/clonebench/clonebench/rowspec"
)

// chartData is what the charts are drawn from.
type chartData struct {
	d *Data
	h *Host // the machine the single-machine charts show
	// cmp is Options.Comparison, nil without a baseline.
	cmp *comparison.Comparison
}

// chart is one PNG the report can draw. report.md lists the charts in
// registry order, each drawn or with the reason it is not.
type chart struct {
	file, title, caption string
	// families are the row families the chart places; the catalogue
	// test checks every family has a place.
	families []rowspec.Family
	// supports reports whether in holds what the chart draws, and if
	// not, why.
	supports func(in *chartData) (ok bool, why string)
	// simulated reports whether the figures drawn are simkernel's, so
	// the title and report.md say so; nil for a chart that marks each
	// simulated row or machine itself.
	simulated func(in *chartData) bool
	draw      func(in *chartData, sim bool) (*figure, error)
}

// charts is the registry, in the order report.md shows them.
var charts = []chart{
	{"creation.png", "Creation cost by style", "Median cost of one create + exit + reap/join per style, log scale, with 95% confidence intervals.",
		[]rowspec.Family{rowspec.Create}, creationSupports, creationSimulated, creationChart},
	{"cloneflags.png", "Clone flags, one resource at a time", "Each step adds (or drops) flags on the way from fork's set to a thread's; the label gives the cost and the step from the set before.",
		[]rowspec.Family{rowspec.CloneFlags}, cloneFlagsSupports, cloneFlagsSimulated, cloneFlagsChart},
	{"fork-rss.png", "Creation cost against parent RSS", "fork copies page tables in proportion to what the parent has touched; the legend gives each fitted slope in µs per MiB.",
		[]rowspec.Family{rowspec.CreateRSS}, forkRSSSupports, forkRSSSimulated, forkRSSChart},
	{"switch.png", "Context switch: process vs thread", "Per-switch cost with both tasks on one CPU; the shaded band is the documented 2.7–5.48 µs per process switch, the dashed line the documented 3.8 µs per thread switch.",
		[]rowspec.Family{rowspec.Switch}, switchSupports, switchSimulated, switchChart},
	{"switch-ws.png", "Context switch against working set", "Each side touches its working set between round trips; processes refill cache and TLB after a switch, threads share the address space.",
		[]rowspec.Family{rowspec.Switch}, switchWSSupports, switchWSSimulated, switchWSChart},
	{"distribution.png", "Creation latency distributions", "Spread of the per-sample means (boxes) and each sample's per-op p50 and p99.",
		[]rowspec.Family{rowspec.Create}, creationSupports, creationSimulated, distributionChart},
	{"namespaces.png", "Containers' creation: namespaces, clone3, pidfds, cgroups", "Cost of one create + exit + reap per CLONE_NEW* flag, beside plain fork and thread, clone3, CLONE_PIDFD and CLONE_INTO_CGROUP; grey triangles: kernel threads' time per op after the reap (the deferred teardown).",
		[]rowspec.Family{rowspec.Clone3, rowspec.CreateNS, rowspec.CreateCgroup, rowspec.CreatePidfd}, nsSupports, nsSimulated, nsChart},
	{"compare.png", "Change against the baseline", "Percent change of each row's median; red rows are significant regressions beyond the threshold.",
		nil, compareSupports, compareSimulated, compareChart},
	{"hosts.png", "Machines side by side", "The headline rows on each machine in the input.",
		[]rowspec.Family{rowspec.Create, rowspec.Switch}, hostsSupports, nil, hostsChart},
	{"phases.png", "Where creation time goes (probe=sched)", "Each probed row's op stacked by phase from kernel tracepoints: copy is copy_process, teardown is do_exit; fork against thread, along the clone-flag sweep and along parent RSS.",
		[]rowspec.Family{rowspec.Create, rowspec.CloneFlags, rowspec.CreateRSS}, phasesSupports, phasesSimulated, phasesChart},
	{"switch-phases.png", "Where switch time goes (probe=sched)", "Each probed switch row's round trip (cpu=same, ws=0) stacked by phase from kernel tracepoints, process beside thread per mechanism.",
		[]rowspec.Family{rowspec.Switch, rowspec.SwitchLibc}, switchPhasesSupports, switchPhasesSimulated, switchPhasesChart},
	{"latency.png", "Round-trip latency distribution", "CDF of every round trip of the pipe, futex, eventfd and unix rows at cpu=same, process against thread, from the sidecar histograms merged over the inputs.",
		[]rowspec.Family{rowspec.Switch, rowspec.SwitchLibc}, latencySupports(hist.KindRoundTrip), latencySimulated, latencyChart(hist.KindRoundTrip)},
	{"wake.png", "Wake-up latency distribution", "CDF of the time from the waker's wake call to the wakee running in user space (SwitchWake rows, cpu=same), process against thread.",
		[]rowspec.Family{rowspec.SwitchWake}, latencySupports(hist.KindWake), latencySimulated, latencyChart(hist.KindWake)},
	{"placement.png", "Round trip by placement", "The pipe round trip at every placement the machine has: one CPU, two CPUs, SMT siblings, one LLC, two LLCs, two nodes.",
		[]rowspec.Family{rowspec.Switch}, placementChartSupports, placementChartSimulated, placementChart},
	{"scaling.png", "Creation with several creators at once", "Per-creator cost of create + exit + reap/join with N creators at once, each on its own CPU, on log axes; a flat line (the dotted ideal) is a kernel path that scales, process against thread.",
		[]rowspec.Family{rowspec.CreatePar}, scalingSupports, scalingSimulated, scalingChart},
	{"flame.png", "Down to the kernel function: fork against thread (pprof=cpu)", "Icicle charts of the kernel stacks sampled in the pprof=cpu twins of fork and thread: the kernel entry at the top, callees below, each box as wide as its share of the row's sampled op.",
		[]rowspec.Family{rowspec.Create}, flameSupports, flameSimulated, flameChart},
}

// The documented figures the switch chart is drawn against (the seeds):
// 2.7–5.48 µs per process switch, about 3.8 µs per thread switch.
const (
	docProcessLo = 2.7
	docProcessHi = 5.48
	docThread    = 3.8
)

const methodCaption = "median of n samples; bars: 95% confidence interval of the median (benchmath, distribution-free, as benchstat)"

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
	var fps []chartkit.Point
	for _, pt := range pts {
		xys = append(xys, plotter.XY{X: pt.x, Y: pt.y})
		fps = append(fps, chartkit.Point{X: pt.x, Y: pt.y, Lo: pt.lo, Hi: pt.hi})
	}
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(4), Shape: g}
	eb, err := chartkit.CIBars(fps, c, vg.Points(8))
	if err != nil {
		return nil, err
	}
	if eb != nil {
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

// kindLegend names each kind Style.Kind gives; "other" is for a kind
// rowspec adds before report learns it.
var kindLegend = map[string]string{
	"process":   "process (own thread group)",
	"thread":    "thread (joins our thread group)",
	"goroutine": "goroutine (no kernel task)",
	"other":     "other",
}

// kinds are kindLegend's keys in legend order.
var kinds = []string{"process", "thread", "goroutine", "other"}

// kindOf is s's kind as the legends name it.
func kindOf(s rowspec.Style) string {
	if _, ok := kindLegend[s.Kind()]; ok {
		return s.Kind()
	}
	return "other"
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

type noThumb struct{}

func (noThumb) Thumbnail(*draw.Canvas) {}

type noGlyph struct{}

func (noGlyph) DrawGlyph(*draw.Canvas, draw.GlyphStyle, vg.Point) {}

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

func signed(ns float64) string {
	if ns >= 0 {
		return "+" + fmtNs(ns)
	}
	return "−" + fmtNs(-ns)
}

func lighten(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8)/3 + 0xFF*2/3) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 0xFF}
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// switchCost returns the per-switch summary of a Switch row: ns/switch, or
// half the round trip when the row does not report it.
func switchCost(r *Row) (Summary, bool) {
	if s, ok := r.Summary(rowspec.UnitNsSwitch); ok {
		return s, true
	}
	s, ok := r.Primary()
	if !ok {
		return s, false
	}
	s.Median, s.Lo, s.Hi = s.Median/2, s.Lo/2, s.Hi/2
	s.Unit = rowspec.UnitNsOp + "÷2"
	return s, true
}
