package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/history"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// pairKey names the pairs of two rows of one machine, num's sample first.
type pairKey struct{ host, num, den string }

// pairSet is the primary figures of a ratio's pairs, one pair per index,
// and whether num's sample ran first in each.
type pairSet struct {
	num, den []float64
	numFirst []bool
}

// RunNoise is what one run's rounds sidecar says about the host while it
// ran (resultfile.Rounds).
type RunNoise struct {
	File string
	Host *Host
	// StealSource is where steal time came from, or why there is none.
	StealSource string
	CPUs        int
	// Per round: the steal time in ms summed over CPUs (NaN unknown), the
	// wall time in ms, and the host factor (comparison.RoundFactors: 1.1
	// is a round 10% slower than the run's medians).
	Steal, Wall, Factor []float64
	Pairs               int // pairs measured back to back, all rounds
}

// addRounds reads f's rounds sidecar, if it has one: its pairs for the
// ratios and its per-round noise.
func (d *Data) addRounds(f *resultfile.File) error {
	rs, err := resultfile.ReadRounds(f.Path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if rs == nil || len(rs.Rounds) == 0 {
		return nil
	}
	if d.pairs == nil {
		d.pairs = map[pairKey]*pairSet{}
	}
	value := func(ref resultfile.RoundRef) (string, float64, *Host, error) {
		rr, s, ok := f.Sample(ref)
		if !ok {
			return "", 0, nil, fmt.Errorf("report: %s: sample %d of %s, which %s does not hold", resultfile.RoundsPath(f.Path), ref.Index, ref.Row, f.Path)
		}
		u := rowspec.UnitNsOp
		if rr.Simulated {
			u = rowspec.UnitSimNsOp
		}
		v, _ := s.Get(u)
		return rowspec.BenchName(rr.Name), v, hostFor(rr.Config), nil
	}
	n := &RunNoise{File: f.Path, StealSource: rs.StealSource, CPUs: rs.CPUs}
	var rounds [][]comparison.RoundSample[string]
	for _, rd := range rs.Rounds {
		var samples []comparison.RoundSample[string]
		for _, ref := range rd.Samples {
			name, v, h, err := value(ref)
			if err != nil {
				return err
			}
			if n.Host == nil {
				n.Host = d.hostByID(h.ID)
			}
			samples = append(samples, comparison.RoundSample[string]{Row: name, Value: v})
		}
		rounds = append(rounds, samples)
		n.Steal = append(n.Steal, rd.StealMs)
		n.Wall = append(n.Wall, rd.WallMs)
		for _, p := range rd.Pairs {
			na, va, h, err := value(p[0])
			if err != nil {
				return err
			}
			nb, vb, _, err := value(p[1])
			if err != nil {
				return err
			}
			k, first := pairKey{h.ID, na, nb}, true
			if d.pairs[pairKey{h.ID, nb, na}] != nil {
				k, va, vb, first = pairKey{h.ID, nb, na}, vb, va, false
			}
			ps := d.pairs[k]
			if ps == nil {
				ps = &pairSet{}
				d.pairs[k] = ps
			}
			ps.num, ps.den = append(ps.num, va), append(ps.den, vb)
			ps.numFirst = append(ps.numFirst, first)
			n.Pairs++
		}
	}
	n.Factor = comparison.RoundFactors(rounds)
	d.Noise = append(d.Noise, n)
	return nil
}

func (d *Data) hostByID(id string) *Host {
	for _, h := range d.Hosts {
		if h.ID == id {
			return h
		}
	}
	return nil
}

// pairedRatio is num/den from the pairs the run measured back to back, if
// it has any, and its pairs split by which row ran first.
func (d *Data) pairedRatio(num, den *Row) (comparison.Ratio, orderSplit, bool) {
	if num.Host != den.Host {
		return comparison.Ratio{}, orderSplit{}, false
	}
	if ps := d.pairs[pairKey{num.Host.ID, num.Name, den.Name}]; ps != nil {
		return comparison.PairRatio(ps.num, ps.den, Confidence), split(ps.num, ps.den, ps.numFirst), true
	}
	if ps := d.pairs[pairKey{num.Host.ID, den.Name, num.Name}]; ps != nil {
		first := make([]bool, len(ps.numFirst))
		for i, f := range ps.numFirst {
			first[i] = !f
		}
		return comparison.PairRatio(ps.den, ps.num, Confidence), split(ps.den, ps.num, first), true
	}
	return comparison.Ratio{}, orderSplit{}, false
}

// orderSplit is a ratio's median over the pairs whose numerator ran first
// and over those whose denominator did. The runner alternates the order
// by round, which keeps the ratio unbiased by a carry-over from one
// sample to the next; the split shows how large that carry-over is (on a
// 2-vCPU guest fork after the thread row ran ≈10% slower than fork
// first, which widened fork/thread's interval to ±3–11%).
type orderSplit struct {
	NumFirst, DenFirst float64 // NaN with fewer than minSplit pairs
}

// minSplit is the fewest pairs of one order whose median the report shows.
const minSplit = 3

func split(num, den []float64, numFirst []bool) orderSplit {
	var a, b [2][]float64
	for i, f := range numFirst {
		j := 0
		if !f {
			j = 1
		}
		a[j], b[j] = append(a[j], num[i]), append(b[j], den[i])
	}
	out := orderSplit{math.NaN(), math.NaN()}
	if len(a[0]) >= minSplit && len(a[1]) >= minSplit {
		out.NumFirst = comparison.PairRatio(a[0], b[0], Confidence).Median
		out.DenFirst = comparison.PairRatio(a[1], b[1], Confidence).Median
	}
	return out
}

// ratioOf states num's time over den's: the median of their back-to-back
// pairs' ratios with its distribution-free interval when the input
// recorded rounds; otherwise the medians' ratio with the range the two
// rows' own intervals allow, labelled unpaired, which a host drifting
// between rounds widens and biases. Given the two rows' short names,
// a paired ratio also shows its pairs split by order (orderSplit).
func (d *Data) ratioOf(num, den *Row, names ...string) string {
	if r, o, ok := d.pairedRatio(num, den); ok && r.N > 0 {
		s := fmt.Sprintf("**%s×**", sig3(r.Median))
		order := ""
		if len(names) == 2 && !math.IsNaN(o.NumFirst) {
			order = fmt.Sprintf("; by order: %s first %s×, %s first %s×", names[0], sig3(o.NumFirst), names[1], sig3(o.DenFirst))
		}
		if r.CIKnown() {
			return s + fmt.Sprintf(" (95%% CI %s–%s×, median of %d back-to-back pairs%s)", sig3(r.Lo), sig3(r.Hi), r.N, order)
		}
		return s + fmt.Sprintf(" (median of %d back-to-back pairs, too few for a 95%% CI%s)", r.N, order)
	}
	a, b := summaryOf(num), summaryOf(den)
	s := fmt.Sprintf("**%s×**", sig3(a.Median/b.Median))
	if a.CIKnown() && b.CIKnown() && b.Lo > 0 && b.Hi > 0 {
		s += fmt.Sprintf(" (%s–%s× from the CIs, unpaired)", sig3(a.Lo/b.Hi), sig3(a.Hi/b.Lo))
	}
	return s
}

// noiseSection is each run's steal time and any change point in its own
// per-round series, from the rounds sidecars.
func noiseSection(b *strings.Builder, d *Data) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	if len(d.Noise) == 0 {
		return
	}
	w("\n## Noise\n\n")
	w("Per round of each run (its rounds sidecar, `.pairs`): the host's steal time from /proc/stat, and the host factor — the geometric mean over the round's samples of each sample over its row's median (1.10: the round ran 10%% slow). Change points: %s at α=%g, at least %d rounds a segment.\n",
		history.Method, history.DefaultAlpha, history.DefaultMinSize)
	for _, n := range d.Noise {
		w("\n- `%s`: %d rounds, %d back-to-back pairs. ", n.File, len(n.Steal), n.Pairs)
		w("%s ", stealWords(n))
		w("Host factor per round %s–%s; %s.\n", sig3(minOf(n.Factor)), sig3(maxOf(n.Factor)), changeWords("host factor", n.Factor))
	}
}

