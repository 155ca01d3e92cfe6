package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/rowspec"
)

// writeRun writes a result file of the pipe rows at cpu=same and a
// sidecar with their histograms into dir, as runbench run does.
func writeRun(t *testing.T, dir, name string, seed uint64, scale float64) string {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	rows := []string{
		"Switch/mech=pipe/mode=process/cpu=same/ws=0", "Switch/mech=pipe/mode=thread/cpu=same/ws=0",
		"Switch/mech=futex/mode=process/cpu=same/ws=0", "Switch/mech=futex/mode=thread/cpu=same/ws=0",
		"SwitchWake/mech=pipe/mode=process/cpu=same", "SwitchWake/mech=pipe/mode=thread/cpu=same",
	}
	var res strings.Builder
	res.WriteString("goos: linux\ngoarch: amd64\ncpu: test\nkernel: 6.18.0\nhost: fixture\n")
	var entries []hist.Entry
	for i, row := range rows {
		h := &hist.Histogram{}
		base := scale * float64(3000+1000*(i%2))
		for range 5000 {
			h.Record(uint64(base * math.Exp(0.3*r.NormFloat64())))
		}
		mean, _ := h.Mean()
		for range 6 {
			fmt.Fprintf(&res, "Benchmark%s-2\t1000\t%g ns/op\n", row, mean)
		}
		kind := hist.KindRoundTrip
		if strings.HasPrefix(row, "SwitchWake") {
			kind = hist.KindWake
		}
		entries = append(entries, hist.Entry{Name: rowspec.BenchName(row + "-2"), Kind: kind, Samples: 6, Hist: h})
	}
	path := filepath.Join(dir, name+".txt")
	if err := os.WriteFile(path, []byte(res.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(hist.SidecarPath(path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := hist.Write(f, entries); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLatencyCharts(t *testing.T) {
	dir := t.TempDir()
	a := writeRun(t, dir, "a", 1, 1)
	b := writeRun(t, dir, "b", 2, 2)
	d, err := Load(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Latency) != 6 {
		t.Fatalf("%d latency rows, want 6 (two runs of one machine merged)", len(d.Latency))
	}
	for _, l := range d.Latency {
		if l.Hist.Count() != 10000 || l.Samples != 12 {
			t.Errorf("%s %s: %d values of %d samples, want both runs' 10000 of 12", l.Row.Name, l.Kind, l.Hist.Count(), l.Samples)
		}
	}
	out := t.TempDir()
	if _, err := Write(out, d, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, png := range []string{"latency.png", "wake.png", "placement.png"} {
		if st, err := os.Stat(filepath.Join(out, png)); err != nil || st.Size() == 0 {
			t.Errorf("%s not drawn: %v", png, err)
		}
	}
	for _, png := range []string{"latency.png", "wake.png"} {
		t.Run(png, func(t *testing.T) { checkImage(t, filepath.Join(out, png)) })
	}
	// A sidecar of a row its result file lacks does not belong to it.
	if err := os.WriteFile(hist.SidecarPath(a), []byte(hist.Header+"\nH BenchmarkSwitch/mech=unix/mode=thread/cpu=same/ws=0-2 roundtrip 1 100=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(a); err == nil || !strings.Contains(err.Error(), "a.hist") {
		t.Errorf("Load with a stray histogram: %v, want an error naming a.hist", err)
	}
}
