//go:build linux

package workloads

import (
	"fmt"
	"math"
	"time"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/rowspec"
)

// wakeSkip is why a SwitchWake row at placement c cannot run here.
func wakeSkip(c switchCPU) string {
	if on, why := LatencyRecording(); !on {
		return "wake-up latency needs the loop's recording: " + why
	}
	if c != cpuSame {
		if err := crossCPUCounters(); err != nil {
			return fmt.Sprintf("cpu=%s: %v", c, err)
		}
	}
	return ""
}

func runSwitchWake(s wakeSpec, n int, started startedFunc) (res Result, err error) {
	n = max(n, 1)
	if why := wakeSkip(s.cpu); why != "" {
		return Result{}, fmt.Errorf("%s: %s", s.spec(), why)
	}
	initCPU, respCPU, err := switchPlacement(s.cpu)
	if err != nil {
		return Result{}, err
	}
	sw := switchSpec{mech: s.mech, mode: s.mode, cpu: s.cpu}
	var r switchRig
	defer r.releaseInto(&err)
	warm := switchWarmup(n)
	ini, resp, err := r.bodies(s.mech, n, warm)
	if err != nil {
		return Result{}, err
	}
	ini.CPU, resp.CPU = initCPU, respCPU
	stamp, err := r.word()
	if err != nil {
		return Result{}, err
	}
	ini.WakeStamp, resp.WakeStamp = stamp, stamp
	if ini.Wake, err = r.latency(); err != nil {
		return Result{}, err
	}
	if resp.Wake, err = r.latency(); err != nil {
		return Result{}, err
	}
	rt, err := r.clone(sw.flags(), resp)
	if err != nil {
		return Result{}, err
	}
	it, err := r.clone(sw.flags(), ini)
	if err != nil {
		return Result{}, err
	}
	started.call([]int{it.Tid(), rt.Tid()})
	if err := r.wait(switchTimeout(n + warm)); err != nil {
		return Result{}, fmt.Errorf("%s: ping-pong: %w", s.spec(), err)
	}
	ir, rr := it.Result(), rt.Result()
	if err := checkSide("initiator", ini, ir); err != nil {
		return Result{}, err
	}
	if err := checkSide("responder", resp, rr); err != nil {
		return Result{}, err
	}
	// One counter, one rate: the initiator's calibration serves both sides.
	ticks := ini.Wake.Ticks()
	ticks.Merge(resp.Wake.Ticks())
	if got := ticks.Count(); got != uint64(2*n) {
		return Result{}, fmt.Errorf("%s: recorded %d wake-ups, want %d (two per round trip)", s.spec(), got, 2*n)
	}
	f := ir.NsPerTick()
	if f <= 0 {
		return Result{}, fmt.Errorf("%s: no cycle-counter calibration (ticks %d..%d)", s.spec(), ir.TicksStart, ir.TicksEnd)
	}
	h, err := ticks.Scale(f)
	if err != nil {
		return Result{}, err
	}
	mean, err := h.Mean()
	if err != nil {
		return Result{}, err
	}
	total := time.Duration(math.Round(mean * float64(h.Count())))
	res = Result{N: int(h.Count()), Elapsed: total, Unit: rowspec.UnitNsOp, Metrics: histMetrics(h)}
	res.Metrics = append(res.Metrics, Metric{Value: float64(ir.Elapsed().Nanoseconds()) / float64(n), Unit: rowspec.UnitNsRoundTrip})
	res.Latency = []Latency{{Kind: hist.KindWake, Hist: h}}
	return res, nil
}
