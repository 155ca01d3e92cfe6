package runner

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/workloads"
)

const (
	fork     = "Create/style=fork/cpu=same"
	forkAny  = "Create/style=fork/cpu=any"
	thread   = "Create/style=thread/cpu=same"
	vfork    = "Create/style=vfork/cpu=same"
	pipeProc = "Switch/mech=pipe/mode=process/cpu=same/ws=0"
	pipeThr  = "Switch/mech=pipe/mode=thread/cpu=same/ws=0"
	overhead = "SwitchOverhead/mech=pipe"
)

// pairedRows are fake rows with the names of stated ratios: fork is 3×
// thread, vfork 1.5×, process 2× thread.
func pairedRows() []workloads.Row {
	return []workloads.Row{
		exactRow(fork, 300*time.Microsecond), exactRow(forkAny, 330*time.Microsecond),
		exactRow(thread, 50*time.Microsecond), exactRow(vfork, 150*time.Microsecond),
		exactRow(pipeProc, 4*time.Microsecond), exactRow(pipeThr, 2*time.Microsecond),
		exactRow(overhead, time.Microsecond),
	}
}

func TestRoundSteps(t *testing.T) {
	var plans []*plan
	for _, r := range pairedRows() {
		plans = append(plans, &plan{row: r})
	}
	pairs := ratioPairs(plans)
	want := []string{fork + "/" + thread, vfork + "/" + thread, forkAny + "/" + fork, pipeProc + "/" + pipeThr}
	var got []string
	for _, pp := range pairs {
		got = append(got, pp.num.row.Name+"/"+pp.den.row.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pairs %q, want %q", got, want)
	}
	for s := 1; s <= 4; s++ {
		steps := roundSteps(plans, pairs, s)
		seen := map[*planPair]int{}
		for i, st := range steps {
			if st.pair == nil || st.second {
				continue
			}
			// The pair's two samples are adjacent, numerator first in
			// odd rounds; a headline ratio's later pairs alternate on.
			if i+1 >= len(steps) || steps[i+1].pair != st.pair || !steps[i+1].second {
				t.Fatalf("round %d: %s's partner does not follow it", s, st.p.row.Name)
			}
			if numFirst := st.p == st.pair.num; numFirst != ((s+seen[st.pair])%2 == 1) {
				t.Errorf("round %d, pair %d: %s first; want the numerator first in odd rounds, alternating", s, seen[st.pair]+1, st.p.row.Name)
			}
			seen[st.pair]++
		}
		if len(seen) != len(pairs) {
			t.Errorf("round %d: %d pairs measured, want %d", s, len(seen), len(pairs))
		}
		// fork/thread and pipe process/thread are headline ratios.
		for pp, n := range seen {
			want := 1
			switch {
			case pp.num.row.Name == fork && pp.den.row.Name == thread:
				want = 6
			case pp.num.row.Name == pipeProc:
				want = 3
			}
			if n != want {
				t.Errorf("round %d: %s / %s measured %d times, want %d", s, pp.num.row.Name, pp.den.row.Name, n, want)
			}
		}
		if n := slices.IndexFunc(steps, func(st step) bool { return st.p.row.Name == overhead }); n < 0 || steps[n].pair != nil {
			t.Errorf("round %d: the unpaired row is not measured alone", s)
		}
	}
	// A probed twin follows its plain row's first pair, never between
	// the pair's two samples.
	twin := &plan{row: exactRow(fork+"/probe=sched", time.Microsecond)}
	withTwin := append(append([]*plan{}, plans...), twin)
	for s := 1; s <= 2; s++ {
		steps := roundSteps(withTwin, ratioPairs(withTwin), s)
		i := slices.IndexFunc(steps, func(st step) bool { return st.p == twin })
		if i < 2 || steps[i-1].pair == nil || !steps[i-1].second || steps[i-1].pair.num.row.Name != fork || steps[i-1].pair.den.row.Name != thread {
			t.Errorf("round %d: the twin is at step %d, not right after the fork/thread pair", s, i)
		}
		if n := slices.IndexFunc(steps[i+1:], func(st step) bool { return st.p == twin }); n >= 0 {
			t.Errorf("round %d: the twin is measured twice", s)
		}
	}
	// Rows sampled in worker processes close the round, in their order.
	w1 := &plan{row: exactRow(fork+"/pprof=cpu", time.Microsecond), worker: true}
	w2 := &plan{row: exactRow(thread+"/pprof=cpu", time.Microsecond), worker: true}
	withWorkers := append([]*plan{w1, plans[0], w2}, plans[1:]...)
	for s := 1; s <= 2; s++ {
		steps := roundSteps(withWorkers, ratioPairs(withWorkers), s)
		if n := len(steps); n < 3 || steps[n-2].p != w1 || steps[n-1].p != w2 || len(steps) != len(roundSteps(plans, pairs, s))+2 {
			t.Errorf("round %d: %d steps, last %s; want the two worker rows last, once each", s, n, steps[n-1].p.row.Name)
		}
	}
	// A failed row leaves its pairs; its partner still runs.
	plans[2].err = fmt.Errorf("broken")
	for _, st := range roundSteps(plans, pairs, 1) {
		if st.p == plans[2] {
			t.Errorf("failed row scheduled")
		}
		if st.p == plans[3] && st.pair != nil {
			t.Errorf("vfork paired with a failed thread row")
		}
	}
	if !slices.ContainsFunc(roundSteps(plans, pairs, 1), func(st step) bool { return st.p == plans[3] }) {
		t.Errorf("vfork not measured once its partner failed")
	}
}

// TestRunRecordsRounds: a run writes the rounds sidecar; read back with
// the result file, every pair names two adjacent samples of a stated
// ratio's rows taken in that round, and their ratio is the rows' ratio.
func TestRunRecordsRounds(t *testing.T) {
	opts := testOptions(t.TempDir(), pairedRows()...)
	opts.Count = 6
	opts.Benchtime = time.Millisecond
	_, errs, res, err := run(opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, errs)
	}
	f, err := resultfile.ReadRun(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := resultfile.ReadRounds(res.Path)
	if err != nil || rs == nil {
		t.Fatalf("rounds sidecar: %v, %v", rs, err)
	}
	if len(rs.Rounds) != 6 {
		t.Fatalf("%d rounds, want 6", len(rs.Rounds))
	}
	if rs.StealSource == "" || rs.CPUs < 1 {
		t.Errorf("steal source %q, cpus %d", rs.StealSource, rs.CPUs)
	}
	if !strings.HasPrefix(rs.Washout, "rcu-softirq ") {
		t.Errorf("washout %q, want rcu-softirq", rs.Washout)
	}
	want := map[[2]string]float64{{fork, thread}: 6, {vfork, thread}: 3, {forkAny, fork}: 1.1, {pipeProc, pipeThr}: 2}
	total := 0
	for _, rd := range rs.Rounds {
		total += len(rd.Samples)
		// The count never moves: a pair whose earlier half is the
		// thread row (50 µs an op, a creation row that churns) waits its
		// quiet time once, the other pairs never. Thread goes first in
		// three of the headline fork/thread's six pairs each round, and
		// in vfork/thread's pair of even rounds.
		waits := 3
		if rd.N%2 == 0 {
			waits = 4
		}
		if least := float64(waits*int(washoutQuiet.Milliseconds())) - 0.1; rd.WashoutMs < least || rd.WashoutMs > rd.WallMs || rd.WashoutMs > float64(waits*int(washoutCap.Milliseconds())) {
			t.Errorf("round %d: washout %.1f ms, want ≥ %.1f (one quiet time per thread-first pair) and within the round's %.1f", rd.N, rd.WashoutMs, least, rd.WallMs)
		}
		// fork/thread and pipe process/thread are headline ratios, six
		// and three pairs a round.
		if len(rd.Pairs) != len(want)+5+2 {
			t.Errorf("round %d: %d pairs, want %d", rd.N, len(rd.Pairs), len(want)+5+2)
		}
		reps := map[[2]string]int{}
		for _, p := range rd.Pairs {
			i := slices.Index(rd.Samples, p[0])
			if i < 0 || i+1 >= len(rd.Samples) || rd.Samples[i+1] != p[1] {
				t.Errorf("round %d: pair %v not two adjacent samples of the round", rd.N, p)
			}
			num, den := p[0], p[1]
			r, ok := want[[2]string{num.Row, den.Row}]
			if !ok {
				num, den = den, num
				r, ok = want[[2]string{num.Row, den.Row}]
			}
			if !ok {
				t.Fatalf("round %d: pair %v is no stated ratio", rd.N, p)
			}
			k := [2]string{num.Row, den.Row}
			if first := p[0] == num; first != ((rd.N+reps[k])%2 == 1) {
				t.Errorf("round %d: pair %v in the wrong order", rd.N, p)
			}
			reps[k]++
			_, a, ok1 := f.Sample(num)
			_, b, ok2 := f.Sample(den)
			if !ok1 || !ok2 {
				t.Fatalf("round %d: pair %v not in the result file", rd.N, p)
			}
			av, _ := a.Get("ns/op")
			bv, _ := b.Get("ns/op")
			if math.Abs(av/bv-r) > 1e-3 {
				t.Errorf("round %d: %s/%s = %g, want %g", rd.N, num.Row, den.Row, av/bv, r)
			}
		}
	}
	lines := 0
	for _, r := range f.Rows {
		lines += len(r.Samples)
	}
	if total != lines {
		t.Errorf("sidecar lists %d samples, the file has %d", total, lines)
	}
}

// TestRunWithoutWashout: a count that cannot be read leaves the pairs
// unwaited, says why once, and the sidecar says so too; one that stops
// reading mid-run ends the washout there, said once.
func TestRunWithoutWashout(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failFrom int // the read that fails first, 1-based
		source   string
		say      string
	}{
		{"unreadable", 1, "none: no softirqs here", "no washout between a pair's samples: no softirqs here"},
		{"fails mid-run", 10, "rcu-softirq quiet=10ms cap=200ms;", "no washout from round "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(t.TempDir(), pairedRows()...)
			opts.Count, opts.Benchtime = 6, time.Millisecond
			reads := 0
			opts.Softirqs = func() (uint64, error) {
				if reads++; reads >= tc.failFrom {
					return 0, errors.New("no softirqs here")
				}
				return 0, nil
			}
			_, errs, res, err := run(opts)
			if err != nil {
				t.Fatalf("%v\n%s", err, errs)
			}
			if n := strings.Count(errs, tc.say); n != 1 {
				t.Errorf("progress says %q %d times, want once:\n%s", tc.say, n, errs)
			}
			rs, err := resultfile.ReadRounds(res.Path)
			if err != nil {
				t.Fatal(err)
			}
			if off := tc.failFrom > 1; !strings.HasPrefix(rs.Washout, tc.source) || off != strings.Contains(rs.Washout, "; off from round ") {
				t.Errorf("washout %q, want %q…", rs.Washout, tc.source)
			}
			if last := rs.Rounds[len(rs.Rounds)-1]; last.WashoutMs != 0 {
				t.Errorf("round %d waited %.1f ms without a count", last.N, last.WashoutMs)
			}
		})
	}
}

