package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/clonebench/clonebench/rowspec"
)

// flagResource is what the kernel stops copying (or starts sharing) when
// a clone flag is added, in the seeds' terms.
var flagResource = map[string]string{
	"VM":             "copy_mm: dup_mmap and the page tables at clone, exit_mm/exit_mmap at exit",
	"FS":             "copy_fs: the fs_struct (cwd, root, umask)",
	"FILES":          "copy_files: dup_fd of the descriptor table",
	"SIGHAND":        "copy_sighand: the signal handler table",
	"THREAD":         "the thread group: no exit signal, the task is released at exit instead of reaped",
	"SYSVSEM":        "copy_semundo: the SysV semaphore undo list",
	"SETTLS":         "the new TLS register",
	"PARENT_SETTID":  "a store of the tid into the parent",
	"CHILD_SETTID":   "a store of the tid into the child",
	"CHILD_CLEARTID": "the clear-tid futex wake at exit",
}

// phasesSection tabulates the probed rows' phases and says, from the data,
// which phase each clone-flag step and the parent's RSS move.
func phasesSection(b *strings.Builder, d *Data, h *Host) {
	bars := d.phaseBars(h)
	if len(bars) == 0 {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	units := rowspec.PhaseUnits()
	w("\n### Where the time goes (probe=sched)\n\n")
	w("Medians per op of the phases package probe measures from kernel tracepoints (copy: clone entry → task_newtask, copy_process; teardown: exit entry → the child's last switch away, do_exit). sum/ns: the phases' total over the row's own ns/op. probed/plain: the probed row's ns/op over its plain row's, the probes' overhead when both ran alternating in one run (runbench run -probe).\n\n")
	phaseTableHead(b, units, "sum/ns", "copy+teardown", "probed/plain")
	for _, bar := range bars {
		r := bar.r
		p, _ := r.Primary()
		sum := phaseCells(b, r, units)
		share, _ := copyTeardownShare(r)
		w(" %s | %.0f%% | %s |\n", sig3(sum/p.Median), 100*share, d.probedOverPlain(h, r))
	}
	// Clone flags: the phase each step moves most.
	var steps []phaseBar
	for _, bar := range bars {
		if bar.group == "clone flags" {
			steps = append(steps, bar)
		}
	}
	if len(steps) > 1 {
		w("\nWhat each clone-flag step moves (phase with the largest change of its median from the previous step):\n\n")
		for i := 1; i < len(steps); i++ {
			prev, cur := steps[i-1].r, steps[i].r
			best, bestD := "", 0.0
			for _, u := range units {
				dlt := phaseMedian(cur, u) - phaseMedian(prev, u)
				if math.Abs(dlt) > math.Abs(bestD) {
					best, bestD = strings.TrimSuffix(u, "-ns/op"), dlt
				}
			}
			pp, _ := prev.Primary()
			pc, _ := cur.Primary()
			step := flagStep(prev.Spec.Flags, cur.Spec.Flags)
			w("- %s (%s): **%s** %s of the op's %s\n", step, stepResources(step), best, signed(bestD), signed(pc.Median-pp.Median))
		}
	}
	// RSS: copy + teardown per MiB, fork against thread.
	var rssLines []string
	for _, st := range []rowspec.Style{rowspec.StyleFork, rowspec.StyleThread} {
		var lo, hi *Row
		for _, bar := range bars {
			if bar.group != "rss" || bar.r.Spec.Style != st {
				continue
			}
			if lo == nil || bar.r.Spec.RSS < lo.Spec.RSS {
				lo = bar.r
			}
			if hi == nil || bar.r.Spec.RSS > hi.Spec.RSS {
				hi = bar.r
			}
		}
		if lo == nil || hi == lo {
			continue
		}
		ct := func(r *Row) float64 {
			return phaseMedian(r, rowspec.UnitCopyNsOp) + phaseMedian(r, rowspec.UnitTeardownNsOp)
		}
		mib := float64(hi.Spec.RSS-lo.Spec.RSS) / float64(rowspec.MiB)
		rssLines = append(rssLines, fmt.Sprintf("- %s: copy + teardown %s at rss=%s, %s at rss=%s: %s per MiB",
			simName(string(st), hi.Simulated), fmtNs(ct(lo)), lo.Spec.RSS, fmtNs(ct(hi)), hi.Spec.RSS, signed((ct(hi)-ct(lo))/mib)))
	}
	if len(rssLines) > 0 {
		w("\nParent RSS (thp=off): fork copies the page tables in copy_process (copy_mm → dup_mmap → copy_page_range) and frees them in do_exit (exit_mmap); a thread shares them.\n\n%s\n", strings.Join(rssLines, "\n"))
	}
}

// stepResources names what a flag step's added flags stop copying.
func stepResources(step string) string {
	var out []string
	for _, f := range strings.Fields(strings.NewReplacer("|", " ", "+", " ").Replace(step)) {
		f = strings.TrimPrefix(f, "−")
		if r, ok := flagResource[f]; ok {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return "no resource copy_process copies"
	}
	return strings.Join(out, "; ")
}

// phaseTableHead writes the header of a phases table: row, ns/op, one
// column per phase unit, then extra.
func phaseTableHead(b *strings.Builder, units []string, extra ...string) {
	b.WriteString("| row | ns/op |")
	for _, u := range units {
		fmt.Fprintf(b, " %s |", strings.TrimSuffix(u, "-ns/op"))
	}
	for _, e := range extra {
		fmt.Fprintf(b, " %s |", e)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(units)+len(extra)) + "\n")
}

// phaseCells writes r's row of a phases table up to its phases and
// returns their sum.
func phaseCells(b *strings.Builder, r *Row, units []string) float64 {
	p, _ := r.Primary()
	// A flag set's '|' would end the cell.
	fmt.Fprintf(b, "| %s | %s |", strings.ReplaceAll(r.Label(), "|", `\|`), fmtNs(p.Median))
	sum := 0.0
	for _, u := range units {
		v := phaseMedian(r, u)
		sum += v
		fmt.Fprintf(b, " %s |", fmtNs(v))
	}
	return sum
}

// probedOverPlain is probed row r's ns/op over its plain row's, the
// probes' overhead when both ran alternating, or "—" without a plain row.
func (d *Data) probedOverPlain(h *Host, r *Row) string {
	if plain := d.find(h, r.Spec.Plain()); plain != nil && plain.Simulated == r.Simulated {
		if ps, ok := plain.Primary(); ok && ps.Median > 0 && r.Values[rowspec.UnitNsOp] != nil {
			return d.ratioOf(r, plain)
		}
	}
	return "—"
}
