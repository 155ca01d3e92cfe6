package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// chartNote is one chart's entry in report.md: drawn, or why not.
type chartNote struct {
	file, title, caption string
	drawn                bool
	reason               string
}

func markdown(d *Data, opts Options, charts []chartNote, deltas []Delta, cmpErr error) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	title := opts.Title
	if title == "" {
		title = "clonebench: creating and switching processes vs threads"
	}
	w("# %s\n\n", title)
	nsamp := 0
	for _, r := range d.Rows {
		nsamp += len(r.Values["ns/op"])
	}
	w("Input: %s — %d rows, %d samples.\n", strings.Join(quoteAll(d.Files), ", "), len(d.Rows), nsamp)
	if anySim(d) {
		w("\n**Rows marked *simulated* come from the simulated kernel (simkernel): figures of a calibrated model, not measurements of this machine.**\n")
	}

	// Machine.
	w("\n## Machine\n")
	for i, h := range d.Hosts {
		if len(d.Hosts) > 1 {
			w("\n### %c: %s\n", 'A'+i, h.Label)
		}
		if len(h.Config) == 0 {
			w("\nNo config lines in the input: the machine is unknown.\n")
			continue
		}
		w("\n| key | value |\n|---|---|\n")
		for _, c := range h.Config {
			w("| %s | %s |\n", c.Key, mdEsc(c.Value))
		}
	}
	if len(d.Hosts) > 1 {
		w("\nThe single-machine sections and charts below show machine A; hosts.png compares all.\n")
	}
	h := d.primary()

	// Headline.
	w("\n## Headline\n\n")
	w("Median of the samples with its 95%% confidence interval (benchmath, distribution-free, as benchstat); " +
		"p50 and p99 are the medians over samples of each sample's per-op percentiles (— where a row does not time single ops). " +
		"Creation rows: one create + exit + reap/join; switch rows: one round trip (two switches) in ns/op.\n\n")
	var head []*Row
	for _, r := range d.rowsOf(h, "Create") {
		head = append(head, r)
	}
	sortRows(head, func(r *Row) int { return styleRank(r.Param("style")) })
	for _, r := range d.rowsOf(h, "Switch") {
		if r.Param("cpu") == "same" && wsIsZero(r) {
			head = append(head, r)
		}
	}
	head = append(head, d.rowsOf(h, "SwitchOverhead")...)
	if len(head) == 0 {
		w("No creation or cpu=same switch rows in the input.\n")
	} else {
		summaryTable(&b, head, false)
	}

	// Ratios.
	w("\n## What the figures say\n")
	ratios(&b, d, h)

	if opts.Baseline != nil {
		w("\n## Against the baseline\n\n")
		w("Baseline: %s. ", strings.Join(quoteAll(opts.Baseline.Files), ", "))
		if cmpErr != nil {
			w("No comparison: %v.\n", cmpErr)
		} else {
			w("Mann-Whitney U test at α = %.2f; a regression is a significant slowdown of more than %.0f%%.\n\n", opts.alpha(), opts.threshold()*100)
			w("| row | baseline | this run | change | 95%% range | p | verdict |\n|---|---|---|---|---|---|---|\n")
			for _, dl := range deltas {
				verdict := "~"
				switch {
				case dl.Regression:
					verdict = "**regression**"
				case dl.Improvement:
					verdict = "improvement"
				case dl.Significant:
					verdict = "within threshold"
				}
				w("| %s | %s | %s | %+.1f%% | %s | %.3f | %s |\n", mdEsc(simName(dl.Name, dl.Simulated)),
					fmtNs(dl.Old.Median), fmtNs(dl.New.Median), dl.Pct, pctRange(dl), dl.P, verdict)
			}
		}
	}

	// Charts.
	w("\n## Charts\n")
	for _, c := range charts {
		if c.drawn {
			w("\n### %s\n\n![%s](%s)\n\n%s\n", c.title, c.title, c.file, c.caption)
		} else {
			w("\n- %s not drawn: %s.\n", c.file, c.reason)
		}
	}

	// Every row.
	w("\n## All rows\n")
	var fams []string
	seen := map[string]bool{}
	for _, r := range d.Rows {
		if r.Host == h && !seen[r.Family] {
			seen[r.Family] = true
			fams = append(fams, r.Family)
		}
	}
	for _, f := range fams {
		w("\n### %s\n\n", f)
		summaryTable(&b, d.rowsOf(h, f), true)
	}

	// Skips.
	w("\n## Skipped rows\n\n")
	if len(d.Skips) == 0 {
		w("None reported in the input (go test prints a skipped benchmark's reason only with -v; runbench writes `# skip:` lines).\n")
	} else {
		w("| row | reason | where |\n|---|---|---|\n")
		for _, s := range d.Skips {
			w("| %s | %s | %s |\n", mdEsc(s.Name), mdEsc(s.Reason), mdEsc(s.Pos))
		}
	}

	// Warnings.
	var few []string
	for _, r := range d.Rows {
		if s, ok := r.Primary(); ok && !s.CIKnown() {
			few = append(few, fmt.Sprintf("%s (n=%d)", r.Label(), s.N))
		}
	}
	if len(few) > 0 {
		w("\n## Warnings\n\nToo few samples for a 95%% confidence interval (6 needed): %s.\n", strings.Join(few, ", "))
	}
	return b.String()
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return out
}