// noisyRow's op spins for perOp times a factor that changes every call, by
// up to ±spread: pairs of two such rows scatter, so their ratio's interval
// narrows only with more pairs. It spins so the budget is spent.
func noisyRow(name string, perOp time.Duration, spread float64) workloads.Row {
	k := 0
	return workloads.Row{Name: name, Suites: workloads.Quick, Run: func(n int) (workloads.Result, error) {
		k++
		f := 1 + spread*math.Sin(float64(k)*1.7)
		d := time.Duration(float64(n) * float64(perOp) * f)
		for start := time.Now(); time.Since(start) < d; {
		}
		return workloads.Result{N: n, Elapsed: d}, nil
	}}
}

func TestRunTarget(t *testing.T) {
	for _, tc := range []struct {
		name      string
		spread    float64
		target    float64
		budget    time.Duration
		minRounds int
		maxRounds int
		say       string
	}{
		{"exact rows meet any target at the first check", 0, 0.01, 5 * time.Second, autoMinCount, autoMinCount, "target met after 6 rounds"},
		{"noisy rows, a target out of reach: the budget ends it", 0.3, 0.0001, 600 * time.Millisecond, autoMinCount + 1, maxTargetRounds - 1, "the budget ran out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(t.TempDir(),
				noisyRow(fork, 30*time.Microsecond, tc.spread), noisyRow(thread, 10*time.Microsecond, tc.spread/2))
			opts.Count, opts.Benchtime, opts.Budget, opts.Target = 6, time.Millisecond, tc.budget, tc.target
			// No washout: its ≥10 ms waits would take the small budget.
			opts.Softirqs = func() (uint64, error) { return 0, errors.New("not in this test") }
			_, errs, res, err := run(opts)
			if err != nil {
				t.Fatalf("%v\n%s", err, errs)
			}
			rs, err := resultfile.ReadRounds(res.Path)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(rs.Rounds); n < tc.minRounds || n > tc.maxRounds {
				t.Errorf("%d rounds, want %d..%d", n, tc.minRounds, tc.maxRounds)
			}
			if !strings.Contains(errs, tc.say) || !strings.Contains(errs, "widest ratio CI") {
				t.Errorf("progress does not say %q and the widest half-width:\n%s", tc.say, errs)
			}
		})
	}
}
