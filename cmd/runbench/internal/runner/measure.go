package runner

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// measurer runs the rows: a pilot per row, then samples interleaved
// round-robin so drift hits every row alike.
type measurer struct {
	opts        Options
	ctx         context.Context
	stderr      io.Writer
	start       time.Time
	interrupted bool
	abandoned   bool // a row's Run did not return within the grace period
	// rounds is what the rounds sidecar records: each round's samples,
	// pairs, steal time and washout.
	rounds *resultfile.Rounds
	wash   *washout
	// afterWorker: the last sample ran in a worker process, whose exit
	// leaves deferred kernel work the next plain sample waits out.
	afterWorker bool
	// churned: this round's last pair's earlier half created and ended
	// tasks fast enough that freeing them outlasts its sample (churns).
	churned bool
	// histAt is where each row's histograms of one kind accumulate: the
	// first sample's line holds them (sample index, hist index), later
	// samples merge into it. The process then holds one 15 KB histogram
	// per row and kind, not one per sample: every page it keeps is a page
	// the fork rows copy, and per-sample histograms made fork's cost
	// climb round after round.
	histAt map[[2]string][2]int
}

// call runs fn(n) on its own goroutine so a signal can abandon it: rows
// clean up their own children when they return; if one does not return
// within the grace period, the caller writes what it has and the process
// exits (which ends thread-group children; see doc.go for the rest).
func (m *measurer) call(fn func(int) (workloads.Result, error), n int) (workloads.Result, time.Duration, error, bool) {
	type outcome struct {
		res  workloads.Result
		wall time.Duration
		err  error
	}
	ch := make(chan outcome, 1)
	go func() {
		t0 := time.Now()
		res, err := fn(n)
		ch <- outcome{res, time.Since(t0), err}
	}()
	select {
	case o := <-ch:
		return o.res, o.wall, o.err, false
	case <-m.ctx.Done():
	}
	m.interrupted = true
	select {
	case o := <-ch:
		// The row finished its ops within the grace period: a whole sample.
		return o.res, o.wall, o.err, false
	case <-time.After(m.opts.Grace):
		m.abandoned = true
		return workloads.Result{}, 0, nil, true
	}
}

// stopped reports whether a signal has arrived, and remembers it: a run
// once interrupted stays partial.
func (m *measurer) stopped() bool {
	if m.ctx.Err() != nil {
		m.interrupted = true
	}
	return m.interrupted
}

