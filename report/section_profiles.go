package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/kprof"
	"github.com/clonebench/clonebench/rowspec"
)

// profiledRow is the pprof=cpu twin row of rp on its machine, or nil.
func (d *Data) profiledRow(rp *RowProfile) *Row {
	sp := rp.Spec
	sp.Pprof = rowspec.PprofCPU
	for _, r := range d.Rows {
		if r.Host == rp.Host && r.Known && r.Spec == sp {
			return r
		}
	}
	return nil
}

// profilesSection names the kernel functions of the headline rows from
// their pprof sidecars, and the function each clone-flag step moves most.
func profilesSection(b *strings.Builder, d *Data, h *Host) {
	heads := d.headlineProfiles(h)
	steps := placedProfiles(d.profilesOf(h, rowspec.CloneFlags), func(sp rowspec.Spec) string { return sp.Flags })
	if len(heads) == 0 && len(steps) < 2 {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("\n### Down to the kernel function (pprof=cpu)\n\n")
	src := "unknown"
	for _, rp := range append(heads, steps...) {
		src = rp.Source()
		break
	}
	w("Each profiled row ran as its `…/pprof=cpu` twin beside the plain row (runbench run -pprof), its tasks sampled with perf_event and its profile kept beside the result file (`go tool pprof -top FILE`). Sampling: %s. ", src)
	w("Share: a function's own (flat) time over the op's sampled time; per op: that time divided by the ops profiled. sampled/ns: the sampled time per op over the profiled row's ns/op (below 1 where the op waits off-CPU, or where the two tasks run on two CPUs above it). profiled/plain: the profiling's overhead, the median over samples of the profiled ns/op over the plain ns/op taken beside it in the same worker process (runbench run -pprof samples each twin in a fresh process of its own, so that nothing the sampling starts or maps is in the process the plain rows fork), or over the plain row's when the twin ran in-process (go test).\n\n")
	if len(heads) > 0 {
		w("| row | sampled per op | sampled/ns | profiled/plain | top kernel functions (share, per op) |\n|---|---|---|---|---|\n")
		for _, rp := range heads {
			sampled := rp.PerOp(float64(kprof.Total(rp.Profile)))
			ratioCell, overhead := "—", "—"
			if r := d.profiledRow(rp); r != nil {
				if s, ok := r.Primary(); ok && s.Median > 0 {
					ratioCell = sig3(sampled / s.Median)
				}
				overhead = profiledOverPlain(r)
				if overhead == "" {
					overhead = d.probedOverPlain(h, r)
				}
			}
			var fs []string
			for _, f := range rp.kernelTop(5) {
				fs = append(fs, fmt.Sprintf("`%s` %.0f%% (%s)", f.Name, 100*f.Flat, fmtNs(f.NsOp)))
			}
			w("| %s | %s | %s | %s | %s |\n", rp.Spec, fmtNs(sampled), ratioCell, overhead, strings.Join(fs, ", "))
		}
	}
	if len(steps) > 1 {
		w("\nWhat each clone-flag step moves (the function whose share of the op changes most from the previous step):\n\n")
		for i := 1; i < len(steps); i++ {
			prev, cur := steps[i-1], steps[i]
			name, a, c := shareMove(prev, cur)
			step := flagStep(prev.Spec.Flags, cur.Spec.Flags)
			w("- %s (%s): **%s** %.0f%% → %.0f%% of the op\n", step, stepResources(step), name, 100*a, 100*c)
		}
	}
}

// shareMove is the function whose flat share moves most from a to b, and
// its two shares.
func shareMove(a, b *RowProfile) (name string, from, to float64) {
	sa, sb := map[string]float64{}, map[string]float64{}
	for _, f := range kprof.Functions(a.Profile) {
		sa[f.Name] = f.Flat
	}
	for _, f := range kprof.Functions(b.Profile) {
		sb[f.Name] = f.Flat
	}
	best := -1.0
	consider := func(n string) {
		d := math.Abs(sb[n] - sa[n])
		if d > best || (d == best && n < name) {
			name, best, from, to = n, d, sa[n], sb[n]
		}
	}
	for n := range sa {
		consider(n)
	}
	for n := range sb {
		consider(n)
	}
	return name, from, to
}

// profiledOverPlain is a profiled twin's overhead from its own lines:
// each sample's ns/op over the plain ns/op its worker took beside it
// (rowspec.UnitPlainNsOp), the median with its 95% interval; "" for a
// twin without those (one run in-process, under go test).
func profiledOverPlain(r *Row) string {
	num, den := r.Values[rowspec.UnitNsOp], r.Values[rowspec.UnitPlainNsOp]
	if len(den) == 0 || len(num) != len(den) {
		return ""
	}
	pr := comparison.PairRatio(num, den, 0.95)
	if pr.N == 0 {
		return ""
	}
	if !pr.CIKnown() {
		return fmt.Sprintf("%s× (%d samples)", sig3(pr.Median), pr.N)
	}
	return fmt.Sprintf("%s× (95%% CI %s–%s×, %d samples)", sig3(pr.Median), sig3(pr.Lo), sig3(pr.Hi), pr.N)
}
