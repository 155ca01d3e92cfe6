package hist

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

func TestIndexBounds(t *testing.T) {
	vals := []uint64{0, 1, 31, 32, 63, 64, 65, 127, 128, 1000, 4095, 4096, 1 << 40, math.MaxUint64 - 1, math.MaxUint64}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		vals = append(vals, r.Uint64()>>r.IntN(64))
	}
	for _, v := range vals {
		i := Index(v)
		if i < 0 || i >= Buckets {
			t.Fatalf("Index(%d) = %d, out of [0, %d)", v, i, Buckets)
		}
		lo, hi := Bounds(i)
		if v < lo || v > hi {
			t.Errorf("Index(%d) = %d, whose bounds [%d, %d] do not hold it", v, i, lo, hi)
		}
		if lo > 0 && float64(hi-lo)/float64(lo) > 1.0/32 {
			t.Errorf("bucket %d [%d, %d] wider than 1/32 of its lower bound", i, lo, hi)
		}
	}
	// Buckets tile the range: each starts one past the previous end.
	for i := 1; i < Buckets; i++ {
		_, prevHi := Bounds(i - 1)
		lo, _ := Bounds(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, bucket %d ends at %d", i, lo, i-1, prevHi)
		}
	}
	if _, hi := Bounds(Buckets - 1); hi != math.MaxUint64 {
		t.Errorf("last bucket ends at %d, want MaxUint64", hi)
	}
}

// exact is the value of rank ⌈q·n⌉ of sorted vs.
func exact(vs []uint64, q float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	r := max(int(math.Ceil(q*float64(len(s)))), 1)
	return float64(s[r-1])
}

func TestQuantileAndMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	gen := func(n int, base float64) []uint64 {
		out := make([]uint64, n)
		for i := range out {
			out[i] = uint64(base * math.Exp(r.NormFloat64()*0.5))
		}
		return out
	}
	a, b := gen(20000, 3000), gen(5000, 9000) // two runs, the second slower
	var ha, hb Histogram
	for _, v := range a {
		ha.Record(v)
	}
	for _, v := range b {
		hb.Record(v)
	}
	merged := ha
	merged.Merge(&hb)
	union := append(slices.Clone(a), b...)
	if merged.Count() != uint64(len(union)) {
		t.Fatalf("merged count %d, want %d", merged.Count(), len(union))
	}
	var prev float64
	for _, p := range append([]float64{0}, append(Percentiles, 100)...) {
		got, err := merged.Quantile(p / 100)
		if err != nil {
			t.Fatal(err)
		}
		want := exact(union, p/100)
		if math.Abs(got-want)/want > 1.0/32 {
			t.Errorf("p%g of the merge = %g, union's exact value %g: off by more than a bucket", p, got, want)
		}
		if got < prev {
			t.Errorf("p%g = %g below the previous percentile %g", p, got, prev)
		}
		prev = got
	}
	// The merge is not the average of the two runs' percentiles.
	p99a, _ := ha.Quantile(0.99)
	p99b, _ := hb.Quantile(0.99)
	p99, _ := merged.Quantile(0.99)
	if math.Abs(p99-(p99a+p99b)/2) < 1 {
		t.Errorf("merged p99 %g equals the mean of the runs' p99s (%g, %g)", p99, p99a, p99b)
	}
	var empty Histogram
	if _, err := empty.Quantile(0.5); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty Quantile: %v, want ErrEmpty", err)
	}
	if _, err := ha.Quantile(1.5); err == nil {
		t.Error("Quantile(1.5): no error")
	}
}

func TestScale(t *testing.T) {
	var ticks Histogram
	for v := uint64(1000); v < 200000; v += 7 {
		ticks.Record(v)
	}
	ns, err := ticks.Scale(0.4) // a 2.5 GHz counter
	if err != nil {
		t.Fatal(err)
	}
	if ns.Count() != ticks.Count() {
		t.Fatalf("scaled count %d, want %d", ns.Count(), ticks.Count())
	}
	for _, q := range []float64{0.5, 0.9, 0.99} {
		tq, _ := ticks.Quantile(q)
		nq, _ := ns.Quantile(q)
		if math.Abs(nq-0.4*tq)/(0.4*tq) > 2.0/32 {
			t.Errorf("q%g: scaled %g, want about %g", q, nq, 0.4*tq)
		}
	}
	for _, f := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := ticks.Scale(f); err == nil {
			t.Errorf("Scale(%g): no error", f)
		}
	}
}

func TestSidecarRoundTripAndMerge(t *testing.T) {
	name := "BenchmarkSwitch/mech=pipe/mode=process/cpu=same/ws=0-2"
	var h1, h2 Histogram
	for v := uint64(2000); v < 4000; v++ {
		h1.Record(v)
	}
	for v := uint64(5000); v < 50000; v += 3 {
		h2.Record(v)
	}
	// Two runs' sidecars, read back as one.
	var run1, run2 bytes.Buffer
	if err := Write(&run1, []Entry{{name, KindRoundTrip, 3, &h1}, {name, KindWake, 3, &h2}}); err != nil {
		t.Fatal(err)
	}
	if err := Write(&run2, []Entry{{name, KindRoundTrip, 2, &h2}}); err != nil {
		t.Fatal(err)
	}
	got, err := Read(strings.NewReader(run1.String()+run2.String()), "two.hist")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Kind != KindRoundTrip || got[1].Kind != KindWake {
		t.Fatalf("read %d entries (%+v), want roundtrip then wake", len(got), got)
	}
	want := h1
	want.Merge(&h2)
	if got[0].Samples != 5 || got[0].Hist.counts != want.counts || got[0].Hist.Count() != want.Count() {
		t.Errorf("merged roundtrip entry: %d samples, %d values; want 5 samples, %d values", got[0].Samples, got[0].Hist.Count(), want.Count())
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		a, _ := got[0].Hist.Quantile(q)
		b, _ := want.Quantile(q)
		if a != b {
			t.Errorf("q%g after read %g, want %g", q, a, b)
		}
	}
	// benchstat's reader sees nothing in a sidecar: no result, no config.
	rd := benchfmt.NewReader(strings.NewReader(run1.String()), "x.hist")
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.Result:
			t.Errorf("benchfmt read a result from a sidecar: %s", rec.Name.Full())
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		}
	}
	for _, bad := range []string{
		"H name",
		"H n roundtrip 1 5=3 4=1",
		"H n roundtrip 1 99999=1",
		"H n sideways 1 5=1",
		"H n wake x 5=1",
		"X n wake 1",
		"# clonebench-hist v9: something new\n",
	} {
		if _, err := Read(strings.NewReader(bad), "bad.hist"); err == nil || !strings.Contains(err.Error(), "bad.hist:1") {
			t.Errorf("Read(%q): %v, want an error naming bad.hist:1", bad, err)
		}
	}
	if err := Write(&bytes.Buffer{}, []Entry{{"a b", KindWake, 1, &h1}}); err == nil {
		t.Error("Write of a name with a blank: no error")
	}
}

func TestSidecarPath(t *testing.T) {
	for in, want := range map[string]string{
		"results/vm/20260101T000000Z.txt": "results/vm/20260101T000000Z.hist",
		"a.b/c":                           "a.b/c.hist",
	} {
		if got := SidecarPath(in); got != want {
			t.Errorf("SidecarPath(%q) = %q, want %q", in, got, want)
		}
	}
}
