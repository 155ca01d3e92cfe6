package chartkit

import (
	"math"
	"testing"
)

func TestCIBars(t *testing.T) {
	pts := []Point{{X: 1, Y: 10, Lo: 9, Hi: 12}, {X: 2, Y: 10, Lo: math.Inf(-1), Hi: math.Inf(1)}, {X: 3, Y: 10, Lo: math.NaN(), Hi: 11}}
	eb, err := CIBars(pts, Blue, 3)
	if err != nil {
		t.Fatal(err)
	}
	if eb == nil || len(eb.XYs) != 1 || eb.YErrors[0].Low != 1 || eb.YErrors[0].High != 2 {
		t.Errorf("bars %+v, want one bar, 1 below and 2 above", eb)
	}
	if eb, err := CIBars(pts[1:], Blue, 3); eb != nil || err != nil {
		t.Errorf("unbounded intervals only: %v, %v; want no bars", eb, err)
	}
}
