package report

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/resultfile"
)

// pairedRun writes a run of fork and thread (fork 3× thread) over 12
// rounds on a host 30% slower from round 7, with its rounds sidecar
// (steal per round from steal, nil for none), and returns its path.
func pairedRun(t *testing.T, dir string, steal []float64, source string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\ncpu: test\nkernel: 6.18.0\n")
	fork, thread := "Create/style=fork/cpu=same", "Create/style=thread/cpu=same"
	rs := &resultfile.Rounds{StealSource: source, CPUs: 2}
	for i := range 12 {
		host := 1.0
		if i >= 6 {
			host = 1.3
		}
		wobble := 1 + 0.01*math.Sin(float64(i)*2.1)
		fmt.Fprintf(&b, "Benchmark%s-2\t100\t%.1f ns/op\n", fork, 300000*host*wobble)
		fmt.Fprintf(&b, "Benchmark%s-2\t100\t%.1f ns/op\n", thread, 100000*host)
		a, c := resultfile.RoundRef{Row: fork, Index: i}, resultfile.RoundRef{Row: thread, Index: i}
		rd := resultfile.Round{N: i + 1, WallMs: 100, StealMs: math.NaN(), Samples: []resultfile.RoundRef{a, c}, Pairs: [][2]resultfile.RoundRef{{a, c}}}
		if steal != nil {
			rd.StealMs = steal[i]
		}
		rs.Rounds = append(rs.Rounds, rd)
	}
	path := filepath.Join(dir, "20261125T170400Z.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := resultfile.WriteRounds(path, rs); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPairedRatiosAndNoise(t *testing.T) {
	zeros := make([]float64, 12)
	steps := make([]float64, 12)
	for i := range steps {
		steps[i] = 2 + 0.1*float64(i%2)
		if i >= 6 {
			steps[i] += 40
		}
	}
	for _, tc := range []struct {
		name   string
		steal  []float64
		source string
		want   []string
	}{
		{"steal rises with the host factor", steps, "/proc/stat", []string{
			"ms in all (", "steal changes at round 7",
		}},
		{"steal always zero", zeros, "/proc/stat", []string{"0 in every round — none, or this guest's hypervisor gives it no steal clock"}},
		{"no /proc/stat", nil, "none: no /proc/stat here", []string{"Steal time: not recorded (no /proc/stat here)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := pairedRun(t, dir, tc.steal, tc.source)
			d, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "report")
			if _, err := Write(out, d, Options{}); err != nil {
				t.Fatal(err)
			}
			md, err := os.ReadFile(filepath.Join(out, "report.md"))
			if err != nil {
				t.Fatal(err)
			}
			want := append([]string{
				// The pairs cancel the host's step: a tight interval at 3×,
				// where the rows' own intervals span the step.
				"- fork / thread at cpu=same: **3.00×** (95% CI 2.97–3.03×, median of 12 back-to-back pairs)",
				"## Noise",
				"12 rounds, 12 back-to-back pairs.",
				"Host factor per round",
				"host factor changes at round 7",
			}, tc.want...)
			for _, w := range want {
				if !strings.Contains(string(md), w) {
					t.Errorf("report.md lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("report.md:\n%s", md)
			}
		})
	}
}

// The pairs split by order show a carry-over: fork 10% dearer when it
// runs right after thread reads 3× fork first, 3.3× thread first; with
// fewer than minSplit pairs of an order there is no split to show.
func TestOrderSplit(t *testing.T) {
	var num, den []float64
	var first []bool
	for i := range 12 {
		f := i%2 == 0
		v := 300.0
		if !f {
			v = 330
		}
		num, den, first = append(num, v), append(den, 100), append(first, f)
	}
	for _, tc := range []struct {
		name     string
		n        int
		num, den float64 // NaN: no split
	}{
		{"alternating", 12, 3, 3.3},
		{"two of one order", 4, math.NaN(), math.NaN()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := split(num[:tc.n], den[:tc.n], first[:tc.n])
			same := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 || (math.IsNaN(a) && math.IsNaN(b)) }
			if !same(o.NumFirst, tc.num) || !same(o.DenFirst, tc.den) {
				t.Errorf("split %+v, want %v and %v", o, tc.num, tc.den)
			}
		})
	}
}
