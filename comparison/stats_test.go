package comparison

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSignedRankExact(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    []float64
		want float64
	}{
		// All of 6 positive: W+ = 21, P(W+ ≥ 21) = 1/64, two-sided 2/64.
		{"all positive", []float64{1, 2, 3, 4, 5, 6}, 2.0 / 64},
		// W+ = 1+2+5+6 = 14 of 21; 18 of the 64 sign patterns reach 14
		// or more (as many as reach 7 or less), so p = 2·18/64.
		{"mixed", []float64{1, 2, -3, -4, 5, 6}, 2 * 18.0 / 64},
		{"zeros dropped", []float64{0, 0, 1, 2, 3, 4, 5, 6}, 2.0 / 64},
		{"all zero", []float64{0, 0, 0}, 1},
	} {
		if got := signedRank(tc.d); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: p = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestBenjaminiHochberg(t *testing.T) {
	// The textbook example: q_i = min over j ≥ i of p_(j)·m/j.
	ps := []float64{0.01, 0.04, 0.03, 0.005, math.NaN()}
	want := []float64{0.02, 0.04, 0.04, 0.02, math.NaN()}
	got := benjaminiHochberg(ps)
	for i := range ps {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && math.Abs(got[i]-want[i]) > 1e-12) {
			t.Errorf("q[%d] = %v, want %v (all %v)", i, got[i], want[i], got)
		}
	}
}

func TestMedianCI(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	lo, hi := medianCI(xs, 0.95)
	// n = 10: the 95% interval is x(2) … x(9).
	if lo != 2 || hi != 9 {
		t.Errorf("CI = [%v, %v], want [2, 9]", lo, hi)
	}
	if lo, hi := medianCI([]float64{1, 2, 3, 4, 5}, 0.95); !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
		t.Errorf("n = 5 has no 95%% interval, got [%v, %v]", lo, hi)
	}
}

