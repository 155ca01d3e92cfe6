package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// dpi is fixed so the golden images do not depend on package defaults.
const dpi = 96

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
var (
	colProcess   = color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF} // vermillion
	colThread    = color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF} // blue
	colGoroutine = color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF} // green
	colOther     = color.RGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF} // purple
	colGrey      = color.RGBA{R: 0x77, G: 0x77, B: 0x77, A: 0xFF}
	colRegress   = color.RGBA{R: 0xC0, G: 0x1B, B: 0x1B, A: 0xFF}
	colImprove   = color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}
	palette      = []color.Color{
		colProcess, colThread, colGoroutine, colOther,
		color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
		color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
		color.RGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xFF}, // yellow
		color.Black,
	}
	dashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}}
)

// figure is a plot plus what the report adds around it: a legend strip to
// the right (so the legend never covers data) and a caption naming the
// machine.
type figure struct {
	name    string // file name, e.g. "creation.png"
	p       *plot.Plot
	caption []string
	w, h    vg.Length
}

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
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.Padding = vg.Points(3)
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 0xE0}
	g.Horizontal.Color = color.Gray{Y: 0xE0}
	g.Vertical.Width = 0 // no vertical lines: the x axes are mostly nominal
	p.Add(g)
	return p
}

// render draws the figure into PNG bytes.
func (f *figure) render() ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)
	pad := vg.Points(10)

	capStyle := textStyle(9, color.Gray{Y: 0x40})
	capStyle.XAlign = draw.XLeft
	lineH := capStyle.Height("Xg") * 1.15
	capH := vg.Length(len(f.caption))*lineH + pad
	y := dc.Min.Y + pad/2 + vg.Length(len(f.caption)-1)*lineH
	for _, l := range f.caption {
		dc.FillText(capStyle, vg.Point{X: dc.Min.X + pad, Y: y}, l)
		y -= lineH
	}
	// A rule between the plot and its caption.
	dc.StrokeLine2(draw.LineStyle{Color: color.Gray{Y: 0xC0}, Width: vg.Points(0.5)},
		dc.Min.X+pad, dc.Min.Y+capH, dc.Max.X-pad, dc.Min.Y+capH)

	leg := f.p.Legend
	f.p.Legend = plot.NewLegend()
	defer func() { f.p.Legend = leg }()
	var legW vg.Length
	if n := leg.Rectangle(dc); n.Size().X > 0 {
		legW = n.Size().X + 2*pad
	}
	area := draw.Crop(dc, pad, -(legW + pad), capH+pad/2, -pad)
	f.p.Draw(area)
	if legW > 0 {
		top := vg.Length(0)
		if f.p.Title.Text != "" {
			top = f.p.Title.TextStyle.Rectangle(f.p.Title.Text).Size().Y + f.p.Title.Padding
		}
		la := draw.Crop(dc, dc.Size().X-legW, -pad, capH+pad, -(pad + top + pad))
		leg.Draw(la)
	}

	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("report: %s: %w", f.name, err)
	}
	return buf.Bytes(), nil
}

func textStyle(size float64, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(plot.DefaultFont, vg.Points(size)),
		Handler: plot.DefaultTextHandler,
	}
}

// writeAtomic writes data to dir/name through a temporary file in dir and a
// rename, so a reader never sees half a file.
func writeAtomic(dir, name string, data []byte) (string, error) {
	path := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("report: writing %s: %w", path, err)
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
	if math.Log10(h/l) <= 2 {
		for _, m := range []float64{5, 2} {
			if l*m <= lo {
				l *= m
				break
			}
		}
		for _, m := range []float64{5, 2} {
			if h/m >= hi {
				h /= m
				break
			}
		}
	}
	return l, h
}

// machineCaption is the caption line naming a host by its config lines.
func machineCaption(h *Host) string {
	var parts []string
	for _, k := range []string{"host", "cpu", "kernel", "virtualization", "nproc"} {
		if v := h.Get(k); v != "" {
			parts = append(parts, k+": "+v)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "machine: unknown (no cpu/kernel config lines in the input)")
	}
	s := strings.Join(parts, "   ")
	if h.Simulated {
		s += "   SIMULATED kernel"
	}
	return s
}

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