// measure pilots every plan, schedules the samples to fit the budget and
// takes them round by round. It returns the samples that finished; a row
// that fails keeps its earlier samples and its error.
func (m *measurer) measure(plans []*plan) []resultfile.Line {
	opts := m.opts
	t0 := time.Now()
	live := 0
	for i, p := range plans {
		if m.stopped() {
			return nil
		}
		fmt.Fprintf(m.stderr, "[runbench] pilot %d/%d %s\n", i+1, len(plans), p.row.Name)
		m.pilot(p)
		if p.err == nil {
			live++
		}
	}
	if live == 0 {
		return nil
	}
	pairs := ratioPairs(plans)
	steps := roundSteps(plans, pairs, 1)
	count, target := schedule(steps, opts, opts.Budget-time.Since(t0)-min(reportSlack, opts.Budget/10))
	var predicted time.Duration
	for _, p := range plans {
		if p.err == nil {
			p.n = opsFor(p, target)
		}
	}
	for _, st := range steps {
		predicted += st.p.predict()
	}
	predicted *= time.Duration(count)
	fmt.Fprintf(m.stderr, "[runbench] %d rows × %d samples, ~%v per sample, ~%v estimated\n",
		live, count, target.Round(time.Millisecond), predicted.Round(time.Second))
	adaptive := opts.Target > 0 && len(pairs) > 0
	rounds := count
	if opts.Target > 0 {
		if adaptive {
			rounds = maxTargetRounds
			fmt.Fprintf(m.stderr, "[runbench] -target %s: adding rounds until the %d stated ratios' 95%% CIs are within it, or the budget runs out\n",
				fmtHalf(opts.Target), len(pairs))
		} else {
			fmt.Fprintf(m.stderr, "[runbench] -target: no stated ratio among the selected rows; taking %d rounds\n", count)
		}
	}
	m.rounds = &resultfile.Rounds{CPUs: runtime.NumCPU()}
	steal := newStealClock()
	m.rounds.StealSource = steal.source
	m.wash = &washout{source: "none: simulated rows only"}
	if slices.ContainsFunc(plans, func(p *plan) bool { return p.err == nil && !p.sim }) {
		m.wash = newWashout(opts.Softirqs)
		if m.wash.read == nil && len(pairs) > 0 {
			fmt.Fprintf(m.stderr, "[runbench] no washout between a pair's samples: %s\n", strings.TrimPrefix(m.wash.source, "none: "))
		}
	}
	m.rounds.Washout = m.wash.source
	if w := budgetWarning(opts, count, target, predicted, time.Since(m.start)); w != "" {
		fmt.Fprintf(m.stderr, "[runbench] warning: %s\n", w)
	}

	var samples []resultfile.Line
	var spent, spentPredicted, washed time.Duration
	deadline := m.start.Add(opts.Budget - min(reportSlack, opts.Budget/10))
	for s := 1; s <= rounds; s++ {
		steps := roundSteps(plans, pairs, s)
		if len(steps) == 0 {
			break
		}
		if s > 1 && opts.Benchtime == 0 && !adaptive {
			m.rescale(steps, count-s+1, time.Until(deadline)-washoutAhead(washed, s-1, count-s+1), float64(spent)/float64(spentPredicted))
		}
		if adaptive && s > 1 {
			// Stop when the next round would overrun the budget.
			next := remaining(steps, 0, 0)
			if spentPredicted > 0 {
				next = time.Duration(float64(next) * float64(spent) / float64(spentPredicted))
			}
			next += washoutAhead(washed, s-1, 1)
			// The clock is the real one (opts.Now may be a test's).
			if time.Since(t0)+next > opts.Budget-min(reportSlack, opts.Budget/10) {
				m.targetEnd(pairs, s-1, "the budget ran out")
				break
			}
		}
		rd := resultfile.Round{N: s}
		roundStart := time.Now()
		washedBefore := washed        // by the rounds done: the rate the estimates use
		var first resultfile.RoundRef // the pair's earlier sample, this round
		firstOK := false
		for i, st := range steps {
			p := st.p
			if p.err != nil {
				firstOK = false
				continue
			}
			if m.stopped() {
				m.endRound(&rd, roundStart, steal)
				return samples
			}
			shown := count
			if adaptive {
				shown = s
			}
			left := remaining(steps, i, shown-s)
			if spentPredicted > 0 {
				left = time.Duration(float64(left) * float64(spent) / float64(spentPredicted))
			}
			left += washoutAhead(washedBefore, s-1, shown-s)
			fmt.Fprintf(m.stderr, "[runbench] %d/%d %s  sample %d/%d  %s elapsed, ~%s left\n",
				i+1, len(steps), p.row.Name, s, shown, roundSec(time.Since(m.start)), roundSec(left))
			if opts.BeforeSample != nil {
				opts.BeforeSample(p.row.Name, s)
			}
			workloads.Settle() // no garbage from one sample lands on the next, nor its pages on what fork copies
			if (st.pair != nil && st.second && firstOK && m.churned && !p.sim) || (m.afterWorker && !p.worker) {
				// Before a pair's later half when the earlier half churned
				// through tasks, and before the first plain sample after
				// a worker's (whose exec and exit leave the same kind of
				// work). Not before a pair's earlier half: what precedes
				// it changes at random with the row order, noise but no
				// bias by order. Not after every earlier half: at ≈46 ms a
				// wait, before every pair's later half it took 16 s of
				// the default run's 90, shortening every sample, and
				// the idle CPU it left made the switch pairs noisier. After
				// Settle, so the wait also covers what handing the heap
				// back left, and nothing runs between it and the sample.
				d := m.washOut(s)
				washed += d
				rd.WashoutMs += float64(d.Microseconds()) / 1e3
				if m.stopped() {
					m.endRound(&rd, roundStart, steal)
					return samples
				}
			}
			m.afterWorker = p.worker
			res, wall, err, abandoned := m.call(p.fn, p.n)
			if abandoned {
				m.endRound(&rd, roundStart, steal)
				return samples
			}
			spent += wall
			spentPredicted += p.predict()
			if err == nil && res.N <= 0 {
				err = fmt.Errorf("Run(%d) reported N=%d", p.n, res.N)
			}
			if err == nil {
				err = p.addProfile(res)
			}
			if err != nil {
				p.err = err
				firstOK = false
				fmt.Fprintf(m.stderr, "[runbench] %s failed: %v\n", p.row.Name, err)
				continue
			}
			ref := resultfile.RoundRef{Row: p.row.Name, Index: p.done}
			rd.Samples = append(rd.Samples, ref)
			p.done++
			samples = append(samples, m.foldHists(samples, line(p.name, res)))
			switch {
			case st.pair != nil && !st.second:
				first, firstOK = ref, true
				st.pair.pending = res.PerOp()
				m.churned = churns(p, res)
			case st.pair != nil && firstOK:
				rd.Pairs = append(rd.Pairs, [2]resultfile.RoundRef{first, ref})
				a, b := st.pair.pending, res.PerOp()
				if p == st.pair.num {
					a, b = b, a
				}
				st.pair.nums = append(st.pair.nums, a)
				st.pair.dens = append(st.pair.dens, b)
				firstOK = false
			default:
				firstOK = false
			}
		}
		m.endRound(&rd, roundStart, steal)
		if adaptive {
			w, hw := widest(pairs)
			if w == nil {
				break
			}
			fmt.Fprintf(m.stderr, "[runbench] round %d: widest ratio CI %s (%s), target %s\n", s, fmtHalf(hw), w.label(), fmtHalf(opts.Target))
			if s >= autoMinCount && hw <= opts.Target {
				m.targetEnd(pairs, s, "target met")
				break
			}
			if s == rounds {
				m.targetEnd(pairs, s, "the round limit was reached")
			}
		}
	}
	return samples
}

