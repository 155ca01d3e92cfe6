package comparison

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// medianCI is the distribution-free confidence interval for the median of
// xs at level conf: the order statistics x(k) and x(n−k+1) whose binomial
// coverage is at least conf (the sign test inverted). With too few values
// for any such pair the interval is (−Inf, +Inf).
func medianCI(xs []float64, conf float64) (lo, hi float64) {
	n := len(xs)
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	b := distuv.Binomial{N: float64(n), P: 0.5}
	// The largest k with P(k ≤ X ≤ n−k) ≥ conf, X ~ Bin(n, ½).
	k := 0
	for j := 1; j <= n/2; j++ {
		cover := 1 - 2*b.CDF(float64(j-1))
		if cover < conf {
			break
		}
		k = j
	}
	if k == 0 {
		return math.Inf(-1), math.Inf(1)
	}
	return s[k-1], s[n-k]
}

// median of xs (not modified).
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// signedRank is the two-sided p-value of Wilcoxon's signed-rank test that
// ds are symmetric about zero. Zeros are dropped (Wilcoxon's rule). Without
// ties among |d| and with n ≤ 50 the exact null distribution is used,
// otherwise the normal approximation with the tie correction.
func signedRank(ds []float64) float64 {
	var d []float64
	for _, x := range ds {
		if x != 0 {
			d = append(d, x)
		}
	}
	n := len(d)
	if n == 0 {
		return 1
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return math.Abs(d[idx[a]]) < math.Abs(d[idx[b]]) })
	ranks := make([]float64, n)
	ties := false
	var tieTerm float64
	for i := 0; i < n; {
		j := i
		for j+1 < n && math.Abs(d[idx[j+1]]) == math.Abs(d[idx[i]]) {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			ranks[idx[k]] = r
		}
		if t := float64(j - i + 1); t > 1 {
			ties = true
			tieTerm += t*t*t - t
		}
		i = j + 1
	}
	var wplus float64
	for i, x := range d {
		if x > 0 {
			wplus += ranks[i]
		}
	}
	if !ties && n <= 50 {
		// count[w] = number of sign assignments with W+ = w.
		max := n * (n + 1) / 2
		count := make([]float64, max+1)
		count[0] = 1
		for k := 1; k <= n; k++ {
			for w := max; w >= k; w-- {
				count[w] += count[w-k]
			}
		}
		total := math.Pow(2, float64(n))
		w := int(math.Round(wplus))
		lower, upper := 0.0, 0.0
		for v := 0; v <= max; v++ {
			if v <= w {
				lower += count[v]
			}
			if v >= w {
				upper += count[v]
			}
		}
		return math.Min(1, 2*math.Min(lower, upper)/total)
	}
	nf := float64(n)
	mean := nf * (nf + 1) / 4
	sd := math.Sqrt(nf*(nf+1)*(2*nf+1)/24 - tieTerm/48)
	if sd == 0 {
		return 1
	}
	z := (math.Abs(wplus-mean) - 0.5) / sd // continuity correction
	if z < 0 {
		z = 0
	}
	return math.Min(1, 2*distuv.UnitNormal.Survival(z))
}

// benjaminiHochberg returns the adjusted p-values (q-values) of ps:
// rejecting every hypothesis with q < α holds the false discovery rate at
// α for independent or positively dependent tests (Benjamini & Hochberg
// 1995). NaN p-values stay NaN and are not counted.
func benjaminiHochberg(ps []float64) []float64 {
	var idx []int
	for i, p := range ps {
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	q := make([]float64, len(ps))
	for i := range q {
		q[i] = math.NaN()
	}
	m := float64(len(idx))
	sort.Slice(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	prev := 1.0
	for r := len(idx) - 1; r >= 0; r-- {
		v := math.Min(prev, ps[idx[r]]*m/float64(r+1))
		q[idx[r]] = v
		prev = v
	}
	return q
}

// welch is Welch's two-sample t-test of the means of a and b: the
// two-sided p-value and the degrees of freedom. Fewer than two values a
// side gives p = NaN.
func welch(a, b []float64) (p, df float64) {
	if len(a) < 2 || len(b) < 2 {
		return math.NaN(), 0
	}
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	na, nb := float64(len(a)), float64(len(b))
	se2 := va/na + vb/nb
	if se2 == 0 {
		if ma == mb {
			return 1, na + nb - 2
		}
		return 0, na + nb - 2
	}
	t := (mb - ma) / math.Sqrt(se2)
	df = se2 * se2 / ((va/na)*(va/na)/(na-1) + (vb/nb)*(vb/nb)/(nb-1))
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(-math.Abs(t)), df
}

func meanVar(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	if len(xs) > 1 {
		variance /= float64(len(xs) - 1)
	}
	return mean, variance
}

// tQuantile is the two-sided critical value of Student's t at level α
// with df degrees of freedom (the normal's when df is infinite).
func tQuantile(alpha, df float64) float64 {
	if math.IsInf(df, 1) || df <= 0 {
		return distuv.UnitNormal.Quantile(1 - alpha/2)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(1 - alpha/2)
}

// tCDF is Student's t distribution function with df degrees of freedom
// (the normal's when df is infinite).
func tCDF(t, df float64) float64 {
	if math.IsInf(df, 1) {
		return distuv.UnitNormal.CDF(t)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(t)
}

// MixtureGap is the bimodality rule's gap: a row's samples are a
// placement mixture when, sorted, two neighbours differ by more than this
// factor and each side of that gap holds at least MixtureMin of them. An
// unpinned switch row here is about 2 µs when both tasks share a CPU and
// 40–100 µs when the wake-up crosses CPUs: a factor of 20 or more, where a
// drifting host moves samples by tens of percent.
const (
	MixtureGap = 2.0
	MixtureMin = 2
)

// mixture reports whether xs (all positive) are a placement mixture by the
// rule above.
func mixture(xs []float64) bool {
	if len(xs) < 2*MixtureMin {
		return false
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	for i := MixtureMin; i <= len(s)-MixtureMin; i++ {
		if s[i-1] > 0 && s[i]/s[i-1] > MixtureGap {
			return true
		}
	}
	return false
}
