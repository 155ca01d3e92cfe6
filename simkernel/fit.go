package simkernel

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/montanaflynn/stats"
	"golang.org/x/perf/benchfmt"
)

// FitReport says how a profile was fitted and how well it reproduces the
// rows it was fitted from.
type FitReport struct {
	Source   string
	Rows     int      // rows of the file used (medians over repeated runs)
	Held     []string // rows left out of the fit (FitOptions.HoldOut)
	Warnings []string // parameters the file could not determine
	// Checks compares, for every row of the file the model simulates, the
	// measured figure with the fitted model's prediction.
	Checks []Check
}

// Check is one row's measured time per op (p50-ns where the row has it,
// else ns/op) against the model's prediction.
type Check struct {
	Name      string
	Measured  float64
	Predicted float64
	Held      bool // the row was not used by the fit
}

// RelErr is (Predicted − Measured)/Measured.
func (c Check) RelErr() float64 { return (c.Predicted - c.Measured) / c.Measured }

// FitOptions tune FitWith.
type FitOptions struct {
	// HoldOut names rows (as in the catalogue, without "Benchmark") the fit
	// must not use; they are still predicted in FitReport.Checks.
	HoldOut func(name string) bool
}

// Fit calibrates a Profile from a real Linux result file in the benchmark
// format (go test -bench or runbench output), read from r; name is the
// file's name for error messages and the profile's Source.
func Fit(r io.Reader, name string) (Profile, FitReport, error) {
	return FitWith(r, name, FitOptions{})
}

// ErrSimulated refuses to calibrate the model on its own output.
var ErrSimulated = errors.New("simkernel: result file holds simulated rows (kernel: sim or sim-ns/op); fit needs a real Linux run")

// measured is the file's rows: each unit's median over repeated runs, the
// centre benchstat reports, so the model predicts what a reader compares.
// (The minimum, lmbench's choice, was tried: the process ping-pong rows are
// bimodal and the minimum picks their rare fast mode.) Creation rows
// contribute their p50-ns, itself a median over the run's ops.
//
// unitOverhead is a Switch row's own overhead measurement, rt/2 − net,
// derived per result line.
const unitOverhead = "overhead-ns"

type measured struct {
	names []string // sorted
	vals  map[string]map[string]float64
}

func (m measured) get(name, unit string) (float64, bool) {
	v, ok := m.vals[name][unit]
	return v, ok
}

// ns is the row's typical time per op: the median per-op sample (p50-ns)
// where the row takes samples, else ns/op. On a shared machine a few ops
// that lose the CPU to another process move the mean far more than the
// median, and they measure the neighbour, not the kernel.
func (m measured) ns(name string) (float64, bool) {
	if v, ok := m.get(name, "p50-ns"); ok {
		return v, true
	}
	return m.get(name, "ns/op")
}

// without returns m less the rows hold selects, and their names.
func (m measured) without(hold func(string) bool) (measured, []string) {
	if hold == nil {
		return m, nil
	}
	out := measured{vals: map[string]map[string]float64{}}
	var held []string
	for _, n := range m.names {
		if hold(n) {
			held = append(held, n)
			continue
		}
		out.names = append(out.names, n)
		out.vals[n] = m.vals[n]
	}
	return out, held
}

