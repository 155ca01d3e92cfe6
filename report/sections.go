package report

import (
	"fmt"
	"strings"

	"github.com/clonebench/clonebench/rowspec"
)

// section is one part of report.md's "What the figures say".
type section struct {
	// families are the row families the section places; the catalogue
	// test checks every family has a place.
	families []rowspec.Family
	write    func(b *strings.Builder, d *Data, h *Host)
}

// sections are written in this order.
var sections = []section{
	{[]rowspec.Family{rowspec.Create}, creationSection},
	{[]rowspec.Family{rowspec.Switch}, switchSection},
	{[]rowspec.Family{rowspec.SwitchLibc}, libcSection},
	{[]rowspec.Family{rowspec.Switch}, crossSection},
	{[]rowspec.Family{rowspec.SwitchPairs}, pairsSection},
	{[]rowspec.Family{rowspec.CreateRSS}, rssSection},
	{[]rowspec.Family{rowspec.CreateFDs}, fdSection},
	{[]rowspec.Family{rowspec.CreatePar, rowspec.CreateThreads, rowspec.CreateMaps}, scalingSection},
	{[]rowspec.Family{rowspec.CloneFlags}, flagSection},
	{[]rowspec.Family{rowspec.Clone3, rowspec.CreateNS, rowspec.CreateCgroup, rowspec.CreatePidfd}, nsSection},
	{[]rowspec.Family{rowspec.Create, rowspec.CloneFlags, rowspec.CreateRSS}, phasesSection},
	{[]rowspec.Family{rowspec.Switch, rowspec.SwitchLibc}, switchPhasesSection},
	{[]rowspec.Family{rowspec.Create, rowspec.CloneFlags, rowspec.Switch}, profilesSection},
}

// headlineFamilies are the families of the headline table.
var headlineFamilies = []rowspec.Family{rowspec.Create, rowspec.Switch, rowspec.SwitchOverhead}

// headlineRows are h's rows for the headline table. The table is wider than
// rowspec.Headlines, the rows that stand for a machine: it gives every
// creation style (each at its most preferred placement; the creation table
// has both), every mechanism at the headline switch rows' cpu=same, ws=0,
// and the mechanisms' overheads, so a headline row is read beside its
// neighbours.
func (d *Data) headlineRows(h *Host) []*Row {
	head := placed(d.rowsOf(h, rowspec.Create), func(r *Row) string { return string(r.Spec.Style) })
	sortRows(head, func(r *Row) int { return styleRank(r.Spec.Style) })
	for _, r := range d.rowsOf(h, rowspec.Switch) {
		if r.Spec.CPU == rowspec.CPUSame && r.Spec.WS == 0 {
			head = append(head, r)
		}
	}
	return append(head, d.rowsOf(h, rowspec.SwitchOverhead)...)
}

// switchSection is the process-vs-thread switch table, from the same
// switchPairs as switch.png.
func switchSection(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("\n### Switching between processes vs threads (cpu=same, ws=0)\n\n")
	var both []*switchPair
	for _, p := range d.switchPairs(h) {
		if p.proc != nil && p.thr != nil {
			both = append(both, p)
		}
	}
	if len(both) == 0 {
		w("No mechanism with both mode=process and mode=thread at cpu=same, ws=0 in the input.\n")
		return
	}
	w("Per switch = round trip ÷ 2; net = after the same mechanism's no-switch overhead; ctxsw/op = voluntary context switches of both tasks per round trip as the kernel counts them (about 2 when each round trip really switches twice). Documented (seeds): %.1f–%.2f µs per process switch, about %.1f µs per thread switch.\n\n", docProcessLo, docProcessHi, docThread)
	w("| mech | process per switch | thread per switch | process / thread | process net | thread net | ctxsw/op (process, thread) |\n|---|---|---|---|---|---|---|\n")
	for _, pr := range both {
		p, t := pr.proc, pr.thr
		ps, _ := switchCost(p)
		ts, _ := switchCost(t)
		w("| %s | %s | %s | %s | %s | %s | %s, %s |\n", simName(string(pr.mech), p.Simulated || t.Simulated), fmtNs(ps.Median), fmtNs(ts.Median), d.ratioOf(p, t, "process", "thread"),
			fmtNs(medianOf(p.Values[rowspec.UnitNsSwitchNet])), fmtNs(medianOf(t.Values[rowspec.UnitNsSwitchNet])),
			sig3or(medianOf(p.Values[rowspec.UnitCtxswOp])), sig3or(medianOf(t.Values[rowspec.UnitCtxswOp])))
	}
	for _, pr := range both {
		if pr.mech != rowspec.MechPipe {
			continue
		}
		ps, _ := switchCost(pr.proc)
		ts, _ := switchCost(pr.thr)
		w("\nAgainst the documented figures (pipe): process %s is %s the %.1f–%.2f µs band; thread %s is %s (%.1f µs).\n",
			fmtNs(ps.Median), bandWord(µs(ps.Median), docProcessLo, docProcessHi), docProcessLo, docProcessHi,
			fmtNs(ts.Median), pctWord(µs(ts.Median), docThread), docThread)
	}
}

