package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/clonebench/clonebench/internal/topology"
	"github.com/clonebench/clonebench/rowspec"
)

// The placement chart: the pipe round trip at every placement the machine
// gave (cpu=same, cross, any and the topology placements smt, llc, xllc,
// xnode), process beside thread. A placement the machine lacks has no row
// (it was skipped with its reason) and so no bar.

// placementPipeSpec is the row the placement chart draws for mode at c.
func placementPipeSpec(mode rowspec.Mode, c rowspec.CPU) rowspec.Spec {
	return rowspec.Spec{Family: rowspec.Switch, Mech: rowspec.MechPipe, Mode: mode, CPU: c}
}

// placementBars are the placements with a row for either mode, in rowspec
// order, and those rows ([process, thread], either may be nil).
func (in *chartData) placementBars() ([]rowspec.CPU, [][2]*Row) {
	var cpus []rowspec.CPU
	var rows [][2]*Row
	for _, c := range rowspec.CPUs() {
		pr := in.d.find(in.h, placementPipeSpec(rowspec.ModeProcess, c))
		tr := in.d.find(in.h, placementPipeSpec(rowspec.ModeThread, c))
		if pr == nil && tr == nil {
			continue
		}
		cpus = append(cpus, c)
		rows = append(rows, [2]*Row{pr, tr})
	}
	return cpus, rows
}

func placementChartSupports(in *chartData) (bool, string) {
	cpus, _ := in.placementBars()
	return len(cpus) > 0, "no BenchmarkSwitch/mech=pipe rows at ws=0 in the input"
}

func placementChartSimulated(in *chartData) bool {
	_, rows := in.placementBars()
	for _, pr := range rows {
		for _, r := range pr {
			if r != nil && r.Simulated {
				return true
			}
		}
	}
	return false
}

func placementChart(in *chartData, sim bool) (*figure, error) {
	cpus, rows := in.placementBars()
	p := newPlot(simTitle("Pipe round trip by placement: process vs thread", sim), "placement (cpu=)", "µs per round trip")
	const bw = 0.36
	var names []string
	var pts [2][]point
	var first [2]*plotter.Polygon
	hi := 0.0
	for i, c := range cpus {
		names = append(names, string(c))
		for j, r := range rows[i] {
			if r == nil {
				continue
			}
			s, ok := r.Primary()
			if !ok {
				continue
			}
			cx := float64(i) - bw/2 - 0.01
			col := colProcess
			if j == 1 {
				cx = float64(i) + bw/2 + 0.01
				col = colThread
			}
			y := µs(s.Median)
			bar, err := plotter.NewPolygon(plotter.XYs{{X: cx - bw/2, Y: 0}, {X: cx + bw/2, Y: 0}, {X: cx + bw/2, Y: y}, {X: cx - bw/2, Y: y}})
			if err != nil {
				return nil, err
			}
			bar.Color = lighten(col)
			bar.LineStyle.Color = col
			p.Add(bar)
			if first[j] == nil {
				first[j] = bar
			}
			pts[j] = append(pts[j], ciPoint(cx, s, µs))
			hi = math.Max(hi, finiteOr(µs(s.Hi), y))
		}
	}
	for j, c := range []color.Color{colProcess, colThread} {
		if len(pts[j]) == 0 {
			continue
		}
		if _, err := addCI(p, pts[j], c, glyphs[j]); err != nil {
			return nil, err
		}
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(cpus))-0.4
	p.Y.Min, p.Y.Max = 0, hi*1.2
	if first[0] != nil {
		p.Legend.Add("process (fork-style flags)", first[0])
	}
	if first[1] != nil {
		p.Legend.Add("thread (thread-style flags)", first[1])
	}
	top := in.h.Get(topology.KeyCPUsAllowed)
	topo := ""
	if top != "" {
		topo = fmt.Sprintf("; allowed CPUs %s, smt %s, %s cores, %s LLCs, %s nodes", top, in.h.Get(topology.KeySMT), in.h.Get(topology.KeyCores), in.h.Get(topology.KeyLLCs), in.h.Get(topology.KeyNodes))
	}
	capt := []string{machineCaption(in.h),
		"ws=0; one bar per placement this machine gave (the others skip with their reason)" + topo + "; " + methodCaption}
	return &figure{p: p, w: 10 * vg.Inch, h: 5.5 * vg.Inch, caption: capt}, nil
}