func readResults(r io.Reader, file string) (measured, map[string]string, error) {
	raw := map[string]map[string][]float64{}
	config := map[string]string{}
	br := benchfmt.NewReader(r, file)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return measured{}, nil, rec
		case *benchfmt.Result:
			if rec.GetConfig("kernel") == "sim" {
				return measured{}, nil, fmt.Errorf("%s: %w", file, ErrSimulated)
			}
			for _, c := range rec.Config {
				if c.File {
					config[c.Key] = string(c.Value)
				}
			}
			base, parts := rec.Name.Parts()
			var sb strings.Builder
			sb.WriteString(strings.TrimPrefix(string(base), "Benchmark"))
			for _, p := range parts {
				if p[0] == '/' {
					sb.Write(p)
				}
			}
			name := sb.String()
			if raw[name] == nil {
				raw[name] = map[string][]float64{}
			}
			// benchfmt tidies units (ns/op becomes sec/op); the original
			// unit and value are the ones the rows report.
			line := map[string]float64{}
			for _, v := range rec.Values {
				if strings.HasPrefix(v.OrigUnit, "sim-") {
					return measured{}, nil, fmt.Errorf("%s: %w", file, ErrSimulated)
				}
				line[v.OrigUnit] = v.OrigValue
				raw[name][v.OrigUnit] = append(raw[name][v.OrigUnit], v.OrigValue)
			}
			// The overhead a Switch row measured beside its round trips
			// (with its working set) is only meaningful within one line.
			rt, ok1 := line["ns/op"]
			net, ok2 := line["ns/switch-net"]
			if ok1 && ok2 {
				raw[name][unitOverhead] = append(raw[name][unitOverhead], rt/2-net)
			}
		}
	}
	if err := br.Err(); err != nil {
		return measured{}, nil, err
	}
	m := measured{vals: map[string]map[string]float64{}}
	for name, units := range raw {
		m.names = append(m.names, name)
		m.vals[name] = map[string]float64{}
		for unit, vs := range units {
			med, err := stats.Median(vs)
			if err != nil {
				return measured{}, nil, fmt.Errorf("%s: %s %s: %w", file, name, unit, err)
			}
			m.vals[name][unit] = med
		}
	}
	slices.Sort(m.names)
	return m, config, nil
}

// FitWith is Fit with options (rows held out for validation).
func FitWith(r io.Reader, name string, opt FitOptions) (Profile, FitReport, error) {
	all, config, err := readResults(r, name)
	if err != nil {
		return Profile{}, FitReport{}, err
	}
	m, held := all.without(opt.HoldOut)
	if len(m.names) == 0 {
		return Profile{}, FitReport{}, fmt.Errorf("%s: no benchmark results", name)
	}
	f := fitter{m: m, rep: FitReport{Source: name, Rows: len(m.names), Held: held}}
	p := Profile{
		Source:    name,
		Config:    config,
		CPUs:      f.cpus(config),
		FlagCost:  map[string]float64{},
		Extra:     map[string]float64{},
		Overhead:  map[string]float64{},
		Goroutine: map[string]float64{},
	}
	f.fitSwitch(&p)
	if err := f.fitCreate(&p); err != nil {
		return Profile{}, f.rep, fmt.Errorf("%s: %w", name, err)
	}
	f.fitColocated(&p)
	f.fitPairs(&p)
	if err := p.Validate(); err != nil {
		return Profile{}, f.rep, fmt.Errorf("%s: %w", name, err)
	}
	f.rep.Checks = predict(p, all, held)
	return p, f.rep, nil
}

type fitter struct {
	m   measured
	rep FitReport
}

func (f *fitter) warnf(format string, args ...any) {
	f.rep.Warnings = append(f.rep.Warnings, fmt.Sprintf(format, args...))
}

// nonneg refuses a negative cost: a slope or step below zero is noise.
func (f *fitter) nonneg(what string, v float64) float64 {
	if v < 0 {
		f.warnf("%s measured %.3g ns, inside the noise: taken as 0", what, v)
		return 0
	}
	return v
}

// rows returns the names of family whose parts match want (key=value).
func (f *fitter) rows(family string, want ...string) []string {
	var out []string
	for _, n := range f.m.names {
		r, err := parseRow(n)
		if err != nil || r.family != family {
			continue
		}
		ok := true
		for _, w := range want {
			k, v, _ := strings.Cut(w, "=")
			if got, _ := r.get(k); got != v {
				ok = false
			}
		}
		if ok {
			out = append(out, n)
		}
	}
	return out
}

func key(name, k string) string {
	r, _ := parseRow(name)
	v, _ := r.get(k)
	return v
}

func (f *fitter) cpus(config map[string]string) int {
	if n, err := strconv.Atoi(config["nproc"]); err == nil && n > 0 {
		return n
	}
	most := 0
	for _, n := range f.rows("SwitchPairs") {
		if k, err := strconv.Atoi(key(n, "pairs")); err == nil {
			most = max(most, k)
		}
	}
	if most > 0 {
		return most
	}
	f.warnf("no nproc config line and no SwitchPairs rows: modelling 1 CPU")
	return 1
}

