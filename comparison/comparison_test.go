package comparison

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/comparison/comparisontest"
	"github.com/clonebench/clonebench/resultfile"
)

func mustRead(t *testing.T, path string) *resultfile.File {
	t.Helper()
	f, err := resultfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// jittered is n earlier runs of the machine of the file at path, whose
// runs drift sd apart (comparisontest.Jittered).
func jittered(t *testing.T, path string, n int, sd float64) []*resultfile.File {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := comparisontest.Jittered(string(raw), n, sd)
	if err != nil {
		t.Fatal(err)
	}
	var out []*resultfile.File
	for k, run := range runs {
		h, err := resultfile.Parse(strings.NewReader(run), fmt.Sprintf("hist/%d.txt", k))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	return out
}

func rowsByName(c *Comparison) map[string]*Row {
	out := map[string]*Row{}
	for _, r := range c.Primary().Rows {
		out[r.Name] = r
	}
	return out
}

func TestCompareClasses(t *testing.T) {
	base, cur := mustRead(t, "testdata/baseline.txt"), mustRead(t, "testdata/kvm.txt")
	// Without earlier runs, one run a side cannot see 25%: the default
	// spread's minimum detectable change is about 32%.
	c, err := Compare(base, cur, DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	if fork := rowsByName(c)["Create/style=fork/cpu=any"]; fork.Class != NotSignificant || fork.SpreadRuns != 0 || !(fork.MDC > 0.3) {
		t.Errorf("no history: fork %v, spread from %d runs, MDC %.3f; want ~ with the default spread's MDC over 30%%", fork.Class, fork.SpreadRuns, fork.MDC)
	}
	// Earlier runs that drift 1% say 25% and −16% are real.
	opts := DefaultOptions
	opts.History = jittered(t, "testdata/kvm.txt", 6, 0.01)
	if c, err = Compare(base, cur, opts); err != nil {
		t.Fatal(err)
	}
	by := rowsByName(c)
	// The baseline's fork is 20% faster: the current run regressed.
	if r := by["Create/style=fork/cpu=any"]; r == nil || r.Class != Regression || r.Change < 0.15 || r.Change > 0.35 || r.ChangeLo > r.Change || r.ChangeHi < r.Change {
		t.Errorf("fork: %+v, want a regression of about +25%%", r)
	}
	// vfork was 15% slower in the baseline: an improvement.
	if r := by["Create/style=vfork/cpu=any"]; r == nil || r.Class != Improvement {
		t.Errorf("vfork: %+v, want an improvement", r)
	}
	if c.Verdict != Regressions || c.Verdict.ExitCode() != 1 || len(c.Regressions) == 0 {
		t.Errorf("verdict %v (exit %d), %d regressions; want regressions, exit 1", c.Verdict, c.Verdict.ExitCode(), len(c.Regressions))
	}
}

// TestIdenticalInputsGiveNoVerdict: a file against itself has no change,
// no significant row, verdict OK and exit 0, whatever alpha and threshold.
func TestIdenticalInputsGiveNoVerdict(t *testing.T) {
	cur := mustRead(t, "testdata/kvm.txt")
	for _, o := range []Options{DefaultOptions, {Alpha: 0.5, Threshold: 0}, {Alpha: 0.01, Threshold: 0.10}} {
		c, err := Compare(cur, cur, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, tab := range c.Tables {
			for _, r := range tab.Rows {
				if r.Significant() || r.Change != 0 {
					t.Errorf("%+v: identical inputs: %s %s %+v", o, tab.Unit, r.Name, r)
				}
			}
		}
		if c.Verdict != OK || c.Verdict.ExitCode() != 0 {
			t.Errorf("%+v: verdict %v", o, c.Verdict)
		}
	}
}

// TestThresholdAndAlphaDecide: the options given are the options used;
// a 10% threshold does not call the fork row's +25% anything else, a
// threshold above it does.
func TestThresholdAndAlphaDecide(t *testing.T) {
	base, cur := mustRead(t, "testdata/baseline.txt"), mustRead(t, "testdata/kvm.txt")
	hist := jittered(t, "testdata/kvm.txt", 6, 0.01)
	for _, tc := range []struct {
		opts Options
		want Class
	}{
		{Options{Alpha: 0.05, Threshold: 0.10}, Regression},
		{Options{Alpha: 0.05, Threshold: 0.60}, WithinThreshold},
		{Options{Alpha: 1e-9, Threshold: 0.05}, NotSignificant},
	} {
		tc.opts.History = hist
		c, err := Compare(base, cur, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if r := rowsByName(c)["Create/style=fork/cpu=any"]; r.Class != tc.want {
			t.Errorf("%+v: fork is %v, want %v", tc.opts, r.Class, tc.want)
		}
	}
}

func TestIncomparable(t *testing.T) {
	cur := mustRead(t, "testdata/kvm.txt")
	c, err := Compare(cur, mustRead(t, "testdata/sim.txt"), DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict != Incomparable || !strings.Contains(c.Reason, "never compared") || c.Verdict.ExitCode() != 2 {
		t.Errorf("real vs simulated: %v %q, want incomparable (exit 2)", c.Verdict, c.Reason)
	}
	if _, err := Compare(cur, cur, Options{Alpha: 0, Threshold: 0.05}); err == nil {
		t.Error("alpha 0 accepted")
	}
	if _, err := Compare(cur, cur, Options{Alpha: math.NaN(), Threshold: 0.05}); err == nil {
		t.Error("alpha NaN accepted")
	}
}

// withConfig is f with config key k set to v on the file and its rows.
func withConfig(f *resultfile.File, k, v string) *resultfile.File {
	set := func(cfg []resultfile.Config) []resultfile.Config {
		out := append([]resultfile.Config(nil), cfg...)
		for i := range out {
			if out[i].Key == k {
				out[i].Value = v
				return out
			}
		}
		return append(out, resultfile.Config{Key: k, Value: v})
	}
	g := *f
	g.Config = set(f.Config)
	return &g
}

// TestKernelIsConfigurationNotMachine: one machine under two kernels
// compares and names the kernels; another CPU refuses without -force.
func TestKernelIsConfigurationNotMachine(t *testing.T) {
	base, cur := mustRead(t, "testdata/baseline.txt"), mustRead(t, "testdata/kvm.txt")
	newer := withConfig(cur, "kernel", "6.19.0")
	c, err := Compare(base, newer, DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict == Incomparable {
		t.Fatalf("a kernel change made the runs incomparable: %s", c.Reason)
	}
	var out bytes.Buffer
	if err := WriteText(&out, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "configuration: kernel ") || !strings.Contains(out.String(), "→ 6.19.0") {
		t.Errorf("the text does not name the kernels:\n%s", out.String())
	}
	other := withConfig(cur, "cpu", "Intel Xeon")
	c, err = Compare(base, other, DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict != Incomparable || !strings.Contains(c.Reason, "different machines") {
		t.Errorf("different CPUs: %v %q, want incomparable", c.Verdict, c.Reason)
	}
	c, err = Compare(base, other, Options{Alpha: 0.05, Threshold: 0.05, Force: true})
	if err != nil || c.Verdict == Incomparable || !c.Forced {
		t.Errorf("different CPUs with Force: %v, %v", c, err)
	}
}

func TestNoCommonRows(t *testing.T) {
	a := mustRead(t, "testdata/kvm.txt")
	b, err := resultfile.Parse(strings.NewReader("goos: linux\nBenchmarkOther/x=1 10 100 ns/op\n"), "other.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compare(a, b, DefaultOptions); !errors.Is(err, ErrNoCommonRows) {
		t.Errorf("got %v, want ErrNoCommonRows", err)
	}
}
