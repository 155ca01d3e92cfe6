//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/workloads"
)

// Two real runs of a switch row each leave a sidecar holding one
// histogram per row, of every round trip the samples made; read together,
// the two merge and every percentile of the union lies between the runs'.
func TestSidecarTwoRuns(t *testing.T) {
	if on, why := workloads.LatencyRecording(); !on {
		t.Skip(why)
	}
	dir := t.TempDir()
	const row = "^Switch/mech=pipe/mode=thread/cpu=same/ws=0$"
	var runs [][]hist.Entry
	var text strings.Builder
	for i, bt := range []string{"5ms", "20ms"} {
		out := filepath.Join(dir, []string{"a.txt", "b.txt"}[i])
		_, stderr, code := runCmd(t, testEnv(dir, nil), "run", "-run", row, "-count", "2", "-benchtime", bt, "-report=false", "-o", out)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		res, _ := readBack(t, out)
		var iters uint64
		for _, r := range res {
			iters += uint64(r.Iters)
		}
		entries, err := resultfile.ReadSidecar(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Kind != hist.KindRoundTrip || entries[0].Samples != len(res) || entries[0].Hist.Count() != iters {
			t.Fatalf("%s: sidecar %+v, want one roundtrip entry of %d samples, %d round trips", out, entries, len(res), iters)
		}
		if !strings.HasPrefix(entries[0].Name, "BenchmarkSwitch/mech=pipe/mode=thread/cpu=same/ws=0-") {
			t.Errorf("sidecar name %q is not the result file's benchmark name", entries[0].Name)
		}
		runs = append(runs, entries)
		b, err := os.ReadFile(hist.SidecarPath(out))
		if err != nil {
			t.Fatal(err)
		}
		text.Write(b)
	}
	merged, err := hist.Read(strings.NewReader(text.String()), "both")
	if err != nil {
		t.Fatal(err)
	}
	a, b := runs[0][0].Hist, runs[1][0].Hist
	if len(merged) != 1 || merged[0].Hist.Count() != a.Count()+b.Count() {
		t.Fatalf("merged %d entries, want one of %d values", len(merged), a.Count()+b.Count())
	}
	for _, p := range hist.Percentiles {
		qa, _ := a.Quantile(p / 100)
		qb, _ := b.Quantile(p / 100)
		qm, _ := merged[0].Hist.Quantile(p / 100)
		if qm < min(qa, qb) || qm > max(qa, qb) {
			t.Errorf("p%g of the union %g outside the runs' %g and %g", p, qm, qa, qb)
		}
	}
}
