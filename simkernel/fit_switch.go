package simkernel

import (
	"math"

	"github.com/clonebench/clonebench/rowspec"
)

// syscallsPerLoop is how many system calls one overhead op makes.
var syscallsPerLoop = map[rowspec.Mech]float64{
	rowspec.MechPipe: 2, rowspec.MechUnix: 2, rowspec.MechEventfd: 2, rowspec.MechFutex: 2, rowspec.MechYield: 1,
}

func (f *fitter) fitSwitch(p *Profile) {
	for _, sp := range f.rows(rowspec.SwitchOverhead, nil) {
		if v, ok := f.m.ns(sp); ok {
			p.Overhead[string(sp.Mech)] = v
		}
	}
	p.Syscall = math.Inf(1)
	for _, mech := range sortedKeys(p.Overhead) {
		if c, ok := syscallsPerLoop[rowspec.Mech(mech)]; ok {
			p.Syscall = min(p.Syscall, p.Overhead[mech]/c)
		}
	}
	if math.IsInf(p.Syscall, 1) {
		p.Syscall = 0
		f.warnf("no SwitchOverhead rows: syscall and mechanism costs unknown, Switch rows cannot be simulated")
		return
	}
	type pt struct {
		mode          rowspec.Mode
		cpu           rowspec.CPU
		kib, half, ov float64
		ovws          float64 // the row's own overhead, with its working set
		hasOv         bool
	}
	var pts []pt
	for _, sp := range f.rows(rowspec.Switch, nil) {
		rt, ok := f.m.ns(sp)
		if !ok {
			continue
		}
		if sp.Mode == rowspec.ModeGoroutine {
			if sp.WS == 0 {
				p.Goroutine[string(sp.Mech)+"/"+string(sp.CPU)] = rt
			}
			continue
		}
		ov, ok := p.Overhead[string(sp.Mech)]
		if !ok {
			f.warnf("%s: no SwitchOverhead/mech=%s row, row not used", sp, sp.Mech)
			continue
		}
		ovws, hasOv := f.m.get(sp, rowspec.UnitOverhead)
		pts = append(pts, pt{sp.Mode, sp.CPU, float64(sp.WS) / 1024, rt / 2, ov, ovws, hasOv})
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
	sel := func(mode rowspec.Mode, cpu rowspec.CPU, ws0 bool) []pt {
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
	if t := sel(rowspec.ModeThread, rowspec.CPUSame, true); len(t) > 0 {
		p.Switch = f.nonneg("thread switch", mean(hops(t)))
	} else {
		f.warnf("no mode=thread cpu=same ws=0 Switch rows: thread switch cost unknown")
	}
	if pr := sel(rowspec.ModeProcess, rowspec.CPUSame, true); len(pr) > 0 {
		p.SwitchMM = f.nonneg("mm switch", mean(hops(pr))-p.Switch)
	} else {
		f.warnf("no mode=process cpu=same ws=0 Switch rows: mm switch cost unknown")
	}
	if qs := append(sel(rowspec.ModeThread, rowspec.CPUCross, true), sel(rowspec.ModeProcess, rowspec.CPUCross, true)...); len(qs) > 0 {
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
	if s, err := slope(resid(sel(rowspec.ModeThread, rowspec.CPUSame, false), p.Switch, 0)); err == nil {
		p.CacheRefillPerKiB = f.nonneg("cache refill per KiB", s)
	} else {
		f.warnf("cache refill per KiB (thread rows at cpu=same): %v", err)
	}
	if s, err := slope(resid(sel(rowspec.ModeProcess, rowspec.CPUSame, false), p.Switch+p.SwitchMM, p.CacheRefillPerKiB)); err == nil {
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
	for _, sp := range f.rows(rowspec.Switch, func(sp rowspec.Spec) bool {
		return sp.CPU == rowspec.CPUAny && sp.Mode != rowspec.ModeGoroutine
	}) {
		y, ok := f.m.ns(sp)
		same, cross := sp, sp
		same.CPU, cross.CPU = rowspec.CPUSame, rowspec.CPUCross
		simSame, err1 := Run(*p, same, 10)
		simCross, err2 := Run(*p, cross, 10)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		d := simSame.PerOp() - simCross.PerOp()
		num += (y - simCross.PerOp()) * d
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
	for _, sp := range f.rows(rowspec.SwitchPairs, func(sp rowspec.Spec) bool {
		// The balancer's contention shows where the scheduler places the
		// tasks: the unpinned rows (cpu=any, or a name from before cpu=).
		return sp.Canonical().CPU == rowspec.CPUAny && 2*sp.Pairs > p.CPUs
	}) {
		v, ok := f.m.ns(sp)
		if !ok {
			continue
		}
		sim, err := Run(*p, sp, 10)
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
