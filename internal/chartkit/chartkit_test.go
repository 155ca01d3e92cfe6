package chartkit

import (
	"math"
	"os"
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

// WriteFile leaves the file and nothing else.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path, err := WriteFile(dir, "x.png", []byte("png"))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "png" {
		t.Errorf("%s: %q, %v", path, b, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in dir, want 1", len(ents))
	}
}
