package report

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/rowspec"
)

// The containers' creation rows: Clone3, CreateNS, CreateCgroup and
// CreatePidfd, beside plain fork and thread (Create) on one axis.

// nsEntry is one row of namespaces.png and of its section.
type nsEntry struct {
	label  string
	r      *Row
	s      Summary
	thread bool // a thread-style task (blue); else a process
}

// nsSpecs are the entries in the order the chart draws them: the
// references, then clone3 with its pidfd and cgroup variants, then one
// namespace flag at a time and a runtime's set.
func nsSpecs() []struct {
	label  string
	sp     rowspec.Spec
	thread bool
} {
	type e = struct {
		label  string
		sp     rowspec.Spec
		thread bool
	}
	out := []e{
		{"fork", rowspec.Spec{Family: rowspec.Create, Style: rowspec.StyleFork}, false},
		{"thread", rowspec.Spec{Family: rowspec.Create, Style: rowspec.StyleThread}, true},
		{"clone3 fork", rowspec.Spec{Family: rowspec.Clone3, Style: rowspec.StyleFork}, false},
		{"clone3 thread", rowspec.Spec{Family: rowspec.Clone3, Style: rowspec.StyleThread}, true},
	}
	for _, w := range rowspec.Waits() {
		out = append(out, e{"pidfd, " + string(w), rowspec.Spec{Family: rowspec.CreatePidfd, Wait: w}, false})
	}
	for _, h := range rowspec.Hows() {
		out = append(out, e{"cgroup " + string(h), rowspec.Spec{Family: rowspec.CreateCgroup, How: h}, false})
	}
	for _, ns := range rowspec.NSs() {
		out = append(out, e{"NEW " + string(ns), rowspec.Spec{Family: rowspec.CreateNS, NS: ns}, false})
	}
	return out
}

// nsEntries are h's rows of nsSpecs, each at its most preferred placement.
func (d *Data) nsEntries(h *Host) []nsEntry {
	var out []nsEntry
	for _, e := range nsSpecs() {
		for p := placeSame; p < placeNone; p++ {
			r := d.findPlaced(h, e.sp, p)
			if r == nil {
				continue
			}
			if s, ok := r.Primary(); ok && s.Median > 0 {
				out = append(out, nsEntry{e.label, r, s, e.thread})
				break
			}
		}
	}
	return out
}

// hasNS reports whether es holds a CreateNS row: the chart is about them.
func hasNS(es []nsEntry) bool {
	for _, e := range es {
		if e.r.Spec.Family == rowspec.CreateNS {
			return true
		}
	}
	return false
}

func nsSupports(in *chartData) (bool, string) {
	return hasNS(in.d.nsEntries(in.h)), "no BenchmarkCreateNS rows with ns/op in the input"
}

func nsSimulated(in *chartData) bool {
	for _, e := range in.d.nsEntries(in.h) {
		if e.r.Simulated {
			return true
		}
	}
	return false
}

