package report

import (
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func cloneFlagsSupports(in *chartData) (bool, string) {
	rows, _, _ := in.d.cloneFlagSteps(in.h)
	return len(rows) > 0, "no BenchmarkCloneFlags rows with ns/op in the input"
}

func cloneFlagsSimulated(in *chartData) bool {
	rows, _, _ := in.d.cloneFlagSteps(in.h)
	return anySim(rows)
}

// cloneFlagsChart draws the sweep as a staircase, each step labelled.
func cloneFlagsChart(in *chartData, sim bool) (*figure, error) {
	rows, sums, at := in.d.cloneFlagSteps(in.h)
	p := newPlot(simTitle("Clone flags: fork's set to thread's set, one resource at a time, "+at.String(), sim),
		"flags changed from the previous step (sweep order)", "µs per create + exit + reap")
	var stair plotter.XYs
	var pts []point
	var steps []flagLabel
	var lxy plotter.XYs
	var ltext []string
	hi := 0.0
	for i, r := range rows {
		s := sums[i]
		x := float64(i)
		stair = append(stair, plotter.XY{X: x - 0.5, Y: µs(s.Median)}, plotter.XY{X: x + 0.5, Y: µs(s.Median)})
		pts = append(pts, ciPoint(x, s, µs))
		if i == 0 {
			steps = append(steps, setLabel(r.Spec.Flags))
		} else {
			steps = append(steps, flagLabel{words: strings.Fields(flagStep(rows[i-1].Spec.Flags, r.Spec.Flags)), sep: " "})
		}
		txt := fmtNs(s.Median)
		if i > 0 {
			txt += "\nΔ " + signed(s.Median-sums[i-1].Median)
		}
		lxy = append(lxy, plotter.XY{X: x, Y: µs(finiteOr(s.Hi, s.Median))})
		ltext = append(ltext, txt)
		hi = math.Max(hi, µs(finiteOr(s.Hi, s.Median)))
	}
	const w = 10 * vg.Inch
	lay := layFlagTicks(steps, p.X.Tick.Label, flagSlot(w, len(rows)))
	p.NominalX(lay.ticks...)
	p.X.Tick.Label = lay.style
	// gonum sets the axis label right under the tick labels' box, which
	// a wrapped label's last line fills to the bottom.
	p.X.Label.Padding += vg.Points(6)
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
	// The tick labels get their own height on top of a fixed plot, so
	// however many lines they take the staircase keeps its size.
	return &figure{p: p, w: w, h: 5*vg.Inch + lay.height, placement: at.String(),
		caption: []string{machineCaption(in.h), "first step: the starting set; each later step adds (+) or drops (−) flags; Δ: cost change from the previous set; " + methodCaption}}, nil
}

// flagLabel is one step's tick label as words that may go on lines of
// their own, and what joins two words on one line.
type flagLabel struct {
	words []string
	sep   string
}

// setLabel names the starting set: by its seed, or its flags, each but the
// last keeping its '|' so a wrapped set still reads as one.
func setLabel(flags string) flagLabel {
	if name := seedSetName(flags); name != flags {
		return flagLabel{words: []string{name}, sep: " "}
	}
	words := strings.SplitAfter(flags, "|")
	return flagLabel{words: words}
}

// flagSlot is the width of one step on the x axis of a figure w wide with n
// steps: the figure less the legend strip, the y axis and the margins
// (render's layout), over the n+0.2 units of the axis.
func flagSlot(w vg.Length, n int) vg.Length {
	return (w - 2.9*vg.Inch) / vg.Length(float64(n)+0.2)
}

// flagTicks is the x tick layout of the clone-flag chart.
type flagTicks struct {
	ticks  []string
	style  text.Style
	slant  bool
	height vg.Length // the tallest label's height as drawn
	slot   vg.Length
}

// layFlagTicks lays out the step labels for steps slot wide. While every
// word fits a slot, labels are horizontal and wrapped onto as many lines as
// they need: few steps, long labels (the quick sweep changes seven flags in
// one step). When a word does not fit (many steps), labels are slanted at
// 45°, one word per line, so a label's height is its longest word, not all
// its flags end to end.
func layFlagTicks(steps []flagLabel, sty text.Style, slot vg.Length) flagTicks {
	gap := vg.Points(8) // between neighbouring labels
	lay := flagTicks{style: sty, slot: slot}
	for _, st := range steps {
		for _, w := range st.words {
			if sty.Width(w) > slot-gap {
				lay.slant = true
			}
		}
	}
	if lay.slant {
		lay.style.Rotation = math.Pi / 4
		lay.style.XAlign = draw.XRight
		lay.style.YAlign = draw.YTop
	} else {
		lay.style.Rotation = 0
		lay.style.XAlign = draw.XCenter
		lay.style.YAlign = draw.YTop
	}
	for _, st := range steps {
		var lines []string
		if lay.slant {
			lines = st.words
		} else {
			cur := ""
			for _, w := range st.words {
				try := w
				if cur != "" {
					try = cur + st.sep + w
				}
				if cur != "" && sty.Width(try) > slot-gap {
					lines = append(lines, strings.TrimSpace(cur))
					try = w
				}
				cur = try
			}
			lines = append(lines, strings.TrimSpace(cur))
		}
		t := strings.Join(lines, "\n")
		lay.ticks = append(lay.ticks, t)
		lay.height = max(lay.height, lay.style.Rectangle(t).Size().Y)
	}
	return lay
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