// slope fits y = a + b·x by least squares and returns b.
func slope(xs, ys []float64) (float64, error) {
	if len(xs) < 2 {
		return 0, fmt.Errorf("%d points", len(xs))
	}
	series := make(stats.Series, len(xs))
	for i := range xs {
		series[i] = stats.Coordinate{X: xs[i], Y: ys[i]}
	}
	fit, err := stats.LinearRegression(series)
	if err != nil {
		return 0, err
	}
	lo, hi := 0, 0
	for i := range xs {
		if xs[i] < xs[lo] {
			lo = i
		}
		if xs[i] > xs[hi] {
			hi = i
		}
	}
	if xs[hi] == xs[lo] {
		return 0, fmt.Errorf("all %d points at x=%g", len(xs), xs[lo])
	}
	return (fit[hi].Y - fit[lo].Y) / (fit[hi].X - fit[lo].X), nil
}

func mean(vs []float64) float64 {
	m, _ := stats.Mean(vs)
	return m
}

// syscallsPerLoop is how many system calls one overhead op makes.
var syscallsPerLoop = map[string]float64{"pipe": 2, "unix": 2, "eventfd": 2, "futex": 2, "yield": 1}

func (f *fitter) fitSwitch(p *Profile) {
	for _, n := range f.rows("SwitchOverhead") {
		if v, ok := f.m.ns(n); ok {
			p.Overhead[key(n, "mech")] = v
		}
	}
	p.Syscall = math.Inf(1)
	for _, mech := range sortedKeys(p.Overhead) {
		if c, ok := syscallsPerLoop[mech]; ok {
			p.Syscall = min(p.Syscall, p.Overhead[mech]/c)
		}
	}
	if math.IsInf(p.Syscall, 1) {
		p.Syscall = 0
		f.warnf("no SwitchOverhead rows: syscall and mechanism costs unknown, Switch rows cannot be simulated")
		return
	}
	type pt struct {
		mech, mode, cpu string
		kib, half, ov   float64
		ovws            float64 // the row's own overhead, with its working set
		hasOv           bool
	}
	var pts []pt
	for _, n := range f.rows("Switch") {
		rt, ok := f.m.ns(n)
		mech := key(n, "mech")
		ws, err := ParseSize(key(n, "ws"))
		if !ok || err != nil {
			continue
		}
		if key(n, "mode") == "goroutine" {
			if ws == 0 {
				p.Goroutine[mech+"/"+key(n, "cpu")] = rt
			}
			continue
		}
		ov, ok := p.Overhead[mech]
		if !ok {
			f.warnf("%s: no SwitchOverhead/mech=%s row, row not used", n, mech)
			continue
		}
		ovws, hasOv := f.m.get(n, unitOverhead)
		pts = append(pts, pt{mech, key(n, "mode"), key(n, "cpu"), float64(ws) / 1024, rt / 2, ov, ovws, hasOv})
	}
	// Touch: the overhead measured with the working set, rt/2 − net,
	// against the working set.
	var xs, ys []float64
	for _, q := range pts {
		if q.hasOv {
			xs = append(xs, q.kib)
			ys = append(ys, q.ovws-q.ov)
		}
	}
	if s, err := slope(xs, ys); err == nil {
		p.TouchPerKiB = f.nonneg("working-set touch per KiB", s)
	} else {
		f.warnf("working-set touch cost: %v", err)
	}
	sel := func(mode, cpu string, ws0 bool) []pt {
		var out []pt
		for _, q := range pts {
			if q.mode == mode && q.cpu == cpu && (!ws0 || q.kib == 0) {
				out = append(out, q)
			}
		}
		return out
	}
	hops := func(qs []pt) []float64 {
		var out []float64
		for _, q := range qs {
			out = append(out, q.half-q.ov)
		}
		return out
	}
	if t := sel("thread", "same", true); len(t) > 0 {
		p.Switch = f.nonneg("thread switch", mean(hops(t)))
	} else {
		f.warnf("no mode=thread cpu=same ws=0 Switch rows: thread switch cost unknown")
	}
	if pr := sel("process", "same", true); len(pr) > 0 {
		p.SwitchMM = f.nonneg("mm switch", mean(hops(pr))-p.Switch)
	} else {
		f.warnf("no mode=process cpu=same ws=0 Switch rows: mm switch cost unknown")
	}
	if qs := append(sel("thread", "cross", true), sel("process", "cross", true)...); len(qs) > 0 {
		p.RemoteWake = f.nonneg("remote wake-up (cpu=cross)", mean(hops(qs)))
	} else {
		f.warnf("no cpu=cross ws=0 Switch rows: remote wake-up cost unknown")
	}
	// Refill per KiB after a same-CPU switch: first what any switch adds
	// (thread rows), then what crossing address spaces adds on top.
	resid := func(qs []pt, base float64, per float64) ([]float64, []float64) {
		var xs, ys []float64
		for _, q := range qs {
			xs = append(xs, q.kib)
			ys = append(ys, q.half-q.ov-p.TouchPerKiB*q.kib-base-per*q.kib)
		}
		return xs, ys
	}
	if s, err := slope(resid(sel("thread", "same", false), p.Switch, 0)); err == nil {
		p.CacheRefillPerKiB = f.nonneg("cache refill per KiB", s)
	} else {
		f.warnf("cache refill per KiB (thread rows at cpu=same): %v", err)
	}
	if s, err := slope(resid(sel("process", "same", false), p.Switch+p.SwitchMM, p.CacheRefillPerKiB)); err == nil {
		p.RefillPerKiB = f.nonneg("TLB refill per KiB", s)
	} else {
		f.warnf("TLB refill per KiB (process rows at cpu=same): %v", err)
	}
}

