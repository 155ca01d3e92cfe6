package report

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/clonebench/clonebench/rowspec"
)

// headline is one row hosts.png compares across machines.
type headline struct {
	label     string
	spec      rowspec.Spec
	perSwitch bool
	// at is a creation headline's placement, chosen per headline by
	// usedHeadlines; placeNone for a switch row, whose spec is whole.
	at placement
}

// row is h's row for hl, or nil.
func (d *Data) headlineRow(h *Host, hl headline) *Row {
	if hl.spec.Family.Creation() {
		return d.findPlaced(h, hl.spec, hl.at)
	}
	return d.find(h, hl.spec)
}

// headlines are the rows hosts.png compares: rowspec's headline rows,
// labelled for the axis.
func headlines() []headline {
	var out []headline
	for _, sp := range rowspec.Headlines() {
		if sp.Family.Creation() {
			out = append(out, headline{string(sp.Style), sp, false, placeSame})
			continue
		}
		out = append(out, headline{fmt.Sprintf("switch %s\n%s", sp.Mech, sp.Mode), sp, true, placeNone})
	}
	return out
}

// usedHeadlines are the headlines some machine of d has. A creation
// headline is compared at one placement across the machines, the one most
// of them have (ties to cpu=same), so a machine's bar is never its
// placement against another's.
func (d *Data) usedHeadlines() []headline {
	var use []headline
	for _, hl := range headlines() {
		if hl.spec.Family.Creation() {
			best, most := placeNone, 0
			for p := placeSame; p < placeNone; p++ {
				n := 0
				for _, h := range d.Hosts {
					if d.findPlaced(h, hl.spec, p) != nil {
						n++
					}
				}
				if n > most {
					best, most = p, n
				}
			}
			if best == placeNone {
				continue
			}
			hl.at = best
			hl.label += "\ncpu=" + best.short()
			use = append(use, hl)
			continue
		}
		for _, h := range d.Hosts {
			if d.find(h, hl.spec) != nil {
				use = append(use, hl)
				break
			}
		}
	}
	return use
}

func hostsSupports(in *chartData) (bool, string) {
	if len(in.d.Hosts) < 2 {
		return false, "results from one machine only"
	}
	return len(in.d.usedHeadlines()) > 0, "none of the headline rows (Create styles, Switch pipe/futex at cpu=same) in the input"
}

// hostsChart draws the headline rows side by side per host.
func hostsChart(in *chartData, _ bool) (*figure, error) {
	d := in.d
	use := d.usedHeadlines()
	p := newPlot("Headline rows per machine", "", "µs per creation / per switch (log scale)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	lo, hi := math.Inf(1), math.Inf(-1)
	nh := float64(len(d.Hosts))
	step := math.Min(0.7/nh, 0.2)
	var capt []string
	for j, h := range d.Hosts {
		var pts []point
		for i, hl := range use {
			r := d.headlineRow(h, hl)
			if r == nil {
				continue
			}
			var s Summary
			ok := false
			if hl.perSwitch {
				s, ok = switchCost(r)
			} else {
				s, ok = r.Primary()
			}
			if !ok || s.Median <= 0 {
				continue
			}
			pt := ciPoint(float64(i)+(float64(j)-(nh-1)/2)*step, s, µs)
			pts = append(pts, pt)
			lo = math.Min(lo, math.Max(finiteOr(pt.lo, pt.y), pt.y/10))
			hi = math.Max(hi, finiteOr(pt.hi, pt.y))
		}
		capt = append(capt, fmt.Sprintf("%c: %s", 'A'+j, machineCaption(h)))
		if len(pts) == 0 {
			continue
		}
		sc, err := addCI(p, pts, palette[j%len(palette)], glyphs[j%len(glyphs)])
		if err != nil {
			return nil, err
		}
		p.Legend.Add(fmt.Sprintf("%c: %s", 'A'+j, shorten(h.Label, 40)), sc)
	}
	var names []string
	for _, hl := range use {
		names = append(names, hl.label)
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(use))-0.4
	p.Y.Min, p.Y.Max = logRange(lo, hi)
	p.Legend.Add("bar: 95% CI", ciThumb{colGrey})
	capt = append(capt, "creation: create + exit + reap/join; switch: round trip ÷ 2 at cpu=same, ws=0; "+methodCaption)
	return &figure{p: p, w: 11 * vg.Inch, h: 5.5*vg.Inch + vg.Length(len(d.Hosts))*vg.Points(12), caption: capt}, nil
}
