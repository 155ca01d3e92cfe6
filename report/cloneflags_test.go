package report

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// sweepData is a result of the given CloneFlags sets, eight samples each,
// the cost falling step by step as the sweep does.
func sweepData(t *testing.T, sets []string) *Data {
	t.Helper()
	var b strings.Builder
	b.WriteString("cpu: test\nkernel: 6.18.0\n")
	for i, f := range sets {
		for j := 0; j < 8; j++ {
			fmt.Fprintf(&b, "BenchmarkCloneFlags/flags=%s-2\t100\t%d %s\n", f, 600000/(i+1)+100*j, rowspec.UnitNsOp)
		}
	}
	d, err := Parse(strings.NewReader(b.String()), "sweep.txt")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// catalogueSweep is the catalogue's CloneFlags sets in sweep order, each
// once.
func catalogueSweep() []string {
	var sets []string
	for _, r := range workloads.Family(rowspec.CloneFlags) {
		if !slices.Contains(sets, r.Spec.Flags) {
			sets = append(sets, r.Spec.Flags)
		}
	}
	return sets
}

// TestCloneFlagsLayout draws the clone-flag chart for 2, 3 (the quick
// suite) and 10 steps: labels never overlap and the plot keeps most of the
// figure's height however many lines the labels take.
func TestCloneFlagsLayout(t *testing.T) {
	full := catalogueSweep()
	if len(full) < 10 {
		t.Fatalf("catalogue sweep has %d steps, want at least 10", len(full))
	}
	for _, tc := range []struct {
		name      string
		sets      []string
		wantSlant bool
	}{
		{"2", []string{full[0], full[len(full)-1]}, false},
		{"3", []string{full[0], full[2], full[len(full)-1]}, false},
		{"10", full[:10], true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := sweepData(t, tc.sets)
			in := &chartData{d: d, h: d.primary()}
			f, err := cloneFlagsChart(in, false)
			if err != nil {
				t.Fatal(err)
			}
			f.name = "cloneflags-" + tc.name + ".png"
			png, err := f.render()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := writeAtomic(t.TempDir(), f.name, png); err != nil {
				t.Fatal(err)
			}
			var steps []flagLabel
			steps = append(steps, setLabel(tc.sets[0]))
			for i := 1; i < len(tc.sets); i++ {
				steps = append(steps, flagLabel{words: strings.Fields(flagStep(tc.sets[i-1], tc.sets[i])), sep: " "})
			}
			lay := layFlagTicks(steps, f.p.X.Tick.Label, flagSlot(f.w, len(tc.sets)))
			if lay.slant != tc.wantSlant {
				t.Errorf("slanted labels: %v, want %v", lay.slant, tc.wantSlant)
			}
			// The slot is an estimate of the drawn one: check it
			// against where render put the data area.
			if slot := (f.data.Max.X - f.data.Min.X) / vg.Length(float64(len(tc.sets))+0.2); slot < lay.slot {
				t.Errorf("drawn slot %v narrower than the %v the labels were laid out for", slot, lay.slot)
			}
			for i, tick := range lay.ticks {
				lines := strings.Split(tick, "\n")
				if lay.slant {
					// Parallel strips 45° to the axis: apart while the
					// slot's perpendicular share holds the lines.
					if thick := vg.Length(len(lines)) * lay.style.Height("Xg"); thick > lay.slot*0.7071 {
						t.Errorf("label %d %q: %d lines (%v) overlap the next in a slot of %v", i, tick, len(lines), thick, lay.slot)
					}
					continue
				}
				for _, l := range lines {
					if w := lay.style.Width(l); w > lay.slot {
						t.Errorf("label %d line %q is %v wide, more than its slot %v", i, l, w, lay.slot)
					}
				}
			}
			if frac := (f.data.Max.Y - f.data.Min.Y) / f.h; frac < 0.5 {
				t.Errorf("plot takes %.0f%% of the figure's height, want at least half", frac*100)
			}
		})
	}
}
