package report

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/rowspec"
)

// A latency CDF chart: for each mechanism, the cumulative distribution of
// one row's latencies, process beside thread, both tasks on one CPU, from
// the sidecar histograms merged over every input run.

// latencySeries is one CDF line.
type latencySeries struct {
	mech rowspec.Mech
	mode rowspec.Mode
	l    *LatencyRow
}

// latencyRowSpec is the row whose histogram of kind the chart draws for
// mech and mode.
func latencyRowSpec(kind string, mech rowspec.Mech, mode rowspec.Mode) rowspec.Spec {
	if kind == hist.KindWake {
		return rowspec.Spec{Family: rowspec.SwitchWake, Mech: mech, Mode: mode, CPU: rowspec.CPUSame}
	}
	return rowspec.Spec{Family: rowspec.Switch, Mech: mech, Mode: mode, CPU: rowspec.CPUSame}
}

func (in *chartData) latencySeries(kind string) []latencySeries {
	var out []latencySeries
	for _, m := range rowspec.Mechs() {
		for _, mode := range []rowspec.Mode{rowspec.ModeProcess, rowspec.ModeThread} {
			if l := in.d.latencyOf(in.h, latencyRowSpec(kind, m, mode), kind); l != nil && l.Hist.Count() > 0 {
				out = append(out, latencySeries{m, mode, l})
			}
		}
	}
	return out
}

func latencySupports(kind string) func(in *chartData) (bool, string) {
	return func(in *chartData) (bool, string) {
		fam := rowspec.Switch
		if kind == hist.KindWake {
			fam = rowspec.SwitchWake
		}
		return len(in.latencySeries(kind)) > 0, fmt.Sprintf("no %s histograms of Benchmark%s rows at cpu=same in the inputs' sidecars (UTCTIME.hist beside UTCTIME.txt, written by runbench run)", kind, fam)
	}
}

// Histograms come only from real runs: simkernel writes none.
func latencySimulated(*chartData) bool { return false }

// cdfXYs are the points of h's CDF: at each non-empty bucket's upper
// bound, the fraction of values at or below it, x in µs.
func cdfXYs(h *hist.Histogram) plotter.XYs {
	var xys plotter.XYs
	var seen uint64
	n := float64(h.Count())
	for _, b := range h.Nonzero() {
		seen += b.Count
		xys = append(xys, plotter.XY{X: µs(float64(b.Hi) + 1), Y: float64(seen) / n})
	}
	return xys
}

var mechDashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}, {vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)}, {vg.Points(1), vg.Points(4)}, {vg.Points(10), vg.Points(4)}}

func latencyChart(kind string) func(in *chartData, sim bool) (*figure, error) {
	return func(in *chartData, sim bool) (*figure, error) {
		series := in.latencySeries(kind)
		title, what := "Round-trip latency CDF: process vs thread, both tasks on one CPU", "round trip"
		if kind == hist.KindWake {
			title, what = "Wake-up latency CDF: process vs thread, both tasks on one CPU", "wake call to wakee in user space"
		}
		p := newPlot(title, "µs per "+what+" (log scale)", "fraction at or below")
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
		p.Legend.Top, p.Legend.Left = false, false
		xmin, xmax := math.Inf(1), 0.0
		for _, s := range series {
			xys := cdfXYs(s.l.Hist)
			line, err := plotter.NewLine(xys)
			if err != nil {
				return nil, err
			}
			line.Color = colProcess
			if s.mode == rowspec.ModeThread {
				line.Color = colThread
			}
			line.Width = vg.Points(1.6)
			line.Dashes = mechDashes[max(0, slices.Index(rowspec.Mechs(), s.mech))%len(mechDashes)]
			p.Add(line)
			p50, _ := s.l.Hist.Quantile(0.5)
			p99, _ := s.l.Hist.Quantile(0.99)
			p.Legend.Add(fmt.Sprintf("%s %s  p50 %s  p99 %s", s.mech, s.mode, fmtNs(p50), fmtNs(p99)), line)
			// The axis ends a little past the largest p99.9, so a lone
			// outlier does not squeeze the body of every curve.
			p999, _ := s.l.Hist.Quantile(0.999)
			xmin, xmax = math.Min(xmin, xys[0].X), math.Max(xmax, math.Min(xys[len(xys)-1].X, 2*µs(p999)))
		}
		p.X.Min, p.X.Max = xmin/1.2, xmax*1.2
		p.Y.Min, p.Y.Max = 0, 1.02
		for _, q := range []float64{0.5, 0.9, 0.99} {
			ref, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: q}, {X: p.X.Max, Y: q}})
			if err != nil {
				return nil, err
			}
			ref.Color, ref.Width, ref.Dashes = colGrey, vg.Points(0.6), []vg.Length{vg.Points(2), vg.Points(3)}
			p.Add(ref)
		}
		var total uint64
		for _, s := range series {
			total += s.l.Hist.Count()
		}
		capt := []string{machineCaption(in.h),
			fmt.Sprintf("Colour: process (vermillion) or thread (blue); dash: mechanism. From the runs' log-linear histograms merged (%d values; buckets ≤ 3.1%% wide); grey lines at p50, p90, p99; the axis stops at twice the largest p99.9.", total)}
		return &figure{p: p, w: 10 * vg.Inch, h: 5.5 * vg.Inch, caption: capt}, nil
	}
}