// fitColocated fits the share of rounds an unpinned pair spends on one
// CPU: each cpu=any row lies between the model's same-CPU and cross-CPU
// figures for it, and least squares through the origin finds the mix,
// y − cross = φ·(same − cross).
func (f *fitter) fitColocated(p *Profile) {
	var num, den float64
	for _, n := range f.rows("Switch", "cpu=any") {
		if key(n, "mode") == "goroutine" {
			continue
		}
		y, ok := f.m.ns(n)
		same, err1 := Run(*p, strings.Replace(n, "/cpu=any/", "/cpu=same/", 1), 10)
		cross, err2 := Run(*p, strings.Replace(n, "/cpu=any/", "/cpu=cross/", 1), 10)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		d := same.PerOp() - cross.PerOp()
		num += (y - cross.PerOp()) * d
		den += d * d
	}
	if den == 0 {
		f.warnf("no cpu=any Switch rows: an unpinned pair is modelled apart")
		return
	}
	p.Colocated = min(1, f.nonneg("cpu=any co-located share", num/den))
}

// fitPairs fits the balancer's contention from the SwitchPairs rows with
// more tasks than CPUs: measured time per round trip against the packed
// model's, averaged.
func (f *fitter) fitPairs(p *Profile) {
	var ratios []float64
	p.PairsContention = 0
	for _, n := range f.rows("SwitchPairs") {
		k, err := strconv.Atoi(key(n, "pairs"))
		v, ok := f.m.ns(n)
		if err != nil || !ok || 2*k <= p.CPUs {
			continue
		}
		sim, err := Run(*p, n, 10)
		if err != nil {
			continue
		}
		ratios = append(ratios, v/sim.PerOp()-1)
	}
	if len(ratios) == 0 {
		f.warnf("no SwitchPairs rows with more tasks than CPUs: contention taken as 0")
		return
	}
	p.PairsContention = f.nonneg("SwitchPairs contention", mean(ratios))
}

// resourceBits are the structures copy_process shares or copies.
var resourceBits = []uint64{CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_THREAD}

func flagName(bit uint64) string {
	for _, n := range flagNames {
		if n.bit == bit {
			return n.name
		}
	}
	return fmt.Sprintf("%#x", bit)
}

func (p *Profile) setCopy(bit uint64, v float64) {
	switch bit {
	case CLONE_VM:
		p.Copy.VM = v
	case CLONE_FS:
		p.Copy.FS = v
	case CLONE_FILES:
		p.Copy.Files = v
	case CLONE_SIGHAND:
		p.Copy.Sighand = v
	case CLONE_THREAD:
		p.Copy.Signal = v
	}
}