// libcSection sets each SwitchLibc row beside the inline-syscall Switch row
// of the same loop.
func libcSection(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	libc := d.rowsOf(h, rowspec.SwitchLibc)
	if len(libc) == 0 {
		return
	}
	w("\n**SwitchLibc rows** run the same pipe loop with each system call behind a call/ret and an rseq area registered, as a program calling glibc's read/write does; they are the figures to set beside `taskset -c 0 perf bench sched pipe` (process) and `perf bench sched pipe -T` (thread), which print µs per round trip.\n\n")
	w("| row | round trip | per switch | same loop, syscalls inline |\n|---|---|---|---|\n")
	for _, r := range libc {
		rt, ok := r.Primary()
		if !ok {
			continue
		}
		inline := "—"
		sp := rowspec.Spec{Family: rowspec.Switch, Mech: rowspec.MechPipe, Mode: r.Spec.Mode, CPU: r.Spec.CPU}
		if sw := d.find(h, sp); sw != nil {
			if s, ok := sw.Primary(); ok {
				inline = fmtNs(s.Median)
			}
		}
		w("| %s | %s | %s | %s |\n", mdEsc(r.Label()), fmtNs(rt.Median), fmtNs(rt.Median/2), inline)
	}
}

// crossSection lists the cpu=cross rows apart from the switch ratios.
func crossSection(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	var cross []*Row
	for _, r := range d.rowsOf(h, rowspec.Switch) {
		if r.Spec.CPU == rowspec.CPUCross {
			cross = append(cross, r)
		}
	}
	if len(cross) == 0 {
		return
	}
	w("\n**cpu=cross rows** pin the two tasks to different CPUs: each hand-off is a cross-CPU wake-up (an IPI and the other CPU leaving idle), not a context switch on one CPU, so they answer a different question and are kept out of the process-vs-thread switch ratios above.\n\n")
	w("| row | per switch | ctxsw/op |\n|---|---|---|\n")
	for _, r := range cross {
		s, ok := switchCost(r)
		if !ok {
			continue
		}
		w("| %s | %s | %s |\n", mdEsc(r.Label()), fmtNs(s.Median), sig3or(medianOf(r.Values[rowspec.UnitCtxswOp])))
	}
}

// pairsSection shows how whole-system switch throughput scales with the
// number of ping-pong pairs.
func pairsSection(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	rows := d.rowsOf(h, rowspec.SwitchPairs)
	if len(rows) == 0 {
		return
	}
	sortRows(rows, func(r *Row) int {
		return rank(rowspec.Modes(), r.Spec.Mode)*100000 + rank(rowspec.CPUs(), r.Spec.Canonical().CPU)*1000 + r.Spec.Pairs
	})
	w("\n**SwitchPairs rows** run several pipe ping-pong pairs at once (will-it-scale's context_switch1): at cpu=same each pair is pinned to its own CPU in topology order, at cpu=any the scheduler places every task (as rows named without cpu= ran). The round trips per second of all pairs together show how far switching scales across CPUs.\n\n")
	w("| mode | cpu | pairs | round trips/s, all pairs | median ns/op |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		rt, ok := r.Primary()
		if !ok {
			continue
		}
		w("| %s | %s | %d | %s | %s |\n", simName(string(r.Spec.Mode), r.Simulated), r.Spec.Canonical().CPU, r.Spec.Pairs,
			sig3or(medianOf(r.Values[rowspec.UnitRoundTripsPerSec])), fmtNs(rt.Median))
	}
}

// rssSection tabulates fork's cost per MiB of parent memory.
func rssSection(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("\n### fork's cost per MiB of parent memory\n\n")
	series := d.rssSweep(h)
	if len(series) == 0 {
		w("No BenchmarkCreateRSS rows in the input.\n")
		return
	}
	w("Least-squares slope over every sample of the sweep (montanaflynn/stats); fork copies the parent's page tables, so it grows with RSS, and huge pages make the tables 512× smaller; thread and vfork share the address space and stay flat.\n\n")
	w("| style | THP | cpu | slope | smallest RSS | largest RSS |\n|---|---|---|---|---|---|\n")
	for _, se := range series {
		slope := "— (one size)"
		if se.fitErr == nil {
			slope = fmtSlope(se.slope/1e3) + " µs/MiB"
		}
		first, last := se.pts[0], se.pts[len(se.pts)-1]
		w("| %s | %s | %s | %s | %s at %s MiB | %s at %s MiB |\n", simName(string(se.style), se.sim), se.thpWord(), se.at, slope,
			fmtNs(first.y*1e6), fmtTick(first.x), fmtNs(last.y*1e6), fmtTick(last.x))
	}
	var off, on *rssSeries
	for _, se := range series {
		if se.style == rowspec.StyleFork && se.fitErr == nil {
			if se.thp {
				on = se
			} else {
				off = se
			}
		}
	}
	if off != nil && on != nil && on.slope > 0 {
		w("\nfork: %s µs/MiB without huge pages, %s µs/MiB with them (%s× less).\n", sig3(off.slope/1e3), sig3(on.slope/1e3), sig3(off.slope/on.slope))
	}
}

