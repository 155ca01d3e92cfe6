package resultfile

import (
	"errors"
	"strings"
	"testing"
)

func TestReadGood(t *testing.T) {
	for _, p := range []string{"../cmd/runbench/testdata/base.txt", "../cmd/runbench/testdata/gotest.txt", "../report/testdata/lab.txt", "../report/testdata/sim.txt", "../results/reference/"} {
		if strings.HasSuffix(p, "/") {
			continue
		}
		f, err := Read(p)
		if err != nil {
			t.Errorf("Read(%s): %v", p, err)
			continue
		}
		if len(f.Rows) == 0 {
			t.Errorf("%s: no rows", p)
		}
		for _, r := range f.Rows {
			if len(r.Samples) == 0 {
				t.Errorf("%s: %s has no samples", p, r.Name)
			}
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     error
	}{
		{"empty", "", ErrNoResults},
		{"binary", "Benchmark\x00", ErrNoResults},
		{"notbench", "hello\nworld\n", ErrNoResults},
		{"truncated", "BenchmarkX 1 2 ns/op", ErrMalformed},
		{"nan", "BenchmarkX 1 NaN ns/op\n", ErrMalformed},
		{"inf", "BenchmarkX 1 +Inf ns/op\n", ErrMalformed},
		{"negative", "BenchmarkX 1 -5 ns/op\n", ErrMalformed},
		{"zero", "BenchmarkX 1 0 ns/op\n", ErrMalformed},
		{"simzero", "BenchmarkX 1 0 sim-ns/op\n", ErrMalformed},
		{"mixed", "BenchmarkX 1 5 ns/op 3 sim-ns/op\n", ErrMalformed},
		{"nounit", "BenchmarkX 1 5 ctxsw/op\n", ErrMalformed},
		{"badline", "BenchmarkX one 5 ns/op\n", ErrMalformed},
		{"simandreal", "BenchmarkX 1 5 ns/op\nBenchmarkX 1 5 sim-ns/op\n", ErrMalformed},
	} {
		_, err := Parse(strings.NewReader(tc.in), tc.name)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		} else if !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: error %q does not name the input", tc.name, err)
		}
	}
}

func TestRowsAndSkips(t *testing.T) {
	in := "goos: linux\nhost: a\nBenchmarkCreate/style=fork-2 10 100 ns/op 90 p50-ns\nBenchmarkCreate/style=fork-2 10 110 ns/op 95 p50-ns\n" +
		"BenchmarkMine 1 3 ns/op\nBenchmarkSwitch/mech=pipe/mode=thread/cpu=same/ws=0 1 3 sim-ns/op\n\n" + SkipLine("Create/style=pthread", "needs  cgo\n(built)")
	f, err := Parse(strings.NewReader(in), "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 3 {
		t.Fatalf("rows %d, want 3", len(f.Rows))
	}
	r := f.Rows[0]
	if r.Name != "Create/style=fork" || !r.Known || r.Spec.String() != r.Name || r.Simulated {
		t.Errorf("row 0: %+v", r)
	}
	if got := r.Values("ns/op"); len(got) != 2 || got[0] != 100 || got[1] != 110 {
		t.Errorf("ns/op %v", got)
	}
	if f.Rows[1].Known {
		t.Errorf("BenchmarkMine is not a clonebench row")
	}
	if !f.Rows[2].Simulated || !f.Simulated() {
		t.Errorf("a sim- unit makes a row simulated")
	}
	if len(f.Skips) != 1 || f.Skips[0].Name != "Create/style=pthread" || f.Skips[0].Reason != "needs cgo (built)" {
		t.Errorf("skips %+v", f.Skips)
	}
	if err := f.OneMachine(); err != nil {
		t.Error(err)
	}
	two, err := Parse(strings.NewReader("host: a\nBenchmarkX 1 1 ns/op\nhost: b\nBenchmarkX 1 2 ns/op\n"), "two")
	if err != nil {
		t.Fatal(err)
	}
	if len(two.Machines()) != 2 || two.OneMachine() == nil {
		t.Errorf("two machines: %v, OneMachine %v", two.Machines(), two.OneMachine())
	}
}

// The disturbance rule: a migration, or more involuntary switches than one
// per DisturbedEvery of the sample (plus one), disturbs a sample.
func TestDisturbed(t *testing.T) {
	for _, tc := range []struct {
		line               string
		counted, disturbed bool
	}{
		{"BenchmarkX 100 400000 ns/op\n", false, false},                                      // 40 ms
		{"BenchmarkX 100 400000 ns/op 5 disturb-ictxsw 0 disturb-migrations\n", true, false}, // 1+4 allowed
		{"BenchmarkX 100 400000 ns/op 6 disturb-ictxsw 0 disturb-migrations\n", true, true},
		{"BenchmarkX 100 400000 ns/op 0 disturb-ictxsw 1 disturb-migrations\n", true, true},
		{"BenchmarkX 1000 1000 ns/op 1 disturb-ictxsw\n", true, false}, // 1 ms: one allowed
		{"BenchmarkX 1000 1000 ns/op 2 disturb-ictxsw\n", true, true},
	} {
		f, err := Parse(strings.NewReader(tc.line), "d")
		if err != nil {
			t.Fatal(err)
		}
		c, d := f.Rows[0].Samples[0].Disturbed()
		if c != tc.counted || d != tc.disturbed {
			t.Errorf("%q: counted %v disturbed %v, want %v %v", tc.line, c, d, tc.counted, tc.disturbed)
		}
	}
}