// bitCost is a bit's contribution to a clone's cost when the bit is set:
// minus the copy it avoids for resource bits, its own work for the rest.
func (p *Profile) bitCost(bit uint64) float64 {
	switch bit {
	case CLONE_VM:
		return -p.Copy.VM
	case CLONE_FS:
		return -p.Copy.FS
	case CLONE_FILES:
		return -p.Copy.Files
	case CLONE_SIGHAND:
		return -p.Copy.Sighand
	case CLONE_THREAD:
		return -p.Copy.Signal
	}
	return p.FlagCost[flagName(bit)]
}

func (p *Profile) setBitCost(bit uint64, v float64) {
	if slices.Contains(resourceBits, bit) {
		p.setCopy(bit, 0-v) // 0-v, not -v: a free step is +0, not -0
	} else {
		p.FlagCost[flagName(bit)] = v
	}
}

func bits(f uint64) []uint64 {
	var out []uint64
	for _, n := range flagNames {
		if f&n.bit != 0 {
			out = append(out, n.bit)
		}
	}
	return out
}

// simOne is the model's figure for one creation op with TaskBase as set.
func simOne(p Profile, flags uint64, rss uint64, thp bool, fds int) (float64, error) {
	k := NewKernel(p)
	parent := k.Spawn()
	k.Map(parent, rss, thp)
	k.OpenFiles(parent, fds)
	res, err := createOps(k, parent, flags, 0, 1)
	if err != nil {
		return 0, err
	}
	return res.Elapsed, nil
}

