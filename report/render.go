package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/internal/chartkit"
	"github.com/clonebench/clonebench/resultfile"
)

// The charts' colours, from the shared palette: a process is always
// vermillion, a thread blue, a goroutine green.
var (
	colProcess   = chartkit.Vermillion
	colThread    = chartkit.Blue
	colGoroutine = chartkit.Green
	colOther     = chartkit.Purple
	colGrey      = chartkit.Grey
	colRegress   = chartkit.Regress
	colImprove   = chartkit.Improve
	palette      = chartkit.Palette()
	dashes       = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}}
)

// figure is a plot plus what the report adds around it: a legend strip
// beside or below the plot (so the legend never covers data), the y-axis
// label drawn by the figure (gonum centres it by the data midpoint, which on
// a log axis pushes the plot down), and a caption naming the machine.
type figure struct {
	name        string // file name, e.g. "creation.png"
	p           *plot.Plot
	caption     []string
	w, h        vg.Length
	legendBelow bool
	// placement names the creation placement the figures were taken at
	// ("cpu=same", "cpu=same where measured, else cpu=any"), for
	// report.md's title and caption; "" for charts of other rows.
	placement string
	// data is where render put the data area, for tests of the layout.
	data vg.Rectangle
}

// render draws the figure into PNG bytes.
func (f *figure) render() ([]byte, error) {
	c := chartkit.Canvas(f.w, f.h)
	dc := draw.New(c)
	pad := vg.Points(10)

	// Caption, wrapped to the width, at the bottom.
	capStyle := textStyle(9, color.Gray{Y: 0x40})
	capStyle.XAlign = draw.XLeft
	var lines []string
	for _, l := range f.caption {
		lines = append(lines, wrapText(capStyle, l, f.w-2*pad)...)
	}
	lineH := capStyle.Height("Xg") * 1.15
	capH := vg.Length(len(lines))*lineH + pad
	y := dc.Min.Y + pad/2 + vg.Length(len(lines)-1)*lineH
	for _, l := range lines {
		dc.FillText(capStyle, vg.Point{X: dc.Min.X + pad, Y: y}, l)
		y -= lineH
	}
	dc.StrokeLine2(draw.LineStyle{Color: color.Gray{Y: 0xC0}, Width: vg.Points(0.5)},
		dc.Min.X+pad, dc.Min.Y+capH, dc.Max.X-pad, dc.Min.Y+capH)

	// The y label, drawn by us beside the axis.
	ylabel := f.p.Y.Label
	f.p.Y.Label.Text = ""
	defer func() { f.p.Y.Label = ylabel }()
	var ylabW vg.Length
	if ylabel.Text != "" {
		ylabW = ylabel.TextStyle.Height(ylabel.Text) + pad/2
	}

	leg := f.p.Legend
	f.p.Legend = plot.NewLegend()
	defer func() { f.p.Legend = leg }()
	legR := leg.Rectangle(dc)
	var legW, legH vg.Length
	if legR.Size().X > 0 {
		if f.legendBelow {
			legH = legR.Size().Y + pad
		} else {
			legW = legR.Size().X + 2*pad
		}
	}
	area := draw.Crop(dc, pad+ylabW, -(legW + pad), capH+legH+pad/2, -pad)
	f.p.Draw(area)
	data := f.p.DataCanvas(area)
	f.data = data.Rectangle
	if ylabel.Text != "" {
		sty := ylabel.TextStyle
		sty.Rotation = math.Pi / 2
		sty.XAlign = draw.XCenter
		sty.YAlign = draw.YCenter
		dc.FillText(sty, vg.Point{X: dc.Min.X + pad + ylabW/2, Y: (data.Min.Y + data.Max.Y) / 2}, ylabel.Text)
	}
	switch {
	case legW > 0:
		top := vg.Length(0)
		if f.p.Title.Text != "" {
			top = f.p.Title.TextStyle.Rectangle(f.p.Title.Text).Size().Y + f.p.Title.Padding
		}
		leg.Draw(draw.Crop(dc, dc.Size().X-legW, -pad, capH+pad, -(pad + top + pad)))
	case legH > 0:
		leg.Draw(draw.Crop(dc, data.Min.X, 0, capH+pad/2, -(dc.Size().Y - capH - legH)))
	}

	png, err := chartkit.PNG(c)
	if err != nil {
		return nil, fmt.Errorf("report: %s: %w", f.name, err)
	}
	return png, nil
}

// wrapText breaks s into lines no wider than w in style sty.
func wrapText(sty text.Style, s string, w vg.Length) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		try := word
		if cur != "" {
			try = cur + " " + word
		}
		if cur != "" && sty.Width(try) > w {
			lines = append(lines, cur)
			cur = word
			continue
		}
		cur = try
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// linTicks labels a linear axis every 1, 2 or 5 × 10^k, about seven times,
// with half steps as minor ticks; plot.DefaultTicks labels only three or
// four and prints -25.00 for -25.
type linTicks struct{}

