package simkernel

import (
	"fmt"
	"math"
	"slices"

	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
)

// Metric is one extra figure of a simulated row. Units of virtual-time
// figures carry a "sim-" prefix ("sim-p50-ns", "sim-ns/switch"); counts
// (ctxsw/op) keep the real row's unit.
type Metric struct {
	Value float64
	Unit  string
}

// Result is a simulated row's n ops. Unlike a real row it keeps no per-op
// samples: a harness may ask for millions of ops (they are cheap), and the
// model's ops take a handful of distinct times, so the percentiles a real
// row derives from its samples come ready-made as metrics.
type Result struct {
	N       int
	Elapsed float64 // virtual ns for all N ops
	Metrics []Metric

	// phases are a creation row's virtual ns by model step, for its
	// probe=sched twin (phaseMetrics).
	phases simPhases
}

// simPhases split createOps' virtual time the way package probe splits a
// real op: the model's clone is copy, its exit teardown, its wait4 or
// clear-tid futex wait reap, and a style's residual outside the task
// model (Profile.Extra) other.
type simPhases struct{ copy, teardown, reap, other float64 }

// phaseMetrics are p per op as a probed row reports them, in simulated
// units; they sum to the row's sim-ns/op.
func (p simPhases) metrics(n int) []Metric {
	f := float64(n)
	out := []Metric{
		{p.copy / f, rowspec.Sim(rowspec.UnitCopyNsOp)},
		{p.teardown / f, rowspec.Sim(rowspec.UnitTeardownNsOp)},
		{p.reap / f, rowspec.Sim(rowspec.UnitReapNsOp)},
	}
	if p.other > 0 {
		out = append(out, Metric{p.other / f, rowspec.Sim(rowspec.UnitOtherNsOp)})
	}
	return out
}

// opTimes counts per-op virtual times by value: the model's ops take few
// distinct times, so this stays small for any n.
type opTimes struct {
	vals   []float64 // ascending
	counts []int
	n      int
}

func (o *opTimes) add(v float64) {
	i, found := slices.BinarySearch(o.vals, v)
	if !found {
		o.vals = slices.Insert(o.vals, i, v)
		o.counts = slices.Insert(o.counts, i, 0)
	}
	o.counts[i]++
	o.n++
}

// percentile is the nearest-rank percentile: the smallest time at least
// pct percent of the ops took no longer than.
func (o *opTimes) percentile(pct float64) float64 {
	rank := int(math.Ceil(pct / 100 * float64(o.n)))
	rank = max(rank, 1)
	seen := 0
	for i, c := range o.counts {
		seen += c
		if seen >= rank {
			return o.vals[i]
		}
	}
	return o.vals[len(o.vals)-1]
}

// PerOp is Elapsed/N.
func (r Result) PerOp() float64 {
	if r.N == 0 {
		return 0
	}
	return r.Elapsed / float64(r.N)
}

// Run simulates n ops of the catalogue row spec on a fresh kernel with
// profile p. The same (p, spec, n) always gives the same Result.
func Run(p Profile, spec rowspec.Spec, n int) (Result, error) {
	if err := checkSpec(spec); err != nil {
		return Result{}, err
	}
	if n < 1 {
		return Result{}, fmt.Errorf("simkernel: row %s: n=%d, need at least one op", spec, n)
	}
	if spec.Probe != "" && !spec.Family.Creation() {
		// The switch model is fitted round trips, not a timeline of
		// system calls, wake-ups and switches to split.
		return Result{}, fmt.Errorf("simkernel: row %s: switch phases are not modelled", spec)
	}
	res, err := run(p, spec, n)
	if err != nil {
		return Result{}, fmt.Errorf("simkernel: row %s: %w", spec, err)
	}
	if spec.Probe != "" {
		res.Metrics = append(res.Metrics, res.phases.metrics(n)...)
	}
	return res, nil
}

// checkSpec refuses a spec that is not a catalogue name of a simulated
// family, so a row the model does not understand is an error, never a
// silent guess. A Spec is a plain struct: it may hold a value no name can
// (style=teleport, pairs=0), or a field its family has no key for, which
// the name would drop; both must come back unchanged through the name.
func checkSpec(spec rowspec.Spec) error {
	if !spec.Family.Simulated() {
		return fmt.Errorf("simkernel: row %s: family %q is not simulated", spec, spec.Family)
	}
	back, err := rowspec.Parse(spec.String())
	if err != nil {
		return fmt.Errorf("simkernel: %w", err)
	}
	if back != spec {
		return fmt.Errorf("simkernel: row %s: spec %+v sets fields the %s family has no keys for", spec, spec, spec.Family)
	}
	return nil
}