// fdSection tabulates fork's cost per open file descriptor.
func fdSection(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("\n### fork's cost per open file descriptor\n\n")
	type span struct{ lo, hi *Row }
	var order []rowspec.Style
	spans := map[rowspec.Style]*span{}
	// Each style's step is taken at one placement, the one covering most
	// fd counts: a step across placements would be the pinning's cost.
	byStyle := map[rowspec.Style][]*Row{}
	var styles []rowspec.Style
	for _, r := range d.rowsOf(h, rowspec.CreateFDs) {
		if byStyle[r.Spec.Style] == nil {
			styles = append(styles, r.Spec.Style)
		}
		byStyle[r.Spec.Style] = append(byStyle[r.Spec.Style], r)
	}
	var use []*Row
	for _, st := range styles {
		at := bestPlacement(byStyle[st], func(r *Row) string { return fmt.Sprint(r.Spec.FDs) })
		use = append(use, atPlacement(byStyle[st], at)...)
	}
	for _, r := range use {
		st := r.Spec.Style
		sp := spans[st]
		if sp == nil {
			sp = &span{r, r}
			spans[st] = sp
			order = append(order, st)
		}
		if r.Spec.FDs < sp.lo.Spec.FDs {
			sp.lo = r
		}
		if r.Spec.FDs > sp.hi.Spec.FDs {
			sp.hi = r
		}
	}
	measured := false
	for _, sp := range spans {
		measured = measured || sp.lo.Spec.FDs != sp.hi.Spec.FDs
	}
	if !measured {
		w("Not measured: this needs BenchmarkCreateFDs rows at two or more fd counts of one style (the full suite has them).\n")
		return
	}
	w("copy_files duplicates the fd table unless CLONE_FILES shares it; the step from the fewest to the most open descriptors, per descriptor:\n\n")
	w("| style | cpu | fewest fds | most fds | per extra fd |\n|---|---|---|---|---|\n")
	for _, st := range order {
		lo, hi := spans[st].lo, spans[st].hi
		if lo.Spec.FDs == hi.Spec.FDs {
			continue
		}
		ls, ok1 := lo.Primary()
		hs, ok2 := hi.Primary()
		if !ok1 || !ok2 {
			continue
		}
		lon, hin := float64(lo.Spec.FDs), float64(hi.Spec.FDs)
		w("| %s | %s | %s at %s | %s at %s | %s |\n", simName(string(st), lo.Simulated), placementOf(lo), fmtNs(ls.Median), fmtTick(lon), fmtNs(hs.Median), fmtTick(hin), fmtNs((hs.Median-ls.Median)/(hin-lon)))
	}
}

// flagSection is the clone-flag sweep step by step, from the same
// cloneFlagSteps as cloneflags.png.
func flagSection(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("\n### The cost of each clone flag\n\n")
	rows, sums, at := d.cloneFlagSteps(h)
	if len(rows) == 0 {
		w("No BenchmarkCloneFlags rows in the input.\n")
		return
	}
	w("The sweep in input order, every step at %s; each step's cost is the difference from the set before it (negative: sharing the resource saves the copy).\n\n", at)
	w("| flags | change | median | step | ratio to the set before | what the change does |\n|---|---|---|---|---|---|\n")
	for i, r := range rows {
		prev := ""
		step, ratio := "—", "—"
		if i > 0 {
			prev = rows[i-1].Spec.Flags
			step = signed(sums[i].Median - sums[i-1].Median)
			ratio = d.ratioOf(r, rows[i-1])
		}
		change := flagStep(prev, r.Spec.Flags)
		var why []string
		if i > 0 {
			for _, f := range strings.Fields(change) {
				if x, ok := flagWhy[strings.TrimLeft(f, "+−")]; ok {
					if strings.HasPrefix(f, "−") {
						x = "drops: " + x
					}
					why = append(why, x)
				}
			}
		} else {
			why = append(why, "starting set")
		}
		w("| %s | %s | %s | %s | %s | %s |\n", mdEsc(simName(r.Spec.Flags, r.Simulated)), mdEsc(change), fmtNs(sums[i].Median), step, ratio, strings.Join(why, "; "))
	}
	first, last := sums[0], sums[len(sums)-1]
	w("\nFrom the first set to the last: %s → %s (%s).\n", fmtNs(first.Median), fmtNs(last.Median), signed(last.Median-first.Median))
}
