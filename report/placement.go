package report

import (
	"github.com/clonebench/clonebench/rowspec"
)

// A creation row runs at cpu=same (parent and child pinned to one CPU),
// cpu=any (unpinned), or is a legacy name stored before cpu= existed, which
// ran unpinned and so compares as cpu=any. A chart or table that shows one
// figure per style, step or point takes cpu=same when it can: pinned, the
// figure is the creation alone, not creation plus a wake-up on another CPU.

// placement is where a creation row ran, as report orders the choice.
type placement int

const (
	placeSame   placement = iota // cpu=same
	placeAny                     // cpu=any
	placeLegacy                  // no cpu= in the name: ran as cpu=any
	placeNone                    // not a creation placement (cpu=cross, or no row)
)

// placementOf is r's placement; rows of other families have none.
func placementOf(r *Row) placement {
	if r == nil || !r.Spec.Family.Creation() {
		return placeNone
	}
	switch {
	case r.Spec.Legacy():
		return placeLegacy
	case r.Spec.CPU == rowspec.CPUSame:
		return placeSame
	case r.Spec.CPU == rowspec.CPUAny:
		return placeAny
	}
	return placeNone
}

// String is the placement as titles and tables name it.
func (p placement) String() string {
	switch p {
	case placeSame:
		return "cpu=same"
	case placeAny:
		return "cpu=any"
	case placeLegacy:
		return "cpu=any (names without cpu=)"
	}
	return "no placement"
}

// short is the placement for a tick label or a legend entry.
func (p placement) short() string {
	switch p {
	case placeSame:
		return "same"
	case placeAny, placeLegacy:
		return "any"
	}
	return "?"
}

// bestPlacement is the placement a series of rows is drawn at: the one
// that covers the most distinct slots (a staircase missing steps says
// less), ties going to cpu=same, then cpu=any, then legacy. slot names
// what one figure stands for (a step's flag set, a point's size).
func bestPlacement(rows []*Row, slot func(*Row) string) placement {
	cover := map[placement]map[string]bool{}
	for _, r := range rows {
		p := placementOf(r)
		if p == placeNone {
			continue
		}
		if cover[p] == nil {
			cover[p] = map[string]bool{}
		}
		cover[p][slot(r)] = true
	}
	best := placeNone
	for p := placeSame; p < placeNone; p++ {
		if len(cover[p]) > 0 && (best == placeNone || len(cover[p]) > len(cover[best])) {
			best = p
		}
	}
	return best
}

// atPlacement keeps the rows of placement p, in order.
func atPlacement(rows []*Row, p placement) []*Row {
	var out []*Row
	for _, r := range rows {
		if placementOf(r) == p {
			out = append(out, r)
		}
	}
	return out
}

// placed picks one row per slot from rows, in first-seen slot order: the
// row at the most preferred placement, a real row before a simulated one.
// Used where each figure stands alone (a creation style) and the chart
// marks each figure's placement.
func placed(rows []*Row, slot func(*Row) string) []*Row {
	var order []string
	best := map[string]*Row{}
	for _, r := range rows {
		p := placementOf(r)
		if p == placeNone {
			continue
		}
		k := slot(r)
		cur, ok := best[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || p < placementOf(cur) || (p == placementOf(cur) && preferred(r, cur)) {
			best[k] = r
		}
	}
	out := make([]*Row, 0, len(order))
	for _, k := range order {
		out = append(out, best[k])
	}
	return out
}

// findPlaced is find for a creation spec at placement p: legacy looks
// for the name without cpu=.
func (d *Data) findPlaced(h *Host, sp rowspec.Spec, p placement) *Row {
	switch p {
	case placeSame:
		sp.CPU = rowspec.CPUSame
	case placeAny:
		sp.CPU = rowspec.CPUAny
	case placeLegacy:
		sp.CPU = ""
	default:
		return nil
	}
	return d.find(h, sp)
}

// findCreate is h's Create row of style s at the most preferred placement
// the data has, or nil.
func (d *Data) findCreate(h *Host, s rowspec.Style) *Row {
	for p := placeSame; p < placeNone; p++ {
		if r := d.findPlaced(h, rowspec.Spec{Family: rowspec.Create, Style: s}, p); r != nil {
			return r
		}
	}
	return nil
}

// placementsOf lists the placements of rows, in preference order.
func placementsOf(rows []*Row) []placement {
	seen := map[placement]bool{}
	for _, r := range rows {
		seen[placementOf(r)] = true
	}
	var out []placement
	for p := placeSame; p < placeNone; p++ {
		if seen[p] {
			out = append(out, p)
		}
	}
	return out
}

// placementWords names the placements of rows for a title or caption:
// "cpu=same", or "cpu=same where measured, else cpu=any".
func placementWords(rows []*Row) string {
	ps := placementsOf(rows)
	switch len(ps) {
	case 0:
		return ""
	case 1:
		return ps[0].String()
	}
	s := ps[0].String() + " where measured"
	for _, p := range ps[1:] {
		s += ", else " + p.String()
	}
	return s
}
