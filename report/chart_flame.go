package report

import (
	"hash/fnv"
	"image/color"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/kprof"
)

// An icicle chart (a flame graph hung from the top) of fork against
// thread from their pprof=cpu profiles: the kernel entry points at the
// top, each callee below its caller, each box as wide as the function's
// cumulative share of the row's sampled op. fork's icicle sits left,
// thread's right, each scaled to its own op (fork's op is many times
// thread's: the table in report.md gives the times).

// flameDepth is the deepest frame drawn, counted from the kernel entry:
// enough to reach copy_page_range under entry, syscall, clone, copy_mm
// and dup_mmap.
const flameDepth = 14

// flameUser is the box of samples with no kernel frame.
const flameUser = "[user]"

func flameSupports(in *chartData) (bool, string) {
	fork, thread := in.d.forkThreadProfiles(in.h)
	return fork != nil && thread != nil, "no pprof sidecars of both Create/style=fork and style=thread (runbench run -pprof) in the input"
}

func flameSimulated(*chartData) bool { return false } // the simulated kernel is never sampled

// flameNode is one box: a function reached by one call path.
type flameNode struct {
	name     string
	value    int64
	children map[string]*flameNode
}

// flameTree folds rp's samples into a tree rooted at the kernel entry,
// outermost kernel frame first, flameDepth frames deep.
func flameTree(rp *RowProfile) *flameNode {
	root := &flameNode{children: map[string]*flameNode{}}
	vi := len(rp.Profile.SampleType) - 1
	for _, s := range rp.Profile.Sample {
		v := s.Value[vi]
		root.value += v
		var path []string
		for _, l := range s.Location {
			if l.Mapping == nil || l.Mapping.File != kprof.KernelMapping {
				continue
			}
			name := "?"
			if len(l.Line) > 0 && l.Line[0].Function != nil {
				name = l.Line[0].Function.Name
			}
			path = append(path, name)
		}
		if len(path) == 0 {
			path = []string{flameUser}
		}
		n := root
		for i := len(path) - 1; i >= 0 && len(path)-i <= flameDepth; i-- {
			c, ok := n.children[path[i]]
			if !ok {
				c = &flameNode{name: path[i], children: map[string]*flameNode{}}
				n.children[path[i]] = c
			}
			c.value += v
			n = c
		}
	}
	return root
}

// flameBox is a box in data coordinates: x in percent of the op (plus
// the panel's offset), y downward in frames.
type flameBox struct {
	x0, x1 float64
	depth  int
	name   string
}

// layout places n's children left to right, widest first, under x0.
func (n *flameNode) layout(x0, scale float64, depth int, out []flameBox) []flameBox {
	kids := make([]*flameNode, 0, len(n.children))
	for _, c := range n.children {
		kids = append(kids, c)
	}
	sort.Slice(kids, func(i, j int) bool {
		if kids[i].value != kids[j].value {
			return kids[i].value > kids[j].value
		}
		return kids[i].name < kids[j].name
	})
	x := x0
	for _, c := range kids {
		w := float64(c.value) * scale
		out = append(out, flameBox{x, x + w, depth, c.name})
		out = c.layout(x, scale, depth+1, out)
		x += w
	}
	return out
}

// icicle draws boxes; it is a plot.Plotter and plot.DataRanger.
type icicle struct {
	boxes []flameBox
	text  draw.TextStyle
}

// flameColor is a warm colour chosen by the function's name, so one
// function has one colour in both panels and in every report.
func flameColor(name string) color.Color {
	if name == flameUser {
		return color.Gray{Y: 0xD0}
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	v := h.Sum32()
	return color.RGBA{R: 0xE0 + uint8(v%0x20), G: 0x50 + uint8((v>>8)%0x90), B: 0x20 + uint8((v>>16)%0x40), A: 0xFF}
}

func (ic *icicle) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	edge := draw.LineStyle{Color: color.White, Width: vg.Points(0.5)}
	for _, b := range ic.boxes {
		x0, x1 := trX(b.x0), trX(b.x1)
		y0, y1 := trY(-float64(b.depth)), trY(-float64(b.depth)-0.92)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(flameColor(b.name), c.ClipPolygonXY(pts))
		c.StrokeLines(edge, c.ClipLinesXY(append(pts, pts[0]))...)
		// A label as long as the box holds, cut with "…".
		room := int(float64(x1-x0-vg.Points(4)) / float64(ic.text.Font.Size*0.55))
		if room < 4 {
			continue
		}
		label := b.name
		if len([]rune(label)) > room {
			label = string([]rune(label)[:room-1]) + "…"
		}
		c.FillText(ic.text, vg.Point{X: x0 + vg.Points(2), Y: (y0 + y1) / 2}, label)
	}
}

func (ic *icicle) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = 0, 100, -1, 0
	for _, b := range ic.boxes {
		xmax = max(xmax, b.x1)
		ymin = min(ymin, -float64(b.depth)-1)
	}
	return xmin, xmax, ymin, ymax
}

// flamePanelGap is the space between the two icicles, in percent.
const flamePanelGap = 8

func flameChart(in *chartData, _ bool) (*figure, error) {
	fork, thread := in.d.forkThreadProfiles(in.h)
	p := newPlot("Kernel functions of fork (left) and thread (right), pprof=cpu",
		"share of the row's sampled op, % (fork 0–100, thread from "+sig3(100+flamePanelGap)+")", "call depth from the kernel entry")
	ic := &icicle{text: p.X.Tick.Label}
	ic.text.Font.Size = vg.Points(7)
	ic.text.XAlign, ic.text.YAlign = draw.XLeft, draw.YCenter
	ic.text.Rotation = 0
	for i, rp := range []*RowProfile{fork, thread} {
		t := flameTree(rp)
		if t.value == 0 {
			continue
		}
		ic.boxes = t.layout(float64(i)*(100+flamePanelGap), 100/float64(t.value), 0, ic.boxes)
	}
	p.Add(ic)
	p.X.Min, p.X.Max = 0, 200+flamePanelGap
	p.Y.Min, p.Y.Max = -flameDepth, 0
	p.Y.Tick.Marker = plot.ConstantTicks(nil)
	p.X.Tick.Marker = plot.ConstantTicks([]plot.Tick{
		{Value: 0, Label: "0"}, {Value: 50, Label: "fork 50%"}, {Value: 100, Label: "100"},
		{Value: 100 + flamePanelGap, Label: "0"}, {Value: 150 + flamePanelGap, Label: "thread 50%"}, {Value: 200 + flamePanelGap, Label: "100"},
	})
	return &figure{p: p, w: 14 * vg.Inch, h: 7 * vg.Inch,
		caption: []string{machineCaption(in.h),
			fork.Spec.String() + " · " + thread.Spec.String() + " · sampled: " + fork.Source()}}, nil
}