// stealWords says how much steal time the run saw, or why it cannot say.
func stealWords(n *RunNoise) string {
	known := !strings.HasPrefix(n.StealSource, "none")
	var total, wall, worst float64
	any := false
	for i, s := range n.Steal {
		if math.IsNaN(s) {
			known = false
			break
		}
		total += s
		wall += n.Wall[i]
		worst = math.Max(worst, s)
		any = any || s > 0
	}
	switch {
	case !known:
		return fmt.Sprintf("Steal time: not recorded (%s).", strings.TrimPrefix(n.StealSource, "none: "))
	case !any:
		return "Steal time: 0 in every round — none, or this guest's hypervisor gives it no steal clock (the column then stays 0), so it cannot tell."
	}
	share := "?"
	if wall > 0 && n.CPUs > 0 {
		share = fmt.Sprintf("%.2f%%", 100*total/(wall*float64(n.CPUs)))
	}
	return fmt.Sprintf("Steal time: %s ms in all (%s of the CPUs' time), at most %s ms in a round; %s.", sig3(total), share, sig3(worst), changeWords("steal", n.Steal))
}

// changeWords lists the change points of a per-round series.
func changeWords(what string, xs []float64) string {
	for _, x := range xs {
		if math.IsNaN(x) {
			return "no change-point test of " + what + " (a round without a figure)"
		}
	}
	cps := history.Detect(xs, history.Options{})
	if len(cps) == 0 {
		return "no change point in the " + what
	}
	var at []string
	for _, c := range cps {
		at = append(at, fmt.Sprintf("round %d (p=%.1g)", c.At+1, c.P))
	}
	return what + " changes at " + strings.Join(at, ", ")
}

func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = math.Min(m, x)
	}
	return m
}

func maxOf(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, x)
	}
	return m
}