func run(p Profile, spec rowspec.Spec, n int) (Result, error) {
	switch spec.Family {
	case rowspec.Create:
		return runCreate(p, spec.Style, 0, false, 0, n)
	case rowspec.CloneFlags:
		flags, err := rawclone.ParseFlags(spec.Flags)
		if err != nil {
			return Result{}, err
		}
		k := NewKernel(p)
		return createOps(k, k.Spawn(), flags, 0, n)
	case rowspec.CreateRSS:
		return runCreate(p, spec.Style, uint64(spec.RSS), spec.THP, 0, n)
	case rowspec.CreateFDs:
		return runCreate(p, spec.Style, 0, false, spec.FDs, n)
	case rowspec.Switch:
		return runSwitch(p, spec.Mech, spec.Mode, Placement(spec.CPU), uint64(spec.WS), n)
	case rowspec.SwitchOverhead:
		return runOverhead(p, spec.Mech, n)
	case rowspec.SwitchPairs:
		return runPairs(p, spec.Mode, spec.Pairs, n)
	}
	// checkSpec admits only the families Family.Simulated names.
	return Result{}, fmt.Errorf("family %s is simulated but has no model", spec.Family)
}

// styles maps a creation style to the clone it issues and the Extra
// residual (work outside the task model) it adds.
var styles = map[rowspec.Style]struct {
	flags rawclone.Flags
	extra string
	clone bool
}{
	rowspec.StyleFork: {rawclone.ForkFlags, "", true},
	// The model's parent holds only what the row gives it, as the minimal
	// fork child does: its fork is the model's fork.
	rowspec.StyleForkMinimal:      {rawclone.ForkFlags, "", true},
	rowspec.StyleThread:           {rawclone.ThreadFlags, "", true},
	rowspec.StyleThreadFreshStack: {rawclone.ThreadFlags, "thread-fresh-stack", true},
	rowspec.StyleVfork:            {rawclone.VforkFlags, "", true},
	rowspec.StylePthread:          {rawclone.ThreadFlags, "pthread", true},
	rowspec.StyleLibcFork:         {rawclone.ForkFlags, "libc-fork", true},
	// os/exec: clone(VM|VFORK|PIDFD|SIGCHLD), then execve in the child.
	rowspec.StyleSpawn:     {rawclone.CloneVM | rawclone.CloneVfork | rawclone.ClonePidfd | rawclone.SIGCHLD, "spawn", true},
	rowspec.StyleGoroutine: {0, "goroutine", false},
}

func runCreate(p Profile, style rowspec.Style, rss uint64, thp bool, fds, n int) (Result, error) {
	st, ok := styles[style]
	if !ok {
		return Result{}, fmt.Errorf("style=%s has no model", style)
	}
	var extra float64
	if st.extra != "" {
		v, ok := p.Extra[st.extra]
		if !ok {
			return Result{}, fmt.Errorf("profile %s has no figure for style=%s (its reference run lacked the row)", p.Source, style)
		}
		extra = v
	}
	k := NewKernel(p)
	parent := k.Spawn()
	k.Map(parent, rss, thp)
	k.OpenFiles(parent, fds)
	if !st.clone {
		// No kernel op: a goroutine is created and run by the Go scheduler.
		var ops opTimes
		for range n {
			ops.add(extra)
		}
		return withPercentiles(Result{N: n, Elapsed: extra * float64(n)}, &ops), nil
	}
	return createOps(k, parent, st.flags, extra, n)
}

// createOps runs n creation ops from parent: clone, exit, and reap (a task
// with its own thread group) or join (a thread-group member, released at
// exit; the joiner's futex wait is one syscall).
func createOps(k *Kernel, parent *Task, flags rawclone.Flags, extra float64, n int) (Result, error) {
	res := Result{N: n}
	var ops opTimes
	before := len(k.pids)
	for i := range n {
		t0 := k.Clock
		child, err := k.Clone(parent, flags)
		if err != nil {
			return Result{}, fmt.Errorf("op %d of %d: clone(%s): %w", i+1, n, flags, err)
		}
		t1 := k.Clock
		if err := k.Exit(child, 0); err != nil {
			return Result{}, fmt.Errorf("op %d of %d: exit: %w", i+1, n, err)
		}
		t2 := k.Clock
		if child.Leader == child {
			if _, err := k.Wait(parent, child.Pid); err != nil {
				return Result{}, fmt.Errorf("op %d of %d: wait4(%d): %w", i+1, n, child.Pid, err)
			}
		} else {
			k.charge(k.Profile.Syscall) // futex wait on the clear-tid word
		}
		if k.Live(child.Pid) {
			return Result{}, fmt.Errorf("op %d of %d: task %d outlived its op", i+1, n, child.Pid)
		}
		t3 := k.Clock
		k.charge(extra)
		res.phases.copy += t1 - t0
		res.phases.teardown += t2 - t1
		res.phases.reap += t3 - t2
		res.phases.other += k.Clock - t3
		op := k.Clock - t0
		ops.add(op)
		res.Elapsed += op
	}
	if len(k.pids) != before {
		return Result{}, fmt.Errorf("%d tasks before the run, %d after", before, len(k.pids))
	}
	return withPercentiles(res, &ops), nil
}

