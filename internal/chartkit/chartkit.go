package chartkit

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
var (
	Vermillion = color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}
	Blue       = color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}
	Green      = color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}
	Purple     = color.RGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}
	Orange     = color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}
	SkyBlue    = color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}
	Yellow     = color.RGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xFF}
	Grey       = color.RGBA{R: 0x77, G: 0x77, B: 0x77, A: 0xFF}

	// Regress and Improve mark a change for the worse and for the
	// better.
	Regress = color.RGBA{R: 0xC0, G: 0x1B, B: 0x1B, A: 0xFF}
	Improve = Green
)

// Palette is the order series take colours in.
func Palette() []color.Color {
	return []color.Color{Vermillion, Blue, Green, Purple, Orange, SkyBlue, Yellow, color.Black}
}

// Point is a figure with its 95% confidence interval, in chart units. An
// interval benchmath cannot bound (too few samples) has an infinite or NaN
// end.
type Point struct{ X, Y, Lo, Hi float64 }

// CIKnown reports whether pt's interval is bounded.
func (pt Point) CIKnown() bool {
	for _, v := range []float64{pt.Lo, pt.Hi} {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return false
		}
	}
	return true
}

// CIBars are the error bars of the points whose interval is known, in
// colour c with caps capWidth wide; nil when none is, since an unbounded
// interval drawn as a bar would claim a precision there is not.
func CIBars(pts []Point, c color.Color, capWidth vg.Length) (*plotter.YErrorBars, error) {
	var bars struct {
		plotter.XYs
		plotter.YErrors
	}
	for _, pt := range pts {
		if pt.CIKnown() {
			bars.XYs = append(bars.XYs, plotter.XY{X: pt.X, Y: pt.Y})
			bars.YErrors = append(bars.YErrors, struct{ Low, High float64 }{pt.Y - pt.Lo, pt.Hi - pt.Y})
		}
	}
	if len(bars.XYs) == 0 {
		return nil, nil
	}
	eb, err := plotter.NewYErrorBars(bars)
	if err != nil {
		return nil, err
	}
	eb.LineStyle.Color = c
	eb.LineStyle.Width = vg.Points(1.2)
	eb.CapWidth = capWidth
	return eb, nil
}
