package runner

import (
	"errors"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/clonebench/clonebench/workloads"
)

// Scheduling constants. The pilot grows n until the timed part of one call
// reaches pilotTarget (or a call takes pilotMax, for rows with costly
// setup); samples then aim at a per-sample target derived from the budget.
const (
	pilotTarget = 20 * time.Millisecond
	pilotMax    = 300 * time.Millisecond
	minSample   = 30 * time.Millisecond // below this, auto count drops towards 6
	floorSample = 5 * time.Millisecond
	ceilSample  = time.Second
	// The default takes many short interleaved samples: the machine's
	// state shifts every few rounds (seen on these guests: every row at
	// once by 15-35% for a minute), and a median's distribution-free 95%
	// interval narrows with the count (with 6 samples it is min..max, with
	// 30 about the central third), so 30 rounds of 60 ms beat 10 of 200 ms.
	autoMinCount = 6 // benchstat's CI needs ≥6 samples for a 95% interval
	autoMaxCount = 30
	reportSlack  = 10 * time.Second // kept back from the budget for the report
)

// plan is one selected row and how it will be measured.
type plan struct {
	row  workloads.Row
	fn   func(int) (workloads.Result, error)
	sim  bool
	name string // benchmark name as go test prints it, without "Benchmark"
	// wall ≈ a + b·n seconds for one call of fn(n), from the pilot.
	a, b float64
	n    int
	done int   // finished samples
	err  error // set when the row failed; no more samples are taken
	// spool holds a profiled twin's samples' profiles, encoded, of
	// profLens bytes each, over profOps ops in all (addProfile says why).
	spool    *os.File
	profLens []int
	profOps  int64
	// worker: each sample runs in a worker process (inWorkers), last in
	// its round, the next round's first sample after a washout.
	worker bool
}

// pilot finds the wall-time model a + b·n of one call, growing n until the
// timed part reaches pilotTarget.
func (m *measurer) pilot(p *plan) {
	n := 1
	if p.sim {
		n = simOps
	}
	var prevN int
	var prevWall time.Duration
	for {
		res, wall, err, abandoned := m.call(p.fn, n)
		if abandoned {
			p.err = errors.New("interrupted")
			return
		}
		if err == nil && res.N <= 0 {
			err = fmt.Errorf("Run(%d) reported N=%d", n, res.N)
		}
		if err != nil {
			p.err = err
			fmt.Fprintf(m.stderr, "[runbench] %s failed: %v\n", p.row.Name, err)
			return
		}
		w := wall.Seconds()
		switch el := res.Elapsed.Seconds(); {
		case !p.sim && el > 0 && el <= w:
			// Real rows time a part of the call: the rest is setup.
			p.b, p.a = el/float64(n), w-el
		case prevN > 0 && n > prevN && wall > prevWall:
			p.b = (w - prevWall.Seconds()) / float64(n-prevN)
			p.a = math.Max(0, w-p.b*float64(n))
		default:
			p.b, p.a = w/float64(n), 0
		}
		if p.b <= 0 {
			p.b = w / float64(n)
		}
		if p.sim || p.b*float64(n) >= pilotTarget.Seconds() || wall >= pilotMax || n >= 1e8 || m.stopped() {
			return
		}
		next := int(math.Ceil(1.2 * pilotTarget.Seconds() / p.b))
		next = max(next, 2*n)
		next = min(next, 100*n)
		prevN, prevWall, n = n, wall, next
	}
}

// predict is the wall time of one sample at the planned n, by the pilot's
// model.
func (p *plan) predict() time.Duration {
	return time.Duration((p.a + p.b*float64(p.n)) * 1e9)
}

// schedule picks the sample count (rounds) and the per-sample target from
// one round's steps (a row in stated ratios takes one step per ratio). An
// explicit count is kept; count 0 (the no-argument default) takes the most
// rounds in [autoMinCount, autoMaxCount] whose samples still last
// minSample within the budget. The pilot is the warm-up: its calls are
// never written.
func schedule(steps []step, opts Options, budget time.Duration) (count int, target time.Duration) {
	var rows int
	var setup float64
	for _, st := range steps {
		if st.p.err == nil {
			rows++
			setup += st.p.a
		}
	}
	per := func(c int) time.Duration {
		return time.Duration((budget.Seconds()/float64(c) - setup) / float64(rows) * 1e9)
	}
	count = opts.Count
	if count == 0 {
		count = autoMinCount
		for c := autoMaxCount; c >= autoMinCount; c-- {
			if per(c) >= minSample {
				count = c
				break
			}
		}
	}
	if opts.Benchtime > 0 {
		return count, opts.Benchtime
	}
	return count, min(max(per(count), floorSample), ceilSample)
}

// simOps is n for a simulated row: the model runs in virtual time and is
// deterministic, so more ops (sized by wall time, as for real rows) would
// only spend the budget on identical figures.
const simOps = 200

// opsFor is the n whose timed part lasts about target; a simulated row
// always takes simOps.
func opsFor(p *plan, target time.Duration) int {
	if p.sim {
		return simOps
	}
	if p.b <= 0 {
		return 1
	}
	n := target.Seconds() / p.b
	return int(min(max(n, 1), 1e9))
}

// rescale shrinks n for the rounds left when the rounds so far ran slower
// than predicted (ratio = actual/predicted wall time), so the run keeps to
// its budget. Samples of one row may then differ in n: benchstat compares
// per-op figures, which do not depend on n.
func (m *measurer) rescale(steps []step, rounds int, left time.Duration, ratio float64) {
	if ratio <= 0 || math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return
	}
	var setup, ops float64
	for _, st := range steps {
		if p := st.p; p.err == nil {
			setup += p.a * ratio
			ops += p.b * float64(p.n) * ratio
		}
	}
	perRound := left.Seconds() / float64(rounds)
	if ops <= 0 || setup+ops <= perRound {
		return
	}
	f := max((perRound-setup)/ops, 0.05)
	shrunk := map[*plan]bool{}
	for _, st := range steps {
		if p := st.p; p.err == nil && !p.sim && !shrunk[p] {
			shrunk[p] = true
			// Never below floorSample: past the deadline perRound is
			// negative, and a floor-less rescale cut n twentyfold each
			// round down to one op, samples of nothing but overhead
			// that the estimate (per-op based) could not foresee.
			p.n = max(1, int(float64(p.n)*f), min(p.n, opsFor(p, floorSample)))
		}
	}
	// What was spent stays; later predictions use the smaller n.
}

// remaining predicts the wall time of the steps from steps[i] in this round
// and of the rounds after it.
func remaining(steps []step, i, rounds int) time.Duration {
	var d, round time.Duration
	for j, st := range steps {
		p := st.p
		if p.err != nil {
			continue
		}
		round += p.predict()
		if j >= i {
			d += p.predict()
		}
	}
	return d + time.Duration(rounds)*round
}
