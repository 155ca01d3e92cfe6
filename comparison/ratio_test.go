package comparison

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPairRatio(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name   string
		n      int
		drift  float64 // the host factor's random-walk step, shared by both rows of a round
		want   float64 // true ratio
		known  bool
		within float64 // the interval's half-width is below this
	}{
		{"steady host", 30, 0, 1.5, true, 0.02},
		{"drifting host: pairs cancel it", 30, 0.2, 1.5, true, 0.02},
		{"too few pairs for a 95% interval", 5, 0, 2, false, math.Inf(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := 1.0
			var num, den []float64
			for range tc.n {
				host *= 1 + tc.drift*(2*rng.Float64()-1)
				host = math.Max(host, 0.2)
				noise := func() float64 { return 1 + 0.01*rng.NormFloat64() }
				num = append(num, 1000*tc.want*host*noise())
				den = append(den, 1000*host*noise())
			}
			num = append(num, -1) // a pair without a positive figure is left out
			den = append(den, 1000)
			r := PairRatio(num, den, 0.95)
			if r.N != tc.n {
				t.Errorf("N = %d, want %d", r.N, tc.n)
			}
			if math.Abs(r.Median/tc.want-1) > 0.02 {
				t.Errorf("median %g, want about %g", r.Median, tc.want)
			}
			if r.CIKnown() != tc.known {
				t.Fatalf("CI known = %v, want %v (%g–%g)", r.CIKnown(), tc.known, r.Lo, r.Hi)
			}
			if tc.known && (r.Lo > tc.want || r.Hi < tc.want || r.HalfWidth() > tc.within) {
				t.Errorf("CI %g–%g (±%.1f%%), want it to hold %g within ±%g%%", r.Lo, r.Hi, 100*r.HalfWidth(), tc.want, 100*tc.within)
			}
		})
	}
}

func TestRoundFactors(t *testing.T) {
	type s = RoundSample[string]
	rounds := [][]s{
		{{"a", 100}, {"b", 10}},
		{{"a", 110}, {"b", 11}},
		{{"a", 100}, {"b", 10}},
		{},
	}
	got := RoundFactors(rounds)
	want := []float64{1, 1.1, 1, math.NaN()}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && math.Abs(got[i]-want[i]) > 1e-9) {
			t.Errorf("round %d: factor %g, want %g", i, got[i], want[i])
		}
	}
}