// washOut waits out a pair's earlier sample (washout.wait) and returns
// how long it waited. A count that stops reading ends the washout for the
// rest of the run, said once and in the sidecar's washout line.
func (m *measurer) washOut(round int) time.Duration {
	d, _, err := m.wash.wait(m.ctx)
	if err != nil && m.ctx.Err() == nil {
		m.wash.read = nil
		m.rounds.Washout += fmt.Sprintf("; off from round %d: %v", round, err)
		fmt.Fprintf(m.stderr, "[runbench] no washout from round %d on: %v\n", round, err)
	}
	return d
}

// maxTargetRounds bounds an adaptive run whose budget would allow more.
const maxTargetRounds = 1000

// endRound records the round's wall and steal time.
func (m *measurer) endRound(rd *resultfile.Round, start time.Time, steal *stealClock) {
	if len(rd.Samples) == 0 {
		return
	}
	rd.WallMs = float64(time.Since(start).Microseconds()) / 1e3
	rd.StealMs = steal.lap()
	m.rounds.Rounds = append(m.rounds.Rounds, *rd)
}

// targetEnd says why an adaptive run stopped and which ratios reached the
// target.
func (m *measurer) targetEnd(pairs []*planPair, rounds int, why string) {
	in, live := 0, 0
	for _, pp := range pairs {
		if pp.live() {
			live++
			if pp.ratio().HalfWidth() <= m.opts.Target {
				in++
			}
		}
	}
	fmt.Fprintf(m.stderr, "[runbench] -target: %s after %d rounds; %d of %d ratios within %s\n", why, rounds, in, live, fmtHalf(m.opts.Target))
	for _, pp := range pairs {
		if pp.live() && pp.ratio().HalfWidth() > m.opts.Target {
			fmt.Fprintf(m.stderr, "[runbench]   not reached: %s %s\n", pp.label(), fmtHalf(pp.ratio().HalfWidth()))
		}
	}
}