func withPercentiles(res Result, ops *opTimes) Result {
	res.Metrics = append(res.Metrics,
		Metric{ops.percentile(50), rowspec.Sim(rowspec.UnitP50)},
		Metric{ops.percentile(99), rowspec.Sim(rowspec.UnitP99)})
	return res
}

// switchFlags are the clone flags of a ping-pong side per mode, as in the
// workloads' Switch rows.
var switchFlags = map[rowspec.Mode]rawclone.Flags{rowspec.ModeProcess: rawclone.ForkFlags, rowspec.ModeThread: rawclone.ThreadFlags}

func warmupFor(n int) int { return min(max(n/8, 16), 1000) }

func runSwitch(p Profile, mech rowspec.Mech, mode rowspec.Mode, where Placement, ws uint64, n int) (Result, error) {
	if mode == rowspec.ModeGoroutine {
		return runGoroutineSwitch(p, mech, where, ws, n)
	}
	flags, ok := switchFlags[mode]
	if !ok {
		return Result{}, fmt.Errorf("switch mode=%s has no model", mode)
	}
	k := NewKernel(p)
	parent := k.Spawn()
	a, err := k.Clone(parent, flags)
	if err != nil {
		return Result{}, err
	}
	b, err := k.Clone(parent, flags)
	if err != nil {
		return Result{}, err
	}
	pp, err := k.PingPong(a, b, mech, where, ws, warmupFor(n), n)
	if err != nil {
		return Result{}, err
	}
	rt := pp.Elapsed / float64(n)
	return Result{N: n, Elapsed: pp.Elapsed, Metrics: []Metric{
		{rt / 2, rowspec.Sim(rowspec.UnitNsSwitch)},
		{rt/2 - pp.Overhead, rowspec.Sim(rowspec.UnitNsSwitchNet)},
		{pp.Nvcsw / float64(n), rowspec.UnitCtxswOp},
		{pp.Nivcsw / float64(n), rowspec.UnitICtxswOp},
	}}, nil
}

// runGoroutineSwitch replays the fitted goroutine round trip: the Go
// scheduler is not modelled, only the working-set pass on top of it.
func runGoroutineSwitch(p Profile, mech rowspec.Mech, where Placement, ws uint64, n int) (Result, error) {
	key := string(mech) + "/" + string(where)
	g, ok := p.Goroutine[key]
	if !ok {
		return Result{}, fmt.Errorf("profile %s has no goroutine round trip for mech=%s cpu=%s", p.Source, mech, where)
	}
	rt := g + 2*p.TouchPerKiB*float64(ws)/1024
	return Result{N: n, Elapsed: rt * float64(n), Metrics: []Metric{{rt / 2, rowspec.Sim(rowspec.UnitNsSwitch)}}}, nil
}

func runOverhead(p Profile, mech rowspec.Mech, n int) (Result, error) {
	ov, ok := p.Overhead[string(mech)]
	if !ok {
		return Result{}, fmt.Errorf("profile %s has no overhead figure for mech=%s", p.Source, mech)
	}
	k := NewKernel(p)
	for range n {
		k.charge(ov)
	}
	return Result{N: n, Elapsed: k.Clock}, nil
}

// runPairs models k pipe ping-pong pairs, unpinned, on the profile's CPUs.
// While every task has a CPU of its own (2k <= CPUs) each pair runs as at
// cpu=any; beyond, the balancer packs the pairs and every CPU is busy all
// the time with same-CPU round trips, so throughput is CPUs per same-CPU
// round trip, plus the balancer's contention.
func runPairs(p Profile, mode rowspec.Mode, pairs, n int) (Result, error) {
	var rt float64
	where := AnyCPU
	if 2*pairs > p.CPUs {
		where = SameCPU
	}
	one, err := runSwitch(p, rowspec.MechPipe, mode, where, 0, n)
	if err != nil {
		return Result{}, err
	}
	rt = one.PerOp()
	var perRT float64 // system time per round trip
	if where == AnyCPU {
		perRT = rt / float64(pairs)
	} else {
		perRT = rt * (1 + p.PairsContention) / float64(p.CPUs)
	}
	total := pairs * n
	var nvcsw float64
	for _, m := range one.Metrics {
		if m.Unit == rowspec.UnitCtxswOp {
			nvcsw = m.Value
		}
	}
	return Result{N: total, Elapsed: perRT * float64(total), Metrics: []Metric{
		{1e9 / perRT, rowspec.Sim(rowspec.UnitRoundTripsPerSec)},
		{nvcsw, rowspec.UnitCtxswOp},
	}}, nil
}