// nsChart draws each entry's cost per create + exit + reap, log scale,
// and for the namespace rows the kernel threads' time per op after it
// (the deferred teardown), where the input has it.
func nsChart(in *chartData, sim bool) (*figure, error) {
	es := in.d.nsEntries(in.h)
	rows := make([]*Row, len(es))
	for i, e := range es {
		rows[i] = e.r
	}
	p := newPlot(simTitle("Containers' creation, "+placementWords(rows), sim),
		"", "µs per create + exit + reap/join (log scale)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	var names []string
	var proc, thr, kth []point
	var lxy plotter.XYs
	var ltext []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, e := range es {
		pt := ciPoint(float64(i), e.s, µs)
		if e.thread {
			thr = append(thr, pt)
		} else {
			proc = append(proc, pt)
		}
		names = append(names, tickName(e.label, e.r.Simulated))
		lo = math.Min(lo, math.Min(pt.y, finiteOr(pt.lo, pt.y)))
		hi = math.Max(hi, math.Max(pt.y, finiteOr(pt.hi, pt.y)))
		lxy = append(lxy, plotter.XY{X: pt.x, Y: pt.y})
		ltext = append(ltext, fmtNs(e.s.Median))
		if k, ok := e.r.Summary(rowspec.UnitKthreadNsOp); ok && k.Median > 0 {
			kp := ciPoint(float64(i), k, µs)
			kth = append(kth, kp)
			lo = math.Min(lo, math.Min(kp.y, finiteOr(kp.lo, kp.y)))
			hi = math.Max(hi, math.Max(kp.y, finiteOr(kp.hi, kp.y)))
		}
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.Y.Min, p.Y.Max = logRange(lo, hi)
	p.X.Min, p.X.Max = -0.6, float64(len(es))-0.4
	for _, s := range []struct {
		pts    []point
		c      kindKey
		legend string
	}{
		{proc, "process", "process: the op's own cost (ns/op)"},
		{thr, "thread", "thread: the op's own cost (ns/op)"},
	} {
		if len(s.pts) == 0 {
			continue
		}
		sc, err := addCI(p, s.pts, kindColor(string(s.c)), draw.CircleGlyph{})
		if err != nil {
			return nil, err
		}
		p.Legend.Add(s.legend, sc)
	}
	if len(kth) > 0 {
		sc, err := addCI(p, kth, colGrey, draw.TriangleGlyph{})
		if err != nil {
			return nil, err
		}
		p.Legend.Add("kernel threads' time per op after the reap (kthread-ns/op: deferred teardown)", sc)
	}
	l, err := labels(lxy, ltext, 9, vg.Point{X: vg.Points(7), Y: vg.Points(-3)}, draw.XLeft)
	if err != nil {
		return nil, err
	}
	p.Add(l)
	return &figure{p: p, w: 10 * vg.Inch, h: 6 * vg.Inch, placement: placementWords(rows),
		caption: []string{machineCaption(in.h), "NEW x: fork's flags plus that CLONE_NEW* flag; all: mnt, uts, ipc, pid, net and cgroup (a rootful runtime's set); " + methodCaption}}, nil
}

type kindKey string

// nsWhy says, in kernel terms, what a CLONE_NEW* flag makes copy_process
// do and what it leaves to after the reap.
var nsWhy = map[rowspec.NS]string{
	rowspec.NSUTS:    "copy_utsname copies one struct; freed at once at the last reference",
	rowspec.NSIPC:    "create_ipc_ns sets up the SysV ipc ids and an mqueue mount; freed by free_ipc_work after an RCU grace period",
	rowspec.NSMnt:    "copy_mnt_ns copies the whole mount tree (every mount of ours); its mounts are released after an RCU grace period",
	rowspec.NSPID:    "create_pid_namespace makes a pid cache and a proc mount point; freed by an RCU callback",
	rowspec.NSNet:    "setup_net runs every registered pernet init (loopback device, sysctls, protocol tables); cleanup_net runs every pernet exit on the netns workqueue, with RCU barriers, after the reap",
	rowspec.NSUser:   "create_user_ns makes credentials and a keyring; freed by a work item",
	rowspec.NSCgroup: "copy_cgroup_ns pins our css_set; freed at once",
	rowspec.NSAll:    "every copy above in one copy_namespaces call, and every deferred teardown after it",
}

// nsSection writes what the namespace rows show on h: the cost of each
// flag against plain fork, the deferred teardown, and the clone3, pidfd
// and cgroup rows against their references.
func nsSection(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	es := d.nsEntries(h)
	own := false
	for _, e := range es {
		own = own || e.r.Spec.Family != rowspec.Create
	}
	if !own {
		// Runs from before these families existed, or without them: the
		// references alone say nothing here.
		return
	}
	w("\n### Containers' creation: clone3, pidfds, cgroups, namespaces\n\n")
	var fork *nsEntry
	for i := range es {
		if es[i].r.Spec.Family == rowspec.Create && es[i].r.Spec.Style == rowspec.StyleFork {
			fork = &es[i]
		}
	}
	w("Every row is one create + exit + reap/join in the assembly loop; a namespace row adds one CLONE_NEW* flag to fork's (copy_namespaces then copies the nsproxy with that namespace new). kthread-ns/op is the CPU time the kernel's own threads ran from the loop's start until they went quiet after it, per op: where the teardown the reap leaves behind runs.\n\n")
	w("| row | at | ns/op | vs fork | kthread-ns/op | what the kernel does |\n|---|---|---|---|---|---|\n")
	var top *nsEntry
	var topTear *nsEntry
	var topTearV float64
	for i := range es {
		e := &es[i]
		vs := "—"
		if fork != nil && e != fork {
			vs = d.ratioOf(e.r, fork.r)
		}
		kt := "—"
		if k, ok := e.r.Summary(rowspec.UnitKthreadNsOp); ok {
			kt = fmtNs(k.Median)
			if e.r.Spec.NS != rowspec.NSAll && k.Median > topTearV {
				topTear, topTearV = e, k.Median
			}
		}
		why := ""
		if e.r.Spec.Family == rowspec.CreateNS {
			why = nsWhy[e.r.Spec.NS]
			if e.r.Spec.NS != rowspec.NSAll && (top == nil || e.s.Median > top.s.Median) {
				top = e
			}
		}
		w("| %s | %s | %s | %s | %s | %s |\n", mdEsc(simName(e.r.Name, e.r.Simulated)), placementOf(e.r).short(), fmtNs(e.s.Median), vs, kt, why)
	}
	if top != nil {
		w("\nThe costliest single flag here is %s: %s per op", top.label, fmtNs(top.s.Median))
		if fork != nil {
			w(", %s plain fork's %s", d.ratioOf(top.r, fork.r), fmtNs(fork.s.Median))
		}
		w(" (%s).", nsWhy[top.r.Spec.NS])
	}
	if topTear != nil {
		w(" The most deferred teardown per op is %s's: %s of kernel-thread time after the reap, none of it in ns/op.", topTear.label, fmtNs(topTearV))
	}
	if top != nil || topTear != nil {
		w("\n")
	}
}