// budgetWarning says, before measuring, when the schedule cannot keep the
// budget: samples no shorter than floorSample (or -benchtime) times the
// count take longer (-count 1000000 -budget 1s once started a 4.5-hour run
// without a word). Within half again the budget is noise, not a warning.
func budgetWarning(opts Options, count int, target, predicted, spent time.Duration) string {
	if opts.Budget <= 0 || spent+predicted <= opts.Budget*3/2 {
		return ""
	}
	why := fmt.Sprintf("-count %d", count)
	if opts.Count == 0 {
		why = fmt.Sprintf("the fewest samples (%d)", count)
	}
	if opts.Benchtime > 0 {
		why += fmt.Sprintf(" of -benchtime %v", opts.Benchtime)
	} else {
		why += fmt.Sprintf(" of at least %v", target.Round(time.Millisecond))
	}
	return fmt.Sprintf("%s cannot keep -budget %v: the run will take ~%v; stop it (Ctrl-C keeps what finished) and lower -count or raise -budget",
		why, opts.Budget, (spent + predicted).Round(time.Second))
}

// foldHists merges l's histograms into the earlier samples' of its row
// and kind (histAt), and returns l holding only those it is the first of.
func (m *measurer) foldHists(samples []resultfile.Line, l resultfile.Line) resultfile.Line {
	if m.histAt == nil {
		m.histAt = map[[2]string][2]int{}
	}
	var own []resultfile.Hist
	for _, h := range l.Hists {
		key := [2]string{l.Name, h.Kind}
		if at, ok := m.histAt[key]; ok {
			acc := &samples[at[0]].Hists[at[1]]
			acc.Hist.Merge(h.Hist)
			acc.Samples = max(acc.Samples, 1) + 1
			continue
		}
		m.histAt[key] = [2]int{len(samples), len(own)}
		c := *h.Hist // the row's own, which it may reuse
		own = append(own, resultfile.Hist{Kind: h.Kind, Hist: &c})
	}
	l.Hists = own
	return l
}

// roundSec prints d in whole seconds for the progress lines.
func roundSec(d time.Duration) string {
	return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s"
}

// line is a row's result as a benchmark line, as bench's report writes it
// under go test: the primary figure in its unit (ns/op, or sim-ns/op alone
// for a simulated row), then the row's metrics; and its histograms.
func line(name string, res workloads.Result) resultfile.Line {
	unit := res.Unit
	if unit == "" {
		unit = rowspec.UnitNsOp
	}
	l := resultfile.Line{Name: name, Iters: res.N, Values: []benchfmt.Value{{Value: tidyDigits(res.PerOp()), Unit: unit}}}
	for _, m := range res.Metrics {
		l.Values = append(l.Values, benchfmt.Value{Value: tidyDigits(m.Value), Unit: m.Unit})
	}
	for _, h := range res.Latency {
		l.Hists = append(l.Hists, resultfile.Hist{Kind: h.Kind, Hist: h.Hist})
	}
	return l
}

// tidyDigits rounds v to the decimals go test prints (testing's
// prettyPrint): none from 1000 up, then one more per decade below, so the
// two tools' files read alike and no digit below the noise is written.
func tidyDigits(v float64) float64 {
	prec := 0
	switch y := math.Abs(v); {
	case y == 0 || y >= 999.95:
		prec = 0
	case y >= 99.995:
		prec = 1
	case y >= 9.9995:
		prec = 2
	case y >= 0.99995:
		prec = 3
	case y >= 0.099995:
		prec = 4
	case y >= 0.0099995:
		prec = 5
	case y >= 0.00099995:
		prec = 6
	default:
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', prec, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// churnNs is the op time under which a creation row's sample leaves its
// successor a measurable share of work: every exited task is freed after
// an RCU grace period (rcu_do_batch → delayed_put_task_struct →
// free_task), ≈13% of the thread row's CPU paid after its sample, which
// made fork after thread 6–10% dearer than fork after fork. At 17 µs an op
// a 60 ms sample leaves ≈3,500 tasks to free; at fork's 500 µs, ≈120.
const churnNs = 100_000

// churns reports whether p's sample res created and ended tasks faster
// than one per churnNs, so the sample after it should wait for the RCU
// softirq to go quiet.
func churns(p *plan, res workloads.Result) bool {
	sp, err := rowspec.Parse(p.row.Name)
	return err == nil && sp.Family.Creation() && res.PerOp() > 0 && res.PerOp() < churnNs
}
