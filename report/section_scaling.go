package report

import (
	"fmt"
	"strings"

	"github.com/clonebench/clonebench/rowspec"
)

// scalingSection: how creation scales with creators at once (CreatePar),
// and what each idle thread (CreateThreads) and each mapping (CreateMaps)
// of the parent adds, as fdSection gives what each descriptor adds.
func scalingSection(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	series := d.parSweep(h)
	threads := d.countSteps(h, rowspec.CreateThreads, func(sp rowspec.Spec) int { return sp.Threads })
	maps := d.countSteps(h, rowspec.CreateMaps, func(sp rowspec.Spec) int { return sp.Maps })
	if len(series) == 0 && len(threads) == 0 && len(maps) == 0 {
		return
	}
	w("\n### How creation scales\n\n")
	if len(series) > 0 {
		w("**CreatePar rows** run N creators at once, each pinned to its own CPU in topology order and each running the assembly creation loop from one start flag; all are timed over the window in which every one ran. A path that scales keeps the per-creator cost at par=1's; contention (pid allocation, tasklist_lock, the mm's locks, the cgroup's counters) raises it.\n\n")
		w("| style | par | per creator | creations/s, all creators | against par=1 |\n|---|---|---|---|---|\n")
		for _, se := range series {
			for _, r := range se.rows {
				s, _ := r.Primary()
				vs := "—"
				if se.rows[0].Spec.Par == 1 && r.Spec.Par != 1 {
					vs = d.ratioOf(r, se.rows[0])
				}
				w("| %s | %d | %s | %s | %s |\n", simName(string(se.style), r.Simulated), r.Spec.Par, fmtNs(s.Median),
					sig3or(medianOf(r.Values[rowspec.UnitCreationsPerSec])), vs)
			}
		}
	}
	if len(threads) > 0 {
		w("\n**Per idle thread** (CreateThreads): the process holds N more idle threads while it creates. A new thread joins the thread group: copy_process links it into the group's thread list and shared signal state under tasklist_lock and the group's siglock, and its exit unlinks it; fork copies only the calling thread, so the others cost it nothing but what they hold (stacks, in the mm).\n\n")
		writeSteps(w, threads, "threads", "per extra thread")
	}
	if len(maps) > 0 {
		w("\n**Per mapping** (CreateMaps): fork's dup_mmap copies every VMA of the parent — the vm_area_struct, its anon_vma chain and its page-table entries — one by one under the mm's write lock, so this slope is what one mapping costs each fork, and the exit's unmap frees it again.\n\n")
		writeSteps(w, maps, "mappings", "per extra mapping")
	}
}

// countStep is one style's fewest and most count rows of a sweep.
type countStep struct {
	style  rowspec.Style
	lo, hi *Row
	count  func(rowspec.Spec) int
}

// countSteps is each style's step from its fewest to its most count, of
// the rows of f with ns/op; a style at one count has no step.
func (d *Data) countSteps(h *Host, f rowspec.Family, count func(rowspec.Spec) int) []*countStep {
	idx := map[rowspec.Style]*countStep{}
	var out []*countStep
	for _, r := range d.rowsOf(h, f) {
		if _, ok := r.Primary(); !ok {
			continue
		}
		st := idx[r.Spec.Style]
		if st == nil {
			st = &countStep{style: r.Spec.Style, lo: r, hi: r, count: count}
			idx[r.Spec.Style] = st
			out = append(out, st)
		}
		if count(r.Spec) < count(st.lo.Spec) {
			st.lo = r
		}
		if count(r.Spec) > count(st.hi.Spec) {
			st.hi = r
		}
	}
	var steps []*countStep
	for _, st := range out {
		if count(st.lo.Spec) != count(st.hi.Spec) {
			steps = append(steps, st)
		}
	}
	sortRows := func(i, j int) bool { return styleRank(steps[i].style) < styleRank(steps[j].style) }
	for i := 1; i < len(steps); i++ {
		for j := i; j > 0 && sortRows(j, j-1); j-- {
			steps[j], steps[j-1] = steps[j-1], steps[j]
		}
	}
	return steps
}

// slope is the step's cost per unit of count, in ns.
func (st *countStep) slope() float64 {
	ls, _ := st.lo.Primary()
	hs, _ := st.hi.Primary()
	return (hs.Median - ls.Median) / float64(st.count(st.hi.Spec)-st.count(st.lo.Spec))
}

func writeSteps(w func(string, ...any), steps []*countStep, what, per string) {
	w("| style | fewest %s | most %s | %s |\n|---|---|---|---|\n", what, what, per)
	for _, st := range steps {
		ls, _ := st.lo.Primary()
		hs, _ := st.hi.Primary()
		w("| %s | %s at %d | %s at %d | %s |\n", simName(string(st.style), st.lo.Simulated), fmtNs(ls.Median), st.count(st.lo.Spec),
			fmtNs(hs.Median), st.count(st.hi.Spec), fmtNs(st.slope()))
	}
}
