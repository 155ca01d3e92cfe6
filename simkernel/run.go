package simkernel

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
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

// Unit is the primary unit of every simulated row.
const Unit = "sim-ns/op"

// rowName is a catalogue row name split into its family and key=value
// parts.
type rowName struct {
	family string
	keys   []string
	vals   []string
}

func parseRow(name string) (rowName, error) {
	parts := strings.Split(name, "/")
	r := rowName{family: parts[0]}
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return r, fmt.Errorf("simkernel: row %q: part %q is not key=value", name, kv)
		}
		r.keys = append(r.keys, k)
		r.vals = append(r.vals, v)
	}
	return r, nil
}

func (r rowName) get(key string) (string, bool) {
	if i := slices.Index(r.keys, key); i >= 0 {
		return r.vals[i], true
	}
	return "", false
}

// need returns the listed keys' values and refuses any other key, so a row
// the model does not understand is an error, never a silent guess.
func (r rowName) need(name string, keys ...string) ([]string, error) {
	for _, k := range r.keys {
		if !slices.Contains(keys, k) {
			return nil, fmt.Errorf("simkernel: row %q: unknown key %q (want %s)", name, k, strings.Join(keys, ", "))
		}
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		v, ok := r.get(k)
		if !ok {
			return nil, fmt.Errorf("simkernel: row %q: missing key %q", name, k)
		}
		out[i] = v
	}
	return out, nil
}

// ParseSize reads a row's size value: "0", "16KiB", "64MiB", "1GiB", "512B"
// or a plain byte count.
func ParseSize(s string) (uint64, error) {
	mult := uint64(1)
	num := s
	for _, u := range []struct {
		suffix string
		mult   uint64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = n, u.mult
			break
		}
	}
	v, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("simkernel: size %q: want a number with an optional KiB, MiB or GiB suffix", s)
	}
	return v * mult, nil
}

// Run simulates n ops of the catalogue row name on a fresh kernel with
// profile p. The same (p, name, n) always gives the same Result.
func Run(p Profile, name string, n int) (Result, error) {
	if n < 1 {
		return Result{}, fmt.Errorf("simkernel: row %q: n=%d, need at least one op", name, n)
	}
	r, err := parseRow(name)
	if err != nil {
		return Result{}, err
	}
	switch r.family {
	case "Create":
		v, err := r.need(name, "style")
		if err != nil {
			return Result{}, err
		}
		return runCreate(p, name, v[0], 0, false, 0, n)
	case "CloneFlags":
		v, err := r.need(name, "flags")
		if err != nil {
			return Result{}, err
		}
		flags, err := ParseFlags(v[0])
		if err != nil {
			return Result{}, fmt.Errorf("simkernel: row %q: %w", name, err)
		}
		k := NewKernel(p)
		return createOps(k, k.Spawn(), flags, 0, n)
	case "CreateRSS":
		v, err := r.need(name, "style", "thp", "rss")
		if err != nil {
			return Result{}, err
		}
		if v[1] != "on" && v[1] != "off" {
			return Result{}, fmt.Errorf("simkernel: row %q: thp=%q, want on or off", name, v[1])
		}
		rss, err := ParseSize(v[2])
		if err != nil {
			return Result{}, fmt.Errorf("simkernel: row %q: %w", name, err)
		}
		return runCreate(p, name, v[0], rss, v[1] == "on", 0, n)
	case "CreateFDs":
		v, err := r.need(name, "style", "fds")
		if err != nil {
			return Result{}, err
		}
		fds, err := strconv.Atoi(v[1])
		if err != nil || fds < 0 {
			return Result{}, fmt.Errorf("simkernel: row %q: fds=%q is not a count", name, v[1])
		}
		return runCreate(p, name, v[0], 0, false, fds, n)
	case "Switch":
		v, err := r.need(name, "mech", "mode", "cpu", "ws")
		if err != nil {
			return Result{}, err
		}
		ws, err := ParseSize(v[3])
		if err != nil {
			return Result{}, fmt.Errorf("simkernel: row %q: %w", name, err)
		}
		return runSwitch(p, v[0], v[1], Placement(v[2]), ws, n)
	case "SwitchOverhead":
		v, err := r.need(name, "mech")
		if err != nil {
			return Result{}, err
		}
		return runOverhead(p, v[0], n)
	case "SwitchPairs":
		v, err := r.need(name, "mode", "pairs")
		if err != nil {
			return Result{}, err
		}
		pairs, err := strconv.Atoi(v[1])
		if err != nil || pairs < 1 {
			return Result{}, fmt.Errorf("simkernel: row %q: pairs=%q is not a positive count", name, v[1])
		}
		return runPairs(p, v[0], pairs, n)
	}
	return Result{}, fmt.Errorf("simkernel: row %q: family %q is not simulated", name, r.family)
}