func TestMixtureRule(t *testing.T) {
	for _, tc := range []struct {
		name string
		xs   []float64
		want bool
	}{
		{"two placements", []float64{2.1, 2.0, 45, 2.2, 80, 2.05, 60}, true},
		{"drift of 40%", []float64{2.0, 2.2, 2.4, 2.6, 2.8}, false},
		{"one outlier", []float64{2.0, 2.1, 2.2, 2.3, 50}, false},
		{"too few", []float64{2, 50}, false},
	} {
		if got := mixture(tc.xs); got != tc.want {
			t.Errorf("%s: mixture = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// drift is a host factor per round: a random walk of the log factor,
// kept within ±20%, as the host here drifts between runs minutes apart.
func drift(rng *rand.Rand, n int) []float64 {
	out := make([]float64, n)
	l := 0.0
	for i := range out {
		l += 0.04 * rng.NormFloat64()
		l = math.Max(math.Log(0.8), math.Min(math.Log(1.2), l))
		out[i] = math.Exp(l)
	}
	return out
}

// TestPairedCoverageUnderDrift: under a drifting host factor that
// multiplies both sides, the paired interval of the ratio keeps about its
// 95% coverage, and the unpaired one — each side's own samples, the sides
// measured one after the other as two runs are — does not.
func TestPairedCoverageUnderDrift(t *testing.T) {
	const sims, rounds, effect = 400, 30, 1.03
	rng := rand.New(rand.NewPCG(11, 12))
	var pairedIn, unpairedIn int
	for range sims {
		h := drift(rng, 2*rounds)
		noise := func() float64 { return math.Exp(0.02 * rng.NormFloat64()) }
		// Paired: A and B back to back in each of the first rounds.
		a, b := make([]float64, rounds), make([]float64, rounds)
		for i := range rounds {
			a[i] = 1000 * h[i] * noise()
			b[i] = 1000 * effect * h[i] * noise()
		}
		c, err := ComparePaired([]PairedRow{{Name: "Create/style=fork/cpu=same", A: a, B: b}}, Side{}, Side{}, DefaultOptions)
		if err != nil {
			t.Fatal(err)
		}
		r := c.Primary().Rows[0]
		if r.ChangeLo <= effect-1 && effect-1 <= r.ChangeHi {
			pairedIn++
		}
		// Unpaired: A in one run, B in the next, each run's samples
		// pooled, the interval of the ratio of medians from the two
		// distribution-free intervals (what compare used to print).
		for i := range rounds {
			a[i] = 1000 * h[i] * noise()
			b[i] = 1000 * effect * h[rounds+i] * noise()
		}
		alo, ahi := medianCI(a, 0.95)
		blo, bhi := medianCI(b, 0.95)
		if blo/ahi <= effect && effect <= bhi/alo {
			unpairedIn++
		}
	}
	paired, unpaired := float64(pairedIn)/sims, float64(unpairedIn)/sims
	t.Logf("coverage of the 95%% interval under drift: paired %.3f, unpaired %.3f (%d simulations of %d rounds)", paired, unpaired, sims, rounds)
	if paired < 0.93 {
		t.Errorf("paired coverage %.3f, want about 0.95", paired)
	}
	if unpaired > 0.85 {
		t.Errorf("unpaired coverage %.3f: the drift should break it", unpaired)
	}
}

// TestPairedFindsPlanted5Percent: a planted 5% on one row of seven, under
// drift and 2% noise, is flagged in nearly every session of 30 rounds,
// and the unchanged rows almost never are.
func TestPairedFindsPlanted5Percent(t *testing.T) {
	const sims, rounds = 200, 30
	rng := rand.New(rand.NewPCG(21, 22))
	names := []string{"Create/style=fork/cpu=same", "Create/style=thread/cpu=same", "Create/style=vfork/cpu=same",
		"Switch/mech=pipe/mode=process/cpu=same/ws=0", "Switch/mech=futex/mode=process/cpu=same/ws=0",
		"Switch/mech=pipe/mode=thread/cpu=same/ws=0", "Switch/mech=futex/mode=thread/cpu=same/ws=0"}
	found, falseRows := 0, 0
	opts := DefaultOptions
	opts.Threshold = 0.03
	for range sims {
		var rows []PairedRow
		for k, name := range names {
			h := drift(rng, rounds)
			effect := 1.0
			if k == 0 {
				effect = 1.05
			}
			pr := PairedRow{Name: name, A: make([]float64, rounds), B: make([]float64, rounds)}
			for i := range rounds {
				pr.A[i] = 1000 * h[i] * math.Exp(0.02*rng.NormFloat64())
				pr.B[i] = 1000 * effect * h[i] * math.Exp(0.02*rng.NormFloat64())
			}
			rows = append(rows, pr)
		}
		c, err := ComparePaired(rows, Side{}, Side{}, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range c.Primary().Rows {
			switch {
			case r.Name == names[0] && r.Class == Regression:
				found++
			case r.Name != names[0] && r.Significant():
				falseRows++
			}
		}
	}
	t.Logf("planted 5%%: found in %d of %d sessions; %d false rows of %d", found, sims, falseRows, sims*(len(names)-1))
	if found < sims*95/100 {
		t.Errorf("planted 5%% found in %d of %d sessions, want ≥ 95%%", found, sims)
	}
	if falseRows > sims*(len(names)-1)*5/100 {
		t.Errorf("%d false rows of %d", falseRows, sims*(len(names)-1))
	}
}

// TestFDRHoldsOnNull: 38 rows of identical sides (pure noise and drift):
// with Benjamini–Hochberg the share of sessions with any false discovery
// stays near α (under a complete null the FDR is that share), where
// testing each row at α alone flags something in most sessions.
func TestFDRHoldsOnNull(t *testing.T) {
	const sims, rounds, nrows = 300, 20, 38
	rng := rand.New(rand.NewPCG(31, 32))
	withFDR, withoutFDR := 0, 0
	for range sims {
		var rows []PairedRow
		for k := range nrows {
			h := drift(rng, rounds)
			pr := PairedRow{Name: "Fake/row=" + string(rune('a'+k%26)) + string(rune('a'+k/26)), A: make([]float64, rounds), B: make([]float64, rounds)}
			for i := range rounds {
				pr.A[i] = 1000 * h[i] * math.Exp(0.03*rng.NormFloat64())
				pr.B[i] = 1000 * h[i] * math.Exp(0.03*rng.NormFloat64())
			}
			rows = append(rows, pr)
		}
		c, err := ComparePaired(rows, Side{}, Side{}, DefaultOptions)
		if err != nil {
			t.Fatal(err)
		}
		anyFDR, anyRaw := false, false
		for _, r := range c.Primary().Rows {
			anyFDR = anyFDR || r.Significant()
			anyRaw = anyRaw || r.P < DefaultOptions.Alpha
		}
		if anyFDR {
			withFDR++
		}
		if anyRaw {
			withoutFDR++
		}
	}
	fdr, raw := float64(withFDR)/sims, float64(withoutFDR)/sims
	t.Logf("sessions with a false discovery: %.3f with BH, %.3f testing each of %d rows at α alone", fdr, raw, nrows)
	if fdr > 0.08 {
		t.Errorf("BH: %.3f of null sessions flag a row, want ≤ α (0.05) within noise", fdr)
	}
	if raw < 0.5 {
		t.Errorf("without control only %.3f of sessions flag a row: the test is not exercising multiplicity", raw)
	}
}
