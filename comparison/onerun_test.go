package comparison

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/perf/benchmath"

	"github.com/clonebench/clonebench/resultfile"
)

// synthRun is one run of a machine whose rows drift between runs: each
// row's level is its base times exp(between·z) for the run, and each of
// its samples adds exp(within·z). shift multiplies row 0.
func synthRun(t *testing.T, rng *rand.Rand, name string, rows, samples int, between, within, shift float64) *resultfile.File {
	t.Helper()
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\ncpu: synthetic\nnproc: 2\nhost: synth\nkernel: 6.18.0\n")
	for r := range rows {
		level := 1000 * float64(r+1) * math.Exp(between*rng.NormFloat64())
		if r == 0 {
			level *= shift
		}
		for range samples {
			fmt.Fprintf(&b, "BenchmarkSwitch/mech=pipe/mode=process/cpu=same/ws=%dKiB-2 100 %.1f ns/op\n", r, level*math.Exp(within*rng.NormFloat64()))
		}
	}
	f, err := resultfile.Parse(strings.NewReader(b.String()), name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestOneRunFalseAlarms: identical code, one run a side, on a host whose
// runs drift 8% apart. Judged against the between-run spread of eight
// earlier runs with FDR control, few sessions call anything; pooling each
// run's samples as if independent (the U test per row at α, as compare
// did) calls a regression in most of them.
func TestOneRunFalseAlarms(t *testing.T) {
	const sims, rows, samples = 100, 38, 10
	rng := rand.New(rand.NewPCG(41, 42))
	alarms, pooled := 0, 0
	for s := range sims {
		var hist []*resultfile.File
		for k := range 8 {
			hist = append(hist, synthRun(t, rng, fmt.Sprintf("h%d-%d.txt", s, k), rows, samples, 0.08, 0.02, 1))
		}
		a := synthRun(t, rng, "a.txt", rows, samples, 0.08, 0.02, 1)
		b := synthRun(t, rng, "b.txt", rows, samples, 0.08, 0.02, 1)
		opts := DefaultOptions
		opts.History = hist
		c, err := Compare(a, b, opts)
		if err != nil {
			t.Fatal(err)
		}
		if c.Verdict != OK {
			alarms++
		}
		thr := benchmath.DefaultThresholds
		for _, r := range c.Primary().Rows {
			av, bv := rowValues(a, r.Name), rowValues(b, r.Name)
			cmp := benchmath.AssumeNothing.Compare(benchmath.NewSample(av, &thr), benchmath.NewSample(bv, &thr))
			if cmp.P < 0.05 && math.Abs(median(bv)/median(av)-1) > 0.05 {
				pooled++
				break
			}
		}
	}
	t.Logf("identical code, one run a side, runs 8%% apart: %d of %d sessions alarm with the run as the unit; %d with pooled samples", alarms, sims, pooled)
	if alarms > sims/10 {
		t.Errorf("%d of %d null sessions alarm, want ≤ 10%%", alarms, sims)
	}
	if pooled < sims/2 {
		t.Errorf("pooled U test alarms in only %d of %d: the simulation does not show the problem", pooled, sims)
	}
}

// TestOneRunFindsShiftOverMDC: an 80% step on one row, over twice its
// minimum detectable change against eight earlier runs 8% apart (at the
// MDC itself a test finds a change half the time, before the FDR control
// across rows), is found in nearly every session.
func TestOneRunFindsShiftOverMDC(t *testing.T) {
	const sims = 50
	rng := rand.New(rand.NewPCG(51, 52))
	found := 0
	for s := range sims {
		var hist []*resultfile.File
		for k := range 8 {
			hist = append(hist, synthRun(t, rng, fmt.Sprintf("h%d-%d.txt", s, k), 5, 10, 0.08, 0.02, 1))
		}
		opts := DefaultOptions
		opts.History = hist
		c, err := Compare(synthRun(t, rng, "a.txt", 5, 10, 0.08, 0.02, 1), synthRun(t, rng, "b.txt", 5, 10, 0.08, 0.02, 1.8), opts)
		if err != nil {
			t.Fatal(err)
		}
		r := c.Primary().Rows[0]
		if r.Class == Regression {
			found++
		}
		if !(r.MDC > 0.1 && r.MDC < 0.6) {
			t.Fatalf("MDC %.3f for a row whose runs drift 8%%, want about 2.4·√2·8%% ≈ 30%%", r.MDC)
		}
	}
	if found < sims*8/10 {
		t.Errorf("40%% step found in %d of %d sessions", found, sims)
	}
}

func rowValues(f *resultfile.File, name string) []float64 {
	for _, r := range f.Rows {
		if r.CompareName() == name {
			return r.Values("ns/op")
		}
	}
	return nil
}

// TestRunsAsUnit: three runs a side, the runs the replicates and not
// their samples. Identical code on a drifting host calls nothing in most
// sessions; a 50% step on one row is found (three runs give Welch few
// degrees of freedom, so smaller steps need more runs).
func TestRunsAsUnit(t *testing.T) {
	const sims = 60
	rng := rand.New(rand.NewPCG(61, 62))
	alarms, found := 0, 0
	for range sims {
		side := func(shift float64) []*resultfile.File {
			var out []*resultfile.File
			for k := range 3 {
				out = append(out, synthRun(t, rng, fmt.Sprintf("r%d.txt", k), 6, 10, 0.05, 0.02, shift))
			}
			return out
		}
		c, err := CompareSets(side(1), side(1), DefaultOptions)
		if err != nil {
			t.Fatal(err)
		}
		if c.Kind != Runs {
			t.Fatalf("kind %v, want Runs", c.Kind)
		}
		if c.Verdict != OK {
			alarms++
		}
		if c, err = CompareSets(side(1), side(1.5), DefaultOptions); err != nil {
			t.Fatal(err)
		}
		if c.Primary().Rows[0].Class == Regression {
			found++
		}
	}
	t.Logf("three runs a side, runs 5%% apart: %d of %d null sessions alarm; a 50%% step found in %d", alarms, sims, found)
	if alarms > sims/10 {
		t.Errorf("%d of %d null sessions alarm", alarms, sims)
	}
	if found < sims*7/10 {
		t.Errorf("50%% step found in %d of %d sessions", found, sims)
	}
}