func (f *fitter) fitCreate(p *Profile) error {
	// The CloneFlags sweep: the step between two sets that differ in one
	// flag is that flag's cost. Sets that differ in several flags resolve
	// once all but one of them are known.
	type obs struct {
		flags uint64
		ns    float64
	}
	var sweep []obs
	for _, n := range f.rows("CloneFlags") {
		fl, err := ParseFlags(key(n, "flags"))
		if v, ok := f.m.ns(n); ok && err == nil {
			sweep = append(sweep, obs{fl, v})
		}
	}
	for _, st := range []string{"fork", "thread", "vfork"} {
		if v, ok := f.m.ns("Create/style=" + st); ok {
			sweep = append(sweep, obs{styles[st].flags, v})
		}
	}
	sweepFlags := func(obs []obs) []uint64 {
		var out []uint64
		for _, o := range obs {
			out = append(out, o.flags)
		}
		return out
	}
	known := map[uint64]bool{}
	steps := map[uint64][]float64{}
	for progress := true; progress; {
		progress = false
		clear(steps)
		stalled := map[uint64]int{} // unknown bits of pairs with several unknowns
		for i, a := range sweep {
			for _, b := range sweep[i+1:] {
				diff := (a.flags ^ b.flags) &^ CSIGNAL
				var unknown []uint64
				for _, bit := range bits(diff) {
					if !known[bit] {
						unknown = append(unknown, bit)
					}
				}
				if len(unknown) > 1 {
					for _, bit := range unknown {
						stalled[bit]++
					}
				}
				if len(unknown) != 1 {
					continue
				}
				with, without := a, b
				if a.flags&unknown[0] == 0 {
					with, without = b, a
				}
				d := with.ns - without.ns
				for _, bit := range bits(diff) {
					if bit == unknown[0] {
						continue
					}
					if with.flags&bit != 0 {
						d -= p.bitCost(bit)
					} else {
						d += p.bitCost(bit)
					}
				}
				steps[unknown[0]] = append(steps[unknown[0]], d)
			}
		}
		for _, bit := range sortedBits(steps) {
			p.setBitCost(bit, mean(steps[bit]))
			known[bit] = true
			progress = true
		}
		if !progress && len(stalled) > 0 {
			// Two flags only ever change together (CHILD_CLEARTID is in
			// every sweep step but leaves with VFORK): fold the one most
			// rows share into the base and solve for the other.
			var fold uint64
			for _, n := range flagNames {
				if c := stalled[n.bit]; c > 0 && (fold == 0 || c > stalled[fold] || c == stalled[fold] && f.inMore(sweepFlags(sweep), n.bit, fold)) {
					fold = n.bit
				}
			}
			p.setBitCost(fold, 0)
			known[fold] = true
			progress = true
			f.warnf("no rows separate %s from the flags it changes with: its cost is folded into the base", flagName(fold))
		}
	}
	for _, bit := range resourceBits {
		if !known[bit] {
			f.warnf("no pair of CloneFlags rows isolates %s: its copy cost is folded into the base", flagName(bit))
		}
	}
	// A copy or a flag's work cannot make a clone cheaper: a negative step
	// is noise between neighbouring rows, so the step is taken as free.
	for _, n := range flagNames {
		if known[n.bit] {
			if v := p.bitCost(n.bit); slices.Contains(resourceBits, n.bit) && v > 0 || !slices.Contains(resourceBits, n.bit) && v < 0 {
				f.warnf("step %s measured %+.0f ns, inside the noise: taken as 0", n.name, -math.Abs(v))
				p.setBitCost(n.bit, 0)
			}
		}
	}

	// Page tables per MiB and fd table per fd: least-squares slopes.
	for _, thp := range []string{"off", "on"} {
		var xs, ys []float64
		for _, n := range f.rows("CreateRSS", "style=fork", "thp="+thp) {
			rss, err := ParseSize(key(n, "rss"))
			if v, ok := f.m.ns(n); ok && err == nil {
				xs = append(xs, float64(rss)/(1<<20))
				ys = append(ys, v)
			}
		}
		s, err := slope(xs, ys)
		if err != nil {
			f.warnf("page-table copy per MiB (thp=%s): %v", thp, err)
			continue
		}
		if thp == "off" {
			p.MMPerMiB = f.nonneg("page-table copy per MiB", s)
		} else {
			p.MMPerMiBHuge = f.nonneg("page-table copy per MiB of huge pages", s)
		}
	}
	{
		var xs, ys []float64
		for _, n := range f.rows("CreateFDs", "style=fork") {
			fds, err := strconv.Atoi(key(n, "fds"))
			if v, ok := f.m.ns(n); ok && err == nil {
				xs = append(xs, float64(fds))
				ys = append(ys, v)
			}
		}
		if s, err := slope(xs, ys); err == nil {
			p.FDPer = f.nonneg("fd-table copy per fd", s)
		} else {
			f.warnf("fd-table copy per fd: %v", err)
		}
	}

	// TaskBase: whatever the sets' figures leave once every fitted step is
	// charged, averaged over the sets.
	p.TaskBase = 0
	var base []float64
	for _, o := range sweep {
		sim, err := simOne(*p, o.flags, 0, false, 0)
		if err != nil {
			continue // a refused set has no cost to fit
		}
		base = append(base, o.ns-sim)
	}
	if len(base) == 0 {
		return errors.New("no Create or CloneFlags rows to fit the task base cost from")
	}
	p.TaskBase = mean(base)

	// Styles that add work outside the task model: the residual against
	// the model's figure for their clone.
	for _, st := range sortedKeys(styles) {
		s := styles[st]
		if s.extra == "" {
			continue
		}
		v, ok := f.m.ns("Create/style=" + st)
		if !ok {
			f.warnf("no Create/style=%s row: that style cannot be simulated", st)
			continue
		}
		if !s.clone {
			p.Extra[s.extra] = v
			continue
		}
		sim, err := simOne(*p, s.flags, 0, false, 0)
		if err != nil {
			return fmt.Errorf("style=%s: %w", st, err)
		}
		if v < sim {
			f.warnf("style=%s measured %.0f ns, below the model's %.0f ns for its clone alone: extra taken as 0", st, v, sim)
		}
		p.Extra[s.extra] = max(0, v-sim)
	}
	return nil
}

// inMore reports whether bit a is set in more of the flag sets than bit b.
func (f *fitter) inMore(sets []uint64, a, b uint64) bool {
	na, nb := 0, 0
	for _, s := range sets {
		if s&a != 0 {
			na++
		}
		if s&b != 0 {
			nb++
		}
	}
	return na > nb
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sortedBits(m map[uint64][]float64) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// predict simulates every row of the file (held-out rows included) with p.
func predict(p Profile, m measured, held []string) []Check {
	var out []Check
	for _, n := range m.names {
		v, ok := m.ns(n)
		if !ok || v == 0 {
			continue
		}
		res, err := Run(p, n, 10)
		if err != nil {
			continue // a row the profile cannot simulate is a FitReport warning already
		}
		out = append(out, Check{Name: n, Measured: v, Predicted: res.PerOp(), Held: slices.Contains(held, n)})
	}
	return out
}
