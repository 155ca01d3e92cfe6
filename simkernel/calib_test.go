package simkernel

import (
	"bytes"
	"flag"
	"math"
	"os"
	"regexp"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

var update = flag.Bool("update", false, "refit profiles/default.json from testdata/"+referenceFile)

// referenceFile is the reference run, also committed as
// results/reference/linux-amd64-kvm.txt; the default profile is fitted
// from it.
const (
	referenceFile = "linux-amd64-kvm.txt"
	referenceName = "results/reference/" + referenceFile
)

func fitReference(t *testing.T, opt FitOptions) (Profile, FitReport) {
	t.Helper()
	f, err := os.Open("testdata/" + referenceFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, rep, err := FitWith(f, referenceName, opt)
	if err != nil {
		t.Fatal(err)
	}
	return p, rep
}

// TestDefaultProfileIsFitted proves the embedded profile is what Fit makes
// of the committed reference run: no figure in it was typed by hand.
func TestDefaultProfileIsFitted(t *testing.T) {
	p, rep := fitReference(t, FitOptions{})
	for _, w := range rep.Warnings {
		t.Logf("fit warning: %s", w)
	}
	want, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := p.WriteFile("profiles/default.json"); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := DefaultProfile().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("profiles/default.json is not the fit of testdata/%s; rerun with -update\nembedded:\n%s\nfitted:\n%s", referenceFile, got, want)
	}
}

// heldOutRSS are the CreateRSS fork rows the calibration check keeps from
// the fit: the 64 MiB point between the fitted ones and the 1 GiB point
// beyond them, with and without huge pages.
var heldOutRSS = regexp.MustCompile(`^CreateRSS/style=fork/thp=(on|off)/rss=(64MiB|1GiB)$`)

// TestCalibrationHeldOutRSS fits on rss=0, 16MiB and 256MiB and checks the
// model predicts the held-out fork costs within 25%.
func TestCalibrationHeldOutRSS(t *testing.T) {
	_, rep := fitReference(t, FitOptions{HoldOut: heldOutRSS.MatchString})
	if len(rep.Held) != 4 {
		t.Fatalf("held out %q, want the four fork rows at 64MiB and 1GiB", rep.Held)
	}
	n := 0
	for _, c := range rep.Checks {
		if !c.Held {
			continue
		}
		n++
		t.Logf("%-40s measured %10.0f ns, predicted %10.0f ns (%+.1f%%)", c.Name, c.Measured, c.Predicted, 100*c.RelErr())
		if math.Abs(c.RelErr()) > 0.25 {
			t.Errorf("%s: predicted %.0f ns, measured %.0f ns: off by %+.1f%%, want within 25%%", c.Name, c.Predicted, c.Measured, 100*c.RelErr())
		}
	}
	if n != 4 {
		t.Fatalf("%d held-out rows predicted, want 4", n)
	}
}

// TestCalibrationSwitchRatio holds out every pipe Switch row, fits the
// switch model on the other mechanisms, and checks the predicted
// process/thread round-trip ratio for pipe on one CPU is within 25% of the
// measured one.
func TestCalibrationSwitchRatio(t *testing.T) {
	pipe := regexp.MustCompile(`^Switch/mech=pipe/mode=(process|thread)/`)
	p, rep := fitReference(t, FitOptions{HoldOut: pipe.MatchString})
	measured := map[string]float64{}
	for _, c := range rep.Checks {
		measured[c.Name] = c.Measured
	}
	for _, ws := range []string{"0"} {
		proc := "Switch/mech=pipe/mode=process/cpu=same/ws=" + ws
		thr := "Switch/mech=pipe/mode=thread/cpu=same/ws=" + ws
		mp, mt := measured[proc], measured[thr]
		if mp == 0 || mt == 0 {
			t.Fatalf("reference run lacks %s or %s", proc, thr)
		}
		rp, err := Run(p, rowspec.MustParse(proc), 1000)
		if err != nil {
			t.Fatal(err)
		}
		rt, err := Run(p, rowspec.MustParse(thr), 1000)
		if err != nil {
			t.Fatal(err)
		}
		want, got := mp/mt, rp.PerOp()/rt.PerOp()
		t.Logf("ws=%s: process/thread round trip measured %.0f/%.0f = %.2f, predicted %.0f/%.0f = %.2f (%+.1f%%)",
			ws, mp, mt, want, rp.PerOp(), rt.PerOp(), got, 100*(got/want-1))
		if math.Abs(got/want-1) > 0.25 {
			t.Errorf("ws=%s: predicted process/thread ratio %.2f, measured %.2f: want within 25%%", ws, got, want)
		}
	}
}

// TestFitPartialFile fits a file holding only the quick suite's creation
// rows: the fit succeeds with warnings, creation rows simulate, and switch
// rows refuse with a reason instead of inventing a figure.
func TestFitPartialFile(t *testing.T) {
	b, err := os.ReadFile("testdata/" + referenceFile)
	if err != nil {
		t.Fatal(err)
	}
	keep := regexp.MustCompile(`^Benchmark(Create/style=(fork|thread|vfork)|CloneFlags/flags=VM\|CHILD_CLEARTID\|SIGCHLD)-`)
	var part bytes.Buffer
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte("Benchmark")) || keep.Match(line) {
			part.Write(line)
		}
	}
	p, rep, err := Fit(&part, "partial.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) == 0 {
		t.Error("no warnings for a file without switch, rss or fd rows")
	}
	if _, err := Run(p, rowspec.MustParse("Create/style=fork"), 10); err != nil {
		t.Errorf("Create/style=fork: %v", err)
	}
	if _, err := Run(p, rowspec.MustParse("Switch/mech=pipe/mode=thread/cpu=same/ws=0"), 10); err == nil {
		t.Error("a profile without switch rows simulated a Switch row")
	}
	if _, err := Run(p, rowspec.MustParse("Create/style=pthread"), 10); err == nil {
		t.Error("a profile without a pthread row simulated style=pthread")
	}
}
