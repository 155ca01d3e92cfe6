package runner

import (
	"fmt"
	"math"
	"slices"

	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rowspec"
)

// ratioConfidence is the level of the ratios' intervals -target judges,
// the report's.
const ratioConfidence = 0.95

// planPair is a ratio the report states (rowspec.RatioPairs) between two
// selected rows, which every round measures back to back; num and den
// collect the primary figures of its pairs, for -target.
type planPair struct {
	num, den *plan
	nums     []float64
	dens     []float64
	pending  float64 // the earlier figure of this round's pair
	reps     int     // pairs a round takes (reps)
}

// reps is how many pairs of rp a round takes: more of a headline ratio
// (rowspec.RatioPair.Headline), whose ±2% at 95% is the run's goal. On
// a 2-vCPU guest, with the order gap washed out, fork/thread's pair
// ratios still spread by 8–10% (sd of the log ratio), the switch ratios'
// by 3–6%: with one pair a round the default run's 30 rounds gave ±3–5%
// and ±1–4%; with three, switch ±0.4–0.7% and fork/thread ±1.2–2.4%; with
// four fork/thread pairs, ±1.5–4.1%; with six (an even split of orders in
// every round), ±0.8–1.6% in five runs of five.
func reps(rp rowspec.RatioPair) int {
	switch {
	case !rp.Headline():
		return 1
	case rp.Num.Family.Creation():
		return 6
	}
	return 3
}

func (pp *planPair) live() bool { return pp.num.err == nil && pp.den.err == nil }

// label is the ratio's name in progress lines.
func (pp *planPair) label() string { return pp.num.row.Name + " / " + pp.den.row.Name }

// ratio is the pairs' median ratio and its interval so far.
func (pp *planPair) ratio() comparison.Ratio {
	return comparison.PairRatio(pp.nums, pp.dens, ratioConfidence)
}

// ratioPairs are the stated ratios among plans, from rowspec.RatioPairs.
func ratioPairs(plans []*plan) []*planPair {
	by := map[rowspec.Spec]*plan{}
	var specs []rowspec.Spec
	for _, p := range plans {
		if sp, err := rowspec.Parse(p.row.Name); err == nil {
			by[sp] = p
			specs = append(specs, sp)
		}
	}
	var out []*planPair
	for _, rp := range rowspec.RatioPairs(specs) {
		out = append(out, &planPair{num: by[rp.Num], den: by[rp.Den], reps: reps(rp)})
	}
	return out
}

// step is one sample of a round: its plan, and the pair it belongs to
// (nil for a row measured alone), second when it is the pair's later half.
type step struct {
	p      *plan
	pair   *planPair
	second bool
}

// roundSteps is round s's order (s from 1). The rows keep their order; a
// row in stated ratios is measured once per ratio (more for a headline
// ratio, reps), beside its partner, each pair at the place of its
// earlier row, the numerator first in odd rounds and the denominator
// first in even ones (a headline ratio's later pairs alternating on), so neither side always
// follows the other (a warm cache, a just-woken CPU). A row in no live
// ratio is measured once where it stands. A probed twin (run -probe)
// follows the first sample (or pair) of its plain row in each round, as
// it followed the plain row before. Rows sampled in worker processes (run
// -pprof's twins) go last, in their order.
// Failed rows are left out.
func roundSteps(plans []*plan, pairs []*planPair, s int) []step {
	index := map[*plan]int{}
	for i, p := range plans {
		index[p] = i
	}
	twins := map[*plan][]*plan{}
	isTwin := map[*plan]bool{}
	bySpec := map[rowspec.Spec]*plan{}
	for _, p := range plans {
		if sp, err := rowspec.Parse(p.row.Name); err == nil && sp.Probe == "" {
			bySpec[sp] = p
		}
	}
	for _, p := range plans {
		if sp, err := rowspec.Parse(p.row.Name); err == nil && sp.Probe != "" {
			if plain := bySpec[sp.Plain()]; plain != nil {
				twins[plain] = append(twins[plain], p)
				isTwin[p] = true
			}
		}
	}
	paired := map[*plan]bool{}
	for _, pp := range pairs {
		if pp.live() {
			paired[pp.num], paired[pp.den] = true, true
		}
	}
	var out []step
	done := map[*plan]bool{}
	// emit appends a group (a pair, or one row) and then the probed twins
	// of its rows not yet measured this round, so no twin comes between
	// a pair's two samples.
	emit := func(group ...step) {
		out = append(out, group...)
		for _, st := range group {
			if done[st.p] {
				continue
			}
			done[st.p] = true
			for _, tw := range twins[st.p] {
				if tw.err == nil {
					out = append(out, step{p: tw})
				}
			}
		}
	}
	for i, p := range plans {
		if p.err != nil || isTwin[p] || p.worker {
			continue
		}
		if !paired[p] {
			emit(step{p: p})
		}
		for _, pp := range pairs {
			if !pp.live() || min(index[pp.num], index[pp.den]) != i {
				continue
			}
			// A headline ratio's pairs follow one another, the order
			// alternating within the round too.
			for r := range max(pp.reps, 1) {
				a, b := pp.num, pp.den
				if (s+r)%2 == 0 {
					a, b = b, a
				}
				emit(step{p: a, pair: pp}, step{p: b, pair: pp, second: true})
			}
		}
	}
	// Rows sampled in worker processes close the round: a worker's exec
	// and exit leave the kernel work the next sample would pay.
	for _, p := range plans {
		if p.worker && p.err == nil {
			out = append(out, step{p: p})
		}
	}
	// A twin whose plain row failed still runs, where it stands.
	for _, p := range plans {
		if isTwin[p] && p.err == nil && !slices.ContainsFunc(out, func(st step) bool { return st.p == p }) {
			out = append(out, step{p: p})
		}
	}
	return out
}

// stealClock reads the machine's steal time for the rounds sidecar.
type stealClock struct {
	source string // resultfile.Rounds.StealSource
	ok     bool
	last   uint64
}

func newStealClock() *stealClock {
	v, err := procfs.Steal()
	if err != nil {
		return &stealClock{source: "none: " + err.Error()}
	}
	return &stealClock{source: "/proc/stat", ok: true, last: v}
}

// lap is the steal time since the last lap, in ms summed over CPUs; NaN
// when unknown.
func (c *stealClock) lap() float64 {
	if !c.ok {
		return math.NaN()
	}
	v, err := procfs.Steal()
	if err != nil {
		return math.NaN()
	}
	d := float64(v-c.last) * 1000 / procfs.UserHZ
	if v < c.last {
		d = math.NaN()
	}
	c.last = v
	return d
}

// widest is the live ratio whose interval's half-width is largest.
func widest(pairs []*planPair) (*planPair, float64) {
	var w *planPair
	hw := -1.0
	for _, pp := range pairs {
		if !pp.live() {
			continue
		}
		if h := pp.ratio().HalfWidth(); h > hw {
			w, hw = pp, h
		}
	}
	return w, hw
}

// fmtHalf prints a half-width as ±x.x%.
func fmtHalf(hw float64) string {
	if math.IsInf(hw, 1) {
		return "±∞ (too few pairs)"
	}
	return fmt.Sprintf("±%.1f%%", 100*hw)
}
