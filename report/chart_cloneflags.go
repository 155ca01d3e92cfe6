package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func cloneFlagsSupports(in *chartData) (bool, string) {
	rows, _ := in.d.cloneFlagSteps(in.h)
	return len(rows) > 0, "no BenchmarkCloneFlags rows with ns/op in the input"
}

func cloneFlagsSimulated(in *chartData) bool {
	rows, _ := in.d.cloneFlagSteps(in.h)
	return anySim(rows)
}

// cloneFlagsChart draws the sweep as a staircase, each step labelled.
func cloneFlagsChart(in *chartData, sim bool) (*figure, error) {
	rows, sums := in.d.cloneFlagSteps(in.h)
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
			prev = rows[i-1].Spec.Flags
		}
		tick := flagStep(prev, r.Spec.Flags)
		if i == 0 {
			tick = seedSetName(r.Spec.Flags)
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
		return nil, err
	}
	line.Color = colProcess
	line.Width = vg.Points(2)
	p.Add(line)
	s, err := addCI(p, pts, color.Black, draw.CircleGlyph{})
	if err != nil {
		return nil, err
	}
	l, err := labels(lxy, ltext, 9, vg.Point{Y: vg.Points(6)}, draw.XCenter)
	if err != nil {
		return nil, err
	}
	p.Add(l)
	p.Legend.Add("cost of the flag set", line)
	p.Legend.Add("median, 95% CI", s, ciThumb{color.Black})
	return &figure{p: p, w: 10 * vg.Inch, h: 6 * vg.Inch,
		caption: []string{machineCaption(in.h), "first step: the starting set; each later step adds (+) or drops (−) flags; Δ: cost change from the previous set; " + methodCaption}}, nil
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
