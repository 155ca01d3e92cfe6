package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/clonebench/clonebench/rowspec"
)

// Phases of probed switch rows (package probe's switch programs): each
// bar is one cpu=same, ws=0 round trip stacked by phase, process beside
// thread for each mechanism, then the SwitchLibc pair.

// probedSwitchRows are h's probe=sched twins of family that carry the
// switch phases.
func (d *Data) probedSwitchRows(h *Host, family rowspec.Family) []*Row {
	var out []*Row
	for _, r := range d.Rows {
		if r.Host == h && r.Known && r.Spec.Family == family && r.Spec.Probe != "" {
			if _, ok := r.Summary(rowspec.UnitSwitchNsOp); ok {
				out = append(out, r)
			}
		}
	}
	return out
}

func modeRankSw(m rowspec.Mode) int {
	if m == rowspec.ModeProcess {
		return 0
	}
	return 1
}

// switchPhaseRows are every probed switch row in table order: mechanism,
// working set, process before thread, then SwitchLibc.
func (d *Data) switchPhaseRows(h *Host) []*Row {
	rows := d.probedSwitchRows(h, rowspec.Switch)
	slices.SortStableFunc(rows, func(a, b *Row) int {
		if c := mechRank(a.Spec.Mech) - mechRank(b.Spec.Mech); c != 0 {
			return c
		}
		if a.Spec.WS != b.Spec.WS {
			if a.Spec.WS < b.Spec.WS {
				return -1
			}
			return 1
		}
		return modeRankSw(a.Spec.Mode) - modeRankSw(b.Spec.Mode)
	})
	libc := d.probedSwitchRows(h, rowspec.SwitchLibc)
	slices.SortStableFunc(libc, func(a, b *Row) int { return modeRankSw(a.Spec.Mode) - modeRankSw(b.Spec.Mode) })
	return append(rows, libc...)
}

// switchPhaseBars are the chart's rows: the ws=0 ones.
func (d *Data) switchPhaseBars(h *Host) []phaseBar {
	var bars []phaseBar
	for _, r := range d.switchPhaseRows(h) {
		if r.Spec.WS != 0 {
			continue
		}
		group := string(r.Spec.Mech)
		if r.Spec.Family == rowspec.SwitchLibc {
			group = "libc pipe"
		}
		bars = append(bars, phaseBar{group, string(r.Spec.Mode), r})
	}
	return bars
}

func switchPhasesSupports(in *chartData) (bool, string) {
	return len(in.d.switchPhaseBars(in.h)) > 0, "no probed switch rows (/probe=sched, runbench run -probe) with switch-ns/op in the input"
}

func switchPhasesSimulated(in *chartData) bool {
	var rows []*Row
	for _, b := range in.d.switchPhaseBars(in.h) {
		rows = append(rows, b.r)
	}
	return anySim(rows)
}

// switchPhaseColors are the switch phases' fills: the switch itself
// strong, the system calls pale.
var switchPhaseColors = map[string]color.Color{
	rowspec.UnitSyscallNsOp: color.RGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xFF},
	rowspec.UnitReturnNsOp:  color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF},
	rowspec.UnitBlockNsOp:   colThread,
	rowspec.UnitSwitchNsOp:  colProcess,
	rowspec.UnitWakeupNsOp:  colOther,
}

func switchPhasesChart(in *chartData, sim bool) (*figure, error) {
	bars := in.d.switchPhaseBars(in.h)
	p := newPlot(simTitle("Where a round trip's time goes, process vs thread (probe=sched)", sim),
		"probed row (cpu=same, ws=0): mechanism, mode", "µs per round trip")
	w := vg.Length(math.Max(7, 0.6*float64(len(bars))+4)) * vg.Inch
	barW := vg.Length(math.Min(28, 0.6*float64((w-3*vg.Inch)/vg.Points(1))/float64(len(bars)+1)))
	var ticks []string
	for _, b := range bars {
		ticks = append(ticks, b.group+"\n"+b.label)
	}
	if err := stackPhases(p, bars, rowspec.SwitchPhaseUnits(), switchPhaseColors, barW); err != nil {
		return nil, err
	}
	hi, err := markTotals(p, bars, barW, func(_ phaseBar, median float64) string { return fmtNs(median) })
	if err != nil {
		return nil, err
	}
	p.NominalX(ticks...)
	p.X.Tick.Label.Font.Size = vg.Points(8)
	p.X.Min, p.X.Max = -0.7, float64(len(bars))-0.3
	p.Y.Min, p.Y.Max = 0, hi*1.2
	return &figure{p: p, w: w, h: 5.5 * vg.Inch,
		caption: []string{machineCaption(in.h), "bars: median of each phase over the timed round trips (package probe's table names the tracepoints bounding it); dash and label: the row's median ns/op"}}, nil
}

// switchPhasesSection tabulates the probed switch rows' phases and says,
// per mechanism, which phase a process pays for more than a thread.
func switchPhasesSection(b *strings.Builder, d *Data, h *Host) {
	rows := d.switchPhaseRows(h)
	if len(rows) == 0 {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	units := rowspec.SwitchPhaseUnits()
	w("\n### Where a round trip goes (probe=sched)\n\n")
	w("Medians per round trip of the phases package probe's switch programs measure from sys_enter, sched_waking and sched_switch, both partners on one CPU (syscall: a signalling call's entry → its wake of the partner; return: → the waker's next call; block: → the waiter switched away; switch: the switch into a task → its next call, with the return from its wait and its own code, the working-set pass included; wakeup: a third task's time). sum/ns: the phases' total over the row's ns/op. probed/plain: the probes' overhead when both ran alternating in one run.\n\n")
	phaseTableHead(b, units, "sum/ns", "probed/plain")
	for _, r := range rows {
		p, _ := r.Primary()
		sum := phaseCells(b, r, units)
		w(" %s | %s |\n", sig3(sum/p.Median), d.probedOverPlain(h, r))
	}
	// Process against thread, per mechanism and working set: the phase
	// whose median moves most.
	var lines []string
	for _, r := range rows {
		if r.Spec.Mode != rowspec.ModeProcess {
			continue
		}
		th := r.Spec
		th.Mode = rowspec.ModeThread
		var t *Row
		for _, c := range rows {
			if c.Spec == th && preferred(c, t) {
				t = c
			}
		}
		if t == nil {
			continue
		}
		best, bestD := "", 0.0
		for _, u := range units {
			if dl := phaseMedian(r, u) - phaseMedian(t, u); math.Abs(dl) > math.Abs(bestD) {
				best, bestD = strings.TrimSuffix(u, "-ns/op"), dl
			}
		}
		pp, _ := r.Primary()
		pt, _ := t.Primary()
		lines = append(lines, fmt.Sprintf("- %s: **%s** %s of the round trip's %s", strings.Replace(r.Label(), "/mode=process", "", 1), best, signed(bestD), signed(pp.Median-pt.Median)))
	}
	if len(lines) > 0 {
		w("\nProcess against thread (the phase a process moves most): a process switch changes the address space (switch_mm, and with it the TLB and the caches the working set refills after the switch), which lands in switch; a thread's partner shares it.\n\n%s\n", strings.Join(lines, "\n"))
	}
}