func (linTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) {
		return nil
	}
	raw := (max - min) / 7
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	prec := 0
	if step < 1 {
		prec = int(math.Ceil(-math.Log10(step)))
	}
	var ticks []plot.Tick
	for i := math.Ceil(min / (step / 2)); i*(step/2) <= max*(1+1e-9)+1e-12; i++ {
		v := i * step / 2
		t := plot.Tick{Value: v}
		if int64(i)%2 == 0 {
			if math.Abs(v) < step*1e-9 {
				v = 0
			}
			t.Label = strconv.FormatFloat(v, 'f', prec, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// tickName wraps a long hyphenated name ("thread-fresh-stack") over lines
// so neighbouring tick labels do not run into each other.
func tickName(s string, sim bool) string {
	const max = 10 // "fork-minimal" wraps; nine styles share the axis
	var lines []string
	cur := ""
	for _, part := range strings.SplitAfter(s, "-") {
		if cur != "" && len(cur)+len(part) > max {
			lines = append(lines, cur)
			cur = ""
		}
		cur += part
	}
	lines = append(lines, cur)
	if sim {
		lines = append(lines, "(simulated)")
	}
	return strings.Join(lines, "\n")
}

func textStyle(size float64, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(plot.DefaultFont, vg.Points(size)),
		Handler: plot.DefaultTextHandler,
	}
}

// writeAtomic writes data to dir/name with resultfile.WriteNew, as every
// file of a report is written, and returns the path. A report is drawn
// into a directory of its own (runbench report draws into a fresh
// temporary one and renames it into place), so a file already there is
// never replaced: it is an error wrapping os.ErrExist.
func writeAtomic(dir, name string, data []byte) (string, error) {
	path := filepath.Join(dir, name)
	if err := resultfile.WriteNew(path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	return path, nil
}

// logTicks labels 1-2-5 steps when the axis spans few decades and powers of
// ten otherwise; plot.LogTicks labels powers of ten only, which leaves a
// narrow axis without a single label.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 || max <= 0 || min >= max {
		return nil
	}
	decades := math.Log10(max / min)
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		base := math.Pow(10, e)
		for i := 1; i < 10; i++ {
			v := base * float64(i)
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if i == 1 || (decades < 2.5 && (i == 2 || i == 5)) {
				t.Label = fmtTick(v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

func fmtTick(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// logRange widens [lo, hi] to whole decades (or 1-2-5 steps for narrow
// ranges) so the first and last ticks carry labels.
func logRange(lo, hi float64) (float64, float64) {
	l := math.Pow(10, math.Floor(math.Log10(lo)))
	h := math.Pow(10, math.Ceil(math.Log10(hi)))
	if h <= l {
		// One value on a decade: gonum widens an empty range by ±1,
		// which takes a log axis below zero.
		h = l * 10
	}
	if math.Log10(h/l) <= 2 {
		for _, m := range []float64{5, 2} {
			if l*m <= lo {
				l *= m
				break
			}
		}
		for _, m := range []float64{5, 2} {
			if h/m >= hi && h/m > l {
				h /= m
				break
			}
		}
	}
	return l, h
}

// machineCaption is the caption line naming a host by its config lines
// (resultfile.Machine.Caption).
func machineCaption(h *Host) string { return resultfile.MachineOf(h.Config).Caption() }

// µs converts nanoseconds for the charts' µs axes.
func µs(ns float64) float64 { return ns / 1e3 }

// fmtNs formats a duration in ns with three significant digits and a
// readable unit.
func fmtNs(ns float64) string {
	if math.IsNaN(ns) {
		return "—"
	}
	if math.IsInf(ns, 0) {
		return "∞"
	}
	a := math.Abs(ns)
	switch {
	case a >= 1e9:
		return sig3(ns/1e9) + " s"
	case a >= 1e6:
		return sig3(ns/1e6) + " ms"
	case a >= 1e3:
		return sig3(ns/1e3) + " µs"
	}
	return sig3(ns) + " ns"
}

func sig3(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// glyphs distinguish series without colour.
var glyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{}, draw.CrossGlyph{}}

func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.X.Label.TextStyle.Font.Size = vg.Points(11)
	p.Y.Label.TextStyle.Font.Size = vg.Points(11)
	p.X.Tick.Label.Font.Size = vg.Points(10)
	p.Y.Tick.Label.Font.Size = vg.Points(10)
	p.X.Tick.Marker = linTicks{}
	p.Y.Tick.Marker = linTicks{}
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.Padding = vg.Points(3)
	g := plotter.NewGrid()
	g.Horizontal.Color = color.Gray{Y: 0xE0}
	g.Vertical.Width = 0 // the x axes are mostly nominal
	p.Add(g)
	return p
}

// fmtSlope keeps two significant digits for the near-zero slopes of thread
// and vfork, which sig3 would print as 0.00.
func fmtSlope(v float64) string {
	if math.Abs(v) >= 0.1 || v == 0 {
		return sig3(v)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}
