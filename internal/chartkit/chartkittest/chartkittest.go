// Package chartkittest compares a drawn chart with its golden image, for
// the tests of report and history: testdata/NAME_golden.png beside the
// test, compared through gonum.org/v1/plot/cmpimg at a per-pixel
// tolerance, and rewritten with `go test -regen` (cmpimg's flag).
package chartkittest

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"
)

// Tolerance is cmpimg's per-pixel YIQ distance: loose enough for
// anti-aliasing differences between platforms, tight enough that a moved
// label, a missing series or a changed colour fails.
const Tolerance = 0.1

// CheckGolden compares the PNG at path (drawn into t.TempDir(): a test
// never writes into the repository, which is why cmpimg.CheckPlotApprox,
// which writes under ./testdata, is not used) with
// testdata/NAME_golden.png.
func CheckGolden(t *testing.T, path string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	if cfg.Width < 600 || cfg.Height < 400 {
		t.Errorf("%s is %dx%d, too small to read", path, cfg.Width, cfg.Height)
	}
	golden := filepath.Join("testdata", strings.TrimSuffix(filepath.Base(path), ".png")+"_golden.png")
	if *cmpimg.GenerateTestData {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -regen to create it)", err)
	}
	ok, err := cmpimg.EqualApprox("png", got, want, Tolerance)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		return
	}
	// Keep the evidence outside the repository and outside t.TempDir,
	// which is removed when the test ends.
	keep, err := os.MkdirTemp("", "chart-golden-")
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSuffix(filepath.Base(path), ".png")
	os.WriteFile(filepath.Join(keep, base+".got.png"), got, 0o644)
	g, _, err1 := image.Decode(bytes.NewReader(got))
	w, _, err2 := image.Decode(bytes.NewReader(want))
	if err1 == nil && err2 == nil {
		diff := image.NewRGBA64(g.Bounds().Union(w.Bounds()))
		cmpimg.Diff(diff, g, w)
		var buf bytes.Buffer
		if png.Encode(&buf, diff) == nil {
			os.WriteFile(filepath.Join(keep, base+".diff.png"), buf.Bytes(), 0o644)
		}
	}
	t.Errorf("%s differs from %s; got and diff images kept in %s (run with -regen if the change is intended)", path, golden, keep)
}