// styles maps a creation style to the clone it issues and the Extra
// residual (work outside the task model) it adds.
var styles = map[string]struct {
	flags uint64
	extra string
	clone bool
}{
	"fork":               {ForkFlags, "", true},
	"thread":             {ThreadFlags, "", true},
	"thread-fresh-stack": {ThreadFlags, "thread-fresh-stack", true},
	"vfork":              {VforkFlags, "", true},
	"pthread":            {ThreadFlags, "pthread", true},
	"libc-fork":          {ForkFlags, "libc-fork", true},
	// os/exec: clone(VM|VFORK|PIDFD|SIGCHLD), then execve in the child.
	"spawn":     {CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, "spawn", true},
	"goroutine": {0, "goroutine", false},
}

func runCreate(p Profile, name, style string, rss uint64, thp bool, fds, n int) (Result, error) {
	st, ok := styles[style]
	if !ok {
		return Result{}, fmt.Errorf("simkernel: row %q: unknown style %q", name, style)
	}
	var extra float64
	if st.extra != "" {
		v, ok := p.Extra[st.extra]
		if !ok {
			return Result{}, fmt.Errorf("simkernel: row %q: profile %s has no figure for style=%s (its reference run lacked the row)", name, p.Source, style)
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
func createOps(k *Kernel, parent *Task, flags uint64, extra float64, n int) (Result, error) {
	res := Result{N: n}
	var ops opTimes
	before := len(k.pids)
	for i := range n {
		t0 := k.Clock
		child, err := k.Clone(parent, flags)
		if err != nil {
			return Result{}, fmt.Errorf("op %d of %d: clone(%s): %w", i+1, n, FormatFlags(flags), err)
		}
		if err := k.Exit(child, 0); err != nil {
			return Result{}, fmt.Errorf("op %d of %d: exit: %w", i+1, n, err)
		}
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
		k.charge(extra)
		op := k.Clock - t0
		ops.add(op)
		res.Elapsed += op
	}
	if len(k.pids) != before {
		return Result{}, fmt.Errorf("simkernel: %d tasks before the run, %d after", before, len(k.pids))
	}
	return withPercentiles(res, &ops), nil
}

func withPercentiles(res Result, ops *opTimes) Result {
	res.Metrics = append(res.Metrics,
		Metric{ops.percentile(50), "sim-p50-ns"},
		Metric{ops.percentile(99), "sim-p99-ns"})
	return res
}

// switchFlags are the clone flags of a ping-pong side per mode, as in the
// workloads' Switch rows.
var switchFlags = map[string]uint64{"process": ForkFlags, "thread": ThreadFlags}

func warmupFor(n int) int { return min(max(n/8, 16), 1000) }

func runSwitch(p Profile, mech, mode string, where Placement, ws uint64, n int) (Result, error) {
	if mode == "goroutine" {
		return runGoroutineSwitch(p, mech, where, ws, n)
	}
	flags, ok := switchFlags[mode]
	if !ok {
		return Result{}, fmt.Errorf("simkernel: switch mode=%q, want process, thread or goroutine", mode)
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
		{rt / 2, "sim-ns/switch"},
		{rt/2 - pp.Overhead, "sim-ns/switch-net"},
		{pp.Nvcsw / float64(n), "ctxsw/op"},
		{pp.Nivcsw / float64(n), "ictxsw/op"},
	}}, nil
}

// runGoroutineSwitch replays the fitted goroutine round trip: the Go
// scheduler is not modelled, only the working-set pass on top of it.
func runGoroutineSwitch(p Profile, mech string, where Placement, ws uint64, n int) (Result, error) {
	key := mech + "/" + string(where)
	g, ok := p.Goroutine[key]
	if !ok {
		return Result{}, fmt.Errorf("simkernel: profile %s has no goroutine round trip for mech=%s cpu=%s", p.Source, mech, where)
	}
	rt := g + 2*p.TouchPerKiB*float64(ws)/1024
	return Result{N: n, Elapsed: rt * float64(n), Metrics: []Metric{{rt / 2, "sim-ns/switch"}}}, nil
}

func runOverhead(p Profile, mech string, n int) (Result, error) {
	ov, ok := p.Overhead[mech]
	if !ok {
		return Result{}, fmt.Errorf("simkernel: profile %s has no overhead figure for mech=%s", p.Source, mech)
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
func runPairs(p Profile, mode string, pairs, n int) (Result, error) {
	var rt float64
	where := AnyCPU
	if 2*pairs > p.CPUs {
		where = SameCPU
	}
	one, err := runSwitch(p, "pipe", mode, where, 0, n)
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
		if m.Unit == "ctxsw/op" {
			nvcsw = m.Value
		}
	}
	return Result{N: total, Elapsed: perRT * float64(total), Metrics: []Metric{
		{1e9 / perRT, "sim-roundtrips/s"},
		{nvcsw, "ctxsw/op"},
	}}, nil
}
