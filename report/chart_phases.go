package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/rowspec"
)

// Phases of probed creation rows (package probe, /probe=sched names):
// each bar is one row's op stacked by phase, groups side by side: fork
// against thread, the clone-flag sweep, and the RSS sweep of fork and
// thread (thp=off).

// probedRowsOf is rowsOf for the probe=sched twins, which rowsOf leaves out.
func (d *Data) probedRowsOf(h *Host, family rowspec.Family) []*Row {
	var out []*Row
	for _, r := range d.Rows {
		if r.Host == h && r.Known && r.Spec.Family == family && r.Spec.Probe != "" {
			if _, ok := r.Summary(rowspec.UnitCopyNsOp); ok {
				out = append(out, r)
			}
		}
	}
	return out
}

// phaseBar is one bar of the chart: a probed row and its group.
type phaseBar struct {
	group, label string
	r            *Row
}

// phaseBars are the chart's bars in drawing order; each group keeps, for
// each slot, the row at its most preferred placement.
func (d *Data) phaseBars(h *Host) []phaseBar {
	var bars []phaseBar
	create := placed(d.probedRowsOf(h, rowspec.Create), func(r *Row) string { return string(r.Spec.Style) })
	sortRows(create, func(r *Row) int { return styleRank(r.Spec.Style) })
	for _, r := range create {
		bars = append(bars, phaseBar{"style", string(r.Spec.Style), r})
	}
	prev := ""
	for _, r := range placed(d.probedRowsOf(h, rowspec.CloneFlags), func(r *Row) string { return r.Spec.Flags }) {
		label := seedSetName(r.Spec.Flags)
		if prev != "" {
			label = flagStep(prev, r.Spec.Flags)
		}
		prev = r.Spec.Flags
		bars = append(bars, phaseBar{"clone flags", label, r})
	}
	var rss []*Row
	for _, r := range d.probedRowsOf(h, rowspec.CreateRSS) {
		if !r.Spec.THP {
			rss = append(rss, r)
		}
	}
	rss = placed(rss, func(r *Row) string { return string(r.Spec.Style) + "/" + r.Spec.RSS.String() })
	slices.SortStableFunc(rss, func(a, b *Row) int {
		if c := styleRank(a.Spec.Style) - styleRank(b.Spec.Style); c != 0 {
			return c
		}
		return int(a.Spec.RSS>>20) - int(b.Spec.RSS>>20)
	})
	for _, r := range rss {
		bars = append(bars, phaseBar{"rss", string(r.Spec.Style) + " " + r.Spec.RSS.String(), r})
	}
	return bars
}

func phasesSupports(in *chartData) (bool, string) {
	return len(in.d.phaseBars(in.h)) > 0, "no probed creation rows (/probe=sched, runbench run -probe) with copy-ns/op in the input"
}

func phasesSimulated(in *chartData) bool {
	var rows []*Row
	for _, b := range in.d.phaseBars(in.h) {
		rows = append(rows, b.r)
	}
	return anySim(rows)
}

// phaseColors are the phases' fills, in rowspec.PhaseUnits order: the two
// the seeds name (copy, teardown) strong, the rest pale.
var phaseColors = map[string]color.Color{
	rowspec.UnitBetweenNsOp:  color.Gray{Y: 0xE0},
	rowspec.UnitCopyNsOp:     colProcess,
	rowspec.UnitStartNsOp:    color.RGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xFF},
	rowspec.UnitRunNsOp:      color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF},
	rowspec.UnitTeardownNsOp: colThread,
	rowspec.UnitReapNsOp:     color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF},
	rowspec.UnitOtherNsOp:    colOther,
}

// phaseMedian is r's median of phase unit u, 0 when r lacks it.
func phaseMedian(r *Row, u string) float64 {
	if s, ok := r.Summary(u); ok && !math.IsNaN(s.Median) {
		return s.Median
	}
	return 0
}

// copyTeardownShare is (copy + teardown) / ns/op of r.
func copyTeardownShare(r *Row) (float64, bool) {
	p, ok := r.Primary()
	if !ok || p.Median <= 0 {
		return 0, false
	}
	return (phaseMedian(r, rowspec.UnitCopyNsOp) + phaseMedian(r, rowspec.UnitTeardownNsOp)) / p.Median, true
}