func anySim(d *Data) bool {
	for _, r := range d.Rows {
		if r.Simulated {
			return true
		}
	}
	return false
}

func mdEsc(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func fmtCI(s Summary) string {
	if !s.CIKnown() {
		return "∞ (n<6)"
	}
	return fmtNs(s.Lo) + " – " + fmtNs(s.Hi)
}

func pctRange(dl Delta) string {
	if math.IsInf(dl.PctLo, 0) || math.IsInf(dl.PctHi, 0) {
		return "∞"
	}
	return fmt.Sprintf("%+.1f%% … %+.1f%%", dl.PctLo, dl.PctHi)
}

// summaryTable writes row | median | 95% CI | p50 | p99 | n, and with
// extra the row's other metrics.
func summaryTable(b *strings.Builder, rows []*Row, extra bool) {
	if extra {
		b.WriteString("| row | median | 95% CI | p50 | p99 | n | other metrics (median) |\n|---|---|---|---|---|---|---|\n")
	} else {
		b.WriteString("| row | median | 95% CI | p50 | p99 | n |\n|---|---|---|---|---|---|\n")
	}
	for _, r := range rows {
		s, ok := r.Primary()
		if !ok {
			fmt.Fprintf(b, "| %s | — | — | — | — | 0 |", mdEsc(r.Label()))
		} else {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %d |", mdEsc(r.Label()), fmtNs(s.Median), fmtCI(s), fmtNs(s.P50), fmtNs(s.P99), s.N)
		}
		if extra {
			var other []string
			for _, u := range r.Units {
				if u == "ns/op" || u == "p50-ns" || u == "p99-ns" {
					continue
				}
				m := medianOf(r.Values[u])
				if strings.HasPrefix(u, "ns/") {
					other = append(other, fmt.Sprintf("%s %s", fmtNs(m), strings.TrimPrefix(u, "ns")))
				} else {
					other = append(other, fmt.Sprintf("%s %s", sig3(m), u))
				}
			}
			fmt.Fprintf(b, " %s |", strings.Join(other, ", "))
		}
		b.WriteString("\n")
	}
}

// ratio is a/b with the range the two confidence intervals allow.
func ratio(a, b Summary) string {
	r := a.Median / b.Median
	s := fmt.Sprintf("**%s×**", sig3(r))
	if a.CIKnown() && b.CIKnown() && b.Lo > 0 && b.Hi > 0 {
		s += fmt.Sprintf(" (%s–%s× from the CIs)", sig3(a.Lo/b.Hi), sig3(a.Hi/b.Lo))
	}
	return s
}

func ratios(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	// Creation.
	w("\n### Creating a process vs a thread\n\n")
	style := func(s string) (Summary, *Row, bool) {
		r := d.find(h, "Create", "style", s)
		if r == nil {
			return Summary{}, nil, false
		}
		sum, ok := r.Primary()
		return sum, r, ok && sum.Median > 0
	}
	pairs := []struct{ a, b, why string }{
		{"fork", "thread", "the seeds' question: the same clone(2), fork-style vs thread-style flags"},
		{"libc-fork", "pthread", "the same through glibc"},
		{"vfork", "thread", "vfork shares the address space too, but the parent waits for the child"},
		{"thread-fresh-stack", "thread", "what a fresh mmap'd stack and guard page add to a thread"},
		{"spawn", "vfork", "starting a program (os/exec's vfork + exec) against vfork alone"},
		{"thread", "goroutine", "a kernel task against a user-space goroutine"},
	}
	n := 0
	for _, p := range pairs {
		sa, ra, ok1 := style(p.a)
		sb, rb, ok2 := style(p.b)
		if !ok1 || !ok2 {
			continue
		}
		n++
		w("- %s / %s: %s — %s vs %s; %s.\n", simName(p.a, ra.Simulated), simName(p.b, rb.Simulated), ratio(sa, sb), fmtNs(sa.Median), fmtNs(sb.Median), p.why)
	}
	if n == 0 {
		w("No pair of creation styles to compare in the input.\n")
	}

	// Switch.
	w("\n### Switching between processes vs threads (cpu=same, ws=0)\n\n")
	type sw struct{ proc, thr *Row }
	var mechs []string
	bym := map[string]*sw{}
	var cross []*Row
	for _, r := range d.rowsOf(h, "Switch") {
		if r.Param("cpu") == "cross" {
			cross = append(cross, r)
		}
		if r.Param("cpu") != "same" || !wsIsZero(r) {
			continue
		}
		m := r.Param("mech")
		if bym[m] == nil {
			bym[m] = &sw{}
			mechs = append(mechs, m)
		}
		switch r.Param("mode") {
		case "process":
			bym[m].proc = r
		case "thread":
			bym[m].thr = r
		}
	}
	sort.SliceStable(mechs, func(i, j int) bool { return mechRank(mechs[i]) < mechRank(mechs[j]) })
	rowsW := 0
	for _, m := range mechs {
		if bym[m].proc != nil && bym[m].thr != nil {
			rowsW++
		}
	}
	if rowsW == 0 {
		w("No mechanism with both mode=process and mode=thread at cpu=same, ws=0 in the input.\n")
	} else {
		w("Per switch = round trip ÷ 2; net = after the same mechanism's no-switch overhead; ctxsw/op = voluntary context switches of both tasks per round trip as the kernel counts them (about 2 when each round trip really switches twice). Documented (seeds): %.1f–%.2f µs per process switch, about %.1f µs per thread switch.\n\n", docProcessLo, docProcessHi, docThread)
		w("| mech | process per switch | thread per switch | process / thread | process net | thread net | ctxsw/op (process, thread) |\n|---|---|---|---|---|---|---|\n")
		for _, m := range mechs {
			p, t := bym[m].proc, bym[m].thr
			if p == nil || t == nil {
				continue
			}
			ps, _ := switchCost(p)
			ts, _ := switchCost(t)
			w("| %s | %s | %s | %s | %s | %s | %s, %s |\n", simName(m, p.Simulated || t.Simulated), fmtNs(ps.Median), fmtNs(ts.Median), ratio(ps, ts),
				fmtNs(medianOf(p.Values["ns/switch-net"])), fmtNs(medianOf(t.Values["ns/switch-net"])),
				sig3or(medianOf(p.Values["ctxsw/op"])), sig3or(medianOf(t.Values["ctxsw/op"])))
		}
		if r := bym["pipe"]; r != nil && r.proc != nil && r.thr != nil {
			ps, _ := switchCost(r.proc)
			ts, _ := switchCost(r.thr)
			w("\nAgainst the documented figures (pipe): process %s is %s the %.1f–%.2f µs band; thread %s is %s (%.1f µs).\n",
				fmtNs(ps.Median), bandWord(µs(ps.Median), docProcessLo, docProcessHi), docProcessLo, docProcessHi,
				fmtNs(ts.Median), pctWord(µs(ts.Median), docThread), docThread)
		}
	}
	if libc := d.rowsOf(h, "SwitchLibc"); len(libc) > 0 {
		w("\n**SwitchLibc rows** run the same pipe loop with each system call behind a call/ret and an rseq area registered, as a program calling glibc's read/write does; they are the figures to set beside `taskset -c 0 perf bench sched pipe` (process) and `perf bench sched pipe -T` (thread), which print µs per round trip.\n\n")
		w("| row | round trip | per switch | same loop, syscalls inline |\n|---|---|---|---|\n")
		for _, r := range libc {
			rt, ok := r.Primary()
			if !ok {
				continue
			}
			inline := "—"
			for _, sw := range d.rowsOf(h, "Switch") {
				if sw.Param("mech") == "pipe" && sw.Param("mode") == r.Param("mode") && sw.Param("cpu") == r.Param("cpu") && sw.Param("ws") == "0" {
					if s, ok := sw.Primary(); ok {
						inline = fmtNs(s.Median)
					}
				}
			}
			w("| %s | %s | %s | %s |\n", mdEsc(r.Label()), fmtNs(rt.Median), fmtNs(rt.Median/2), inline)
		}
	}
	if len(cross) > 0 {
		w("\n**cpu=cross rows** pin the two tasks to different CPUs: each hand-off is a cross-CPU wake-up (an IPI and the other CPU leaving idle), not a context switch on one CPU, so they answer a different question and are kept out of the process-vs-thread switch ratios above.\n\n")
		w("| row | per switch | ctxsw/op |\n|---|---|---|\n")
		for _, r := range cross {
			s, ok := switchCost(r)
			if !ok {
				continue
			}
			w("| %s | %s | %s |\n", mdEsc(r.Label()), fmtNs(s.Median), sig3or(medianOf(r.Values["ctxsw/op"])))
		}
	}

	// RSS.
	w("\n### fork's cost per MiB of parent memory\n\n")
	series, err := rssSweep(d, h)
	if err != nil {
		w("The RSS sweep could not be read: %v.\n", err)
	} else if len(series) == 0 {
		w("No BenchmarkCreateRSS rows in the input.\n")
	} else {
		w("Least-squares slope over every sample of the sweep (montanaflynn/stats); fork copies the parent's page tables, so it grows with RSS, and huge pages make the tables 512× smaller; thread and vfork share the address space and stay flat.\n\n")
		w("| style | THP | slope | smallest RSS | largest RSS |\n|---|---|---|---|---|\n")
		for _, se := range series {
			slope := "— (one size)"
			if se.fitErr == nil {
				slope = fmtSlope(se.slope/1e3) + " µs/MiB"
			}
			first, last := se.pts[0], se.pts[len(se.pts)-1]
			w("| %s | %s | %s | %s at %s MiB | %s at %s MiB |\n", simName(se.style, se.sim), se.thp, slope,
				fmtNs(first.y*1e6), fmtTick(first.x), fmtNs(last.y*1e6), fmtTick(last.x))
		}
		var off, on *rssSeries
		for _, se := range series {
			if se.style == "fork" && se.fitErr == nil {
				if se.thp == "off" {
					off = se
				} else if se.thp == "on" {
					on = se
				}
			}
		}
		if off != nil && on != nil && on.slope > 0 {
			w("\nfork: %s µs/MiB without huge pages, %s µs/MiB with them (%s× less).\n", sig3(off.slope/1e3), sig3(on.slope/1e3), sig3(off.slope/on.slope))
		}
	}

	// fd table.
	w("\n### fork's cost per open file descriptor\n\n")
	fdStyles := map[string][]*Row{}
	var fdOrder []string
	for _, r := range d.rowsOf(h, "CreateFDs") {
		st := r.Param("style")
		if fdStyles[st] == nil {
			fdOrder = append(fdOrder, st)
		}
		fdStyles[st] = append(fdStyles[st], r)
	}
	if !hasSpan(fdStyles, "fds") {
		w("Not measured: this needs BenchmarkCreateFDs rows at two or more fd counts of one style (the full suite has them).\n")
	} else {
		w("copy_files duplicates the fd table unless CLONE_FILES shares it; the step from the fewest to the most open descriptors, per descriptor:\n\n")
		w("| style | fewest fds | most fds | per extra fd |\n|---|---|---|---|\n")
		for _, st := range fdOrder {
			var lo, hi *Row
			var lon, hin float64
			for _, r := range fdStyles[st] {
				n, err := parseBytes(r.Param("fds"))
				if err != nil {
					continue
				}
				if lo == nil || n < lon {
					lo, lon = r, n
				}
				if hi == nil || n > hin {
					hi, hin = r, n
				}
			}
			if lo == nil || hi == nil || hin == lon {
				continue
			}
			ls, ok1 := lo.Primary()
			hs, ok2 := hi.Primary()
			if !ok1 || !ok2 {
				continue
			}
			w("| %s | %s at %s | %s at %s | %s |\n", simName(st, lo.Simulated), fmtNs(ls.Median), fmtTick(lon), fmtNs(hs.Median), fmtTick(hin), fmtNs((hs.Median-ls.Median)/(hin-lon)))
		}
	}

	// Clone flags.
	w("\n### The cost of each clone flag\n\n")
	rows, sums := d.cloneFlagSteps(h)
	if len(rows) == 0 {
		w("No BenchmarkCloneFlags rows in the input.\n")
	} else {
		w("The sweep in input order; each step's cost is the difference from the set before it (negative: sharing the resource saves the copy).\n\n")
		w("| flags | change | median | step | what the change does |\n|---|---|---|---|---|\n")
		for i, r := range rows {
			prev := ""
			step := "—"
			if i > 0 {
				prev = rows[i-1].Param("flags")
				step = signed(sums[i].Median - sums[i-1].Median)
			}
			change := flagStep(prev, r.Param("flags"))
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
			w("| %s | %s | %s | %s | %s |\n", mdEsc(simName(r.Param("flags"), r.Simulated)), mdEsc(change), fmtNs(sums[i].Median), step, strings.Join(why, "; "))
		}
		first, last := sums[0], sums[len(sums)-1]
		w("\nFrom the first set to the last: %s → %s (%s).\n", fmtNs(first.Median), fmtNs(last.Median), signed(last.Median-first.Median))
	}
}

func sig3or(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return sig3(v)
}

func bandWord(v, lo, hi float64) string {
	switch {
	case v < lo:
		return fmt.Sprintf("below (%.0f%% under the low end of)", (1-v/lo)*100)
	case v > hi:
		return fmt.Sprintf("above (%.0f%% over the high end of)", (v/hi-1)*100)
	}
	return "inside"
}

func pctWord(v, ref float64) string {
	switch d := (v/ref - 1) * 100; {
	case d < 0:
		return fmt.Sprintf("%.0f%% below the documented figure", -d)
	case d > 0:
		return fmt.Sprintf("%.0f%% above the documented figure", d)
	}
	return "exactly the documented figure"
}

// hasSpan reports whether some group holds rows at two or more values of
// the size parameter key, so a per-unit step can be computed.
func hasSpan(groups map[string][]*Row, key string) bool {
	for _, rows := range groups {
		seen := map[string]bool{}
		for _, r := range rows {
			seen[r.Param(key)] = true
		}
		if len(seen) >= 2 {
			return true
		}
	}
	return false
}
