package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clonebench/clonebench/rowspec"
)

// creationSection is the creation table (every style at each placement the
// input has), the pairs of styles set against each other, and fork's floor.
func creationSection(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("\n### Creating a process vs a thread\n\n")
	creationTable(b, d, h)
	n := 0
	for _, p := range rowspec.CreationRatios() {
		ra, rb, at := d.createPair(h, p.Num, p.Den)
		if ra == nil {
			continue
		}
		sa, sb := summaryOf(ra), summaryOf(rb)
		if n == 0 {
			w("\n")
		}
		n++
		w("- %s / %s at %s: %s — %s vs %s; %s.\n", simName(string(p.Num), ra.Simulated), simName(string(p.Den), rb.Simulated), at, d.ratioOf(ra, rb, string(p.Num), string(p.Den)), fmtNs(sa.Median), fmtNs(sb.Median), p.What)
	}
	if n == 0 {
		w("\nNo pair of creation styles to compare in the input.\n")
	}
	forkFloor(b, d, h)
}

// createRow is h's Create row of style s at placement p when it has a
// positive primary figure (a ratio's denominator).
func (d *Data) createRow(h *Host, s rowspec.Style, p placement) *Row {
	r := d.findPlaced(h, rowspec.Spec{Family: rowspec.Create, Style: s}, p)
	if r == nil {
		return nil
	}
	if sum, ok := r.Primary(); !ok || sum.Median <= 0 {
		return nil
	}
	return r
}

// createPair is styles a and b at the most preferred placement both were
// measured at: a ratio across placements would credit one style with the
// other's pinning.
func (d *Data) createPair(h *Host, a, b rowspec.Style) (ra, rb *Row, at placement) {
	for p := placeSame; p < placeNone; p++ {
		ra, rb = d.createRow(h, a, p), d.createRow(h, b, p)
		if ra != nil && rb != nil {
			return ra, rb, p
		}
	}
	return nil, nil, placeNone
}

// creationTable lists every Create style with its median at each
// placement, so the reader sees what pinning parent and child to one CPU
// changes.
func creationTable(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	rows := d.rowsOf(h, rowspec.Create)
	if len(rows) == 0 {
		w("No BenchmarkCreate rows in the input.\n")
		return
	}
	ps := placementsOf(rows)
	var styles []rowspec.Style
	for _, r := range rows {
		if !slices.Contains(styles, r.Spec.Style) {
			styles = append(styles, r.Spec.Style)
		}
	}
	slices.SortStableFunc(styles, func(a, b rowspec.Style) int { return styleRank(a) - styleRank(b) })
	w("Median per create + exit + reap/join. cpu=same pins parent and child to one CPU (the Go runtime's threads moved off it); cpu=any leaves them where the scheduler puts them, so a creation may also pay for waking the child on another CPU")
	if slices.Contains(ps, placeLegacy) {
		w("; names without cpu= were stored before the key existed and ran unpinned, as cpu=any")
	}
	w(".\n\n")
	head, rule := "| style | kind |", "|---|---|"
	for _, p := range ps {
		head, rule = head+" "+p.String()+" |", rule+"---|"
	}
	cost := len(ps) > 1 && ps[0] == placeSame
	if cost {
		head, rule = head+" "+ps[1].String()+" / cpu=same |", rule+"---|"
	}
	w("%s\n%s\n", head, rule)
	disturbed := false
	for _, st := range styles {
		w("| %s | %s |", st, st.Kind())
		var at []*Row
		for _, p := range ps {
			r := d.findPlaced(h, rowspec.Spec{Family: rowspec.Create, Style: st}, p)
			at = append(at, r)
			cell := "—"
			if r != nil {
				if s, ok := r.Primary(); ok {
					cell = simName(fmtNs(s.Median), r.Simulated)
				}
				if dw := r.disturbedWord(); dw != "" {
					cell += " (" + dw + ")"
					disturbed = true
				}
			}
			w(" %s |", cell)
		}
		if cost {
			cell := "—"
			if same, other := d.createRow(h, st, ps[0]), d.createRow(h, st, ps[1]); same != nil && other != nil {
				cell = d.ratioOf(other, same)
			}
			w(" %s |", cell)
		}
		w("\n")
	}
	if disturbed {
		w("\n%s\n", disturbNote)
	}
}

// forkFloor sets fork from the Go process beside fork-minimal, the same
// clone from a process that unmapped Go's address space, at each placement
// both were measured at, with the Go parent's footprint that makes the
// difference.
func forkFloor(b *strings.Builder, d *Data, h *Host) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	type pair struct {
		at          placement
		fork, floor *Row
	}
	var pairs []pair
	for p := placeSame; p < placeNone; p++ {
		f, m := d.createRow(h, rowspec.StyleFork, p), d.createRow(h, rowspec.StyleForkMinimal, p)
		if f != nil && m != nil {
			pairs = append(pairs, pair{p, f, m})
		}
	}
	if len(pairs) == 0 {
		return
	}
	w("\n#### fork's floor: the Go process against a minimal one\n\n")
	w("fork copies the parent's address space: the page tables of every mapping and the mappings (VMAs) themselves. Forking from the Go process therefore also pays for Go's heap arenas and its mappings (the count is below); fork-minimal forks, in an assembly loop, from a raw child that unmapped the Go address space, so it is what the kernel charges a minimal process. A C program's fork + waitpid pays more than that floor: its parent and child take copy-on-write faults on every page they write after the fork (about 8 per fork for a small loop), and glibc's fork does its own bookkeeping; fork-minimal writes no private page. The footprint is the Go parent's, as the fork row recorded it.\n\n")
	w("| cpu | fork | fork-minimal | fork / fork-minimal | Go parent RSS | its page tables | its mappings |\n|---|---|---|---|---|---|---|\n")
	for _, p := range pairs {
		fs, ms := summaryOf(p.fork), summaryOf(p.floor)
		w("| %s | %s | %s | %s | %s | %s | %s |\n", p.at, simName(fmtNs(fs.Median), p.fork.Simulated), simName(fmtNs(ms.Median), p.floor.Simulated), d.ratioOf(p.fork, p.floor),
			fmtBytes(medianOf(p.fork.Values[rowspec.UnitParentRSS])), fmtBytes(medianOf(p.fork.Values[rowspec.UnitParentPTE])),
			sig3or(medianOf(p.fork.Values[rowspec.UnitParentMaps])))
	}
}
