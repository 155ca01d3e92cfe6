package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/clonebench/clonebench/rowspec"
)

// chartNote is one chart's entry in report.md: drawn, or why not.
type chartNote struct {
	file, title, caption string
	drawn                bool
	reason               string
}

func markdown(d *Data, opts Options, charts []chartNote) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	title := opts.Title
	if title == "" {
		title = "clonebench: creating and switching processes vs threads"
	}
	w("# %s\n\n", title)
	nsamp := 0
	for _, r := range d.Rows {
		nsamp += len(r.Values[rowspec.UnitNsOp])
	}
	w("Input: %s — %d rows, %d samples.\n", strings.Join(quoteAll(d.Files), ", "), len(d.Rows), nsamp)
	if anySim(d.Rows) {
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
	head := d.headlineRows(h)
	if len(head) == 0 {
		w("No creation or cpu=same switch rows in the input.\n")
	} else {
		summaryTable(&b, head, false)
	}

	w("\n## What the figures say\n")
	for _, sec := range sections {
		sec.write(&b, d, h)
	}

	noiseSection(&b, d)

	if c := opts.Comparison; c != nil {
		compareSection(&b, c)
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
	// Every row of h, also those rowspec does not know, by family.
	var fams []rowspec.Family
	byFam := map[rowspec.Family][]*Row{}
	for _, r := range d.Rows {
		if r.Host != h {
			continue
		}
		if byFam[r.Family] == nil {
			fams = append(fams, r.Family)
		}
		byFam[r.Family] = append(byFam[r.Family], r)
	}
	for _, f := range fams {
		w("\n### %s\n\n", f)
		summaryTable(&b, byFam[f], true)
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

func mdEsc(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func fmtCI(s Summary) string {
	if !s.CIKnown() {
		return "∞ (n<6)"
	}
	return fmtNs(s.Lo) + " – " + fmtNs(s.Hi)
}

// summaryTable writes row | median | 95% CI | p50 | p99 | n, with extra
// the row's other metrics, and a disturbed column when a row carries the
// per-sample disturbance counts (with a note under the table).
func summaryTable(b *strings.Builder, rows []*Row, extra bool) {
	disturb := false
	for _, r := range rows {
		disturb = disturb || r.DisturbCounted > 0
	}
	head, rule := "| row | median | 95% CI | p50 | p99 | n |", "|---|---|---|---|---|---|"
	if disturb {
		head, rule = head+" disturbed |", rule+"---|"
	}
	if extra {
		head, rule = head+" other metrics (median) |", rule+"---|"
	}
	b.WriteString(head + "\n" + rule + "\n")
	for _, r := range rows {
		s, ok := r.Primary()
		if !ok {
			fmt.Fprintf(b, "| %s | — | — | — | — | 0 |", mdEsc(r.Label()))
		} else {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %d |", mdEsc(r.Label()), fmtNs(s.Median), fmtCI(s), fmtNs(s.P50), fmtNs(s.P99), s.N)
		}
		if disturb {
			fmt.Fprintf(b, " %s |", orDash(r.disturbedWord()))
		}
		if extra {
			var other []string
			for _, u := range r.Units {
				if u == rowspec.UnitNsOp || u == rowspec.UnitP50 || u == rowspec.UnitP99 || isDisturbUnit(u) {
					continue
				}
				other = append(other, fmtMetric(u, medianOf(r.Values[u])))
			}
			fmt.Fprintf(b, " %s |", strings.Join(other, ", "))
		}
		b.WriteString("\n")
	}
	if disturb {
		b.WriteString("\n" + disturbNote + "\n")
	}
}

// disturbNote says what the disturbed column counts.
const disturbNote = "*Disturbed*: samples during which the measuring thread was preempted (an involuntary context switch, disturb-ictxsw) or moved to another CPU (disturb-migrations) at least once; such a sample timed something besides the row's own work."

// fmtMetric is one median metric with its unit: durations as durations,
// bytes as bytes, everything else (counts, rates) as a number.
func fmtMetric(u string, m float64) string {
	switch {
	case strings.HasPrefix(u, "ns/"):
		// ns/switch, ns/switch-net: a duration per something.
		return fmt.Sprintf("%s %s", fmtNs(m), strings.TrimPrefix(u, "ns"))
	case strings.HasSuffix(u, "-bytes"):
		return fmt.Sprintf("%s %s", fmtBytes(m), strings.TrimSuffix(u, "-bytes"))
	}
	return fmt.Sprintf("%s %s", sig3(m), u)
}

// fmtBytes writes a byte count with an IEC unit.
func fmtBytes(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	for _, u := range []struct {
		name string
		mult float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if v >= u.mult {
			return sig3(v/u.mult) + " " + u.name
		}
	}
	return fmt.Sprintf("%.0f B", v)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
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