func phasesChart(in *chartData, sim bool) (*figure, error) {
	bars := in.d.phaseBars(in.h)
	p := newPlot(simTitle("Where a creation op's time goes, by kernel tracepoints (probe=sched)", sim),
		"probed row (groups: style · clone-flag sweep · parent RSS, thp=off)", "µs per create + exit + reap/join")
	w := vg.Length(math.Max(9, 0.55*float64(len(bars))+4)) * vg.Inch
	barW := vg.Length(math.Min(28, 0.6*float64((w-3*vg.Inch)/vg.Points(1))/float64(len(bars)+1)))
	var ticks []string
	for _, b := range bars {
		ticks = append(ticks, b.group+"\n"+shorten(b.label, 24))
	}
	if err := stackPhases(p, bars, rowspec.PhaseUnits(), phaseColors, barW); err != nil {
		return nil, err
	}
	// The row's own ns/op, which the phases should reach, and the share
	// of copy + teardown above each bar.
	hi, err := markTotals(p, bars, barW, func(b phaseBar, median float64) string {
		share, _ := copyTeardownShare(b.r)
		return fmt.Sprintf("%s\n%.0f%%", fmtNs(median), 100*share)
	})
	if err != nil {
		return nil, err
	}
	p.NominalX(ticks...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YTop
	p.X.Tick.Label.Font.Size = vg.Points(8)
	p.X.Min, p.X.Max = -0.7, float64(len(bars))-0.3
	p.Y.Min, p.Y.Max = 0, hi*1.2
	return &figure{p: p, w: w, h: 6.5 * vg.Inch,
		caption: []string{machineCaption(in.h), "bars: median of each phase (package probe's table names the tracepoints bounding it); dash: the row's median ns/op; label: ns/op and the share of copy + teardown"}}, nil
}

// stackPhases stacks one bar per probed row, a segment per phase unit
// (units with no time in any row left out of the stack and the legend).
func stackPhases(p *plot.Plot, bars []phaseBar, units []string, colors map[string]color.Color, barW vg.Length) error {
	var below *plotter.BarChart
	for _, u := range units {
		vals := make(plotter.Values, len(bars))
		any := false
		for i, b := range bars {
			vals[i] = µs(phaseMedian(b.r, u))
			any = any || vals[i] > 0
		}
		if !any {
			continue
		}
		bc, err := plotter.NewBarChart(vals, vg.Points(float64(barW)))
		if err != nil {
			return err
		}
		bc.Color = colors[u]
		bc.LineStyle.Width = vg.Points(0.3)
		if below != nil {
			bc.StackOn(below)
		}
		below = bc
		p.Add(bc)
		p.Legend.Add(strings.TrimSuffix(u, "-ns/op"), bc)
	}
	return nil
}

// markTotals draws each bar's row ns/op as a dash, which the stacked
// phases should reach, labelled by label, and returns the highest, in µs.
func markTotals(p *plot.Plot, bars []phaseBar, barW vg.Length, label func(b phaseBar, median float64) string) (float64, error) {
	var tops plotter.XYs
	var txt []string
	hi := 0.0
	for i, b := range bars {
		s, ok := b.r.Primary()
		if !ok {
			continue
		}
		tops = append(tops, plotter.XY{X: float64(i), Y: µs(s.Median)})
		txt = append(txt, label(b, s.Median))
		hi = math.Max(hi, µs(s.Median))
	}
	if len(tops) == 0 {
		return hi, nil
	}
	sc, err := plotter.NewScatter(tops)
	if err != nil {
		return 0, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(float64(barW) / 2), Shape: dashGlyph{}}
	p.Add(sc)
	p.Legend.Add("row's ns/op", sc)
	l, err := labels(tops, txt, 7, vg.Point{Y: vg.Points(4)}, draw.XCenter)
	if err != nil {
		return 0, err
	}
	p.Add(l)
	return hi, nil
}

// dashGlyph is a horizontal line across a bar.
type dashGlyph struct{}

func (dashGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	ls := draw.LineStyle{Color: sty.Color, Width: vg.Points(2)}
	c.StrokeLine2(ls, pt.X-sty.Radius, pt.Y, pt.X+sty.Radius, pt.Y)
}
