package comparison

import (
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/google/pprof/profile"

	"github.com/clonebench/clonebench/internal/texttab"
	"github.com/clonebench/clonebench/kprof"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// ProfileDiff is, for one row profiled on both sides, the functions whose
// flat time per op moved most: pprof's -diff_base, per op, so a side that
// ran more ops does not look slower.
type ProfileDiff struct {
	Row        string // the plain row's name
	OpsA, OpsB int64
	Unit       string // what a value counts per op: "ns/op" (cpu-clock) or "cycles/op"
	Moves      []FuncMove
}

// FuncMove is one function's flat time per op on each side (0 where it
// was not sampled).
type FuncMove struct {
	Func   string
	Kernel bool
	A, B   float64
}

// Delta is B − A.
func (m FuncMove) Delta() float64 { return m.B - m.A }

// DiffProfiles pairs the rows profiled on both sides (by plain row name,
// canonical cpu=) and keeps each row's n functions whose time per op moved
// most. Rows whose sides sampled different sources (cycles against
// cpu-clock) are not compared: their values count different things.
func DiffProfiles(a, b []resultfile.RowProfile, n int) []ProfileDiff {
	key := func(row string) string {
		if sp, err := rowspec.Parse(row); err == nil {
			return sp.Plain().Canonical().String()
		}
		return row
	}
	bs := map[string]resultfile.RowProfile{}
	for _, rp := range b {
		bs[key(rp.Row)] = rp
	}
	var out []ProfileDiff
	for _, ra := range a {
		k := key(ra.Row)
		rb, ok := bs[k]
		if !ok || ra.Ops <= 0 || rb.Ops <= 0 || unit(ra.Profile) != unit(rb.Profile) {
			continue
		}
		pa, pb := perOp(ra.Profile, ra.Ops), perOp(rb.Profile, rb.Ops)
		var moves []FuncMove
		for name, fa := range pa {
			fb := pb[name]
			moves = append(moves, FuncMove{Func: name, Kernel: fa.Kernel, A: fa.A, B: fb.A})
		}
		for name, fb := range pb {
			if _, ok := pa[name]; !ok {
				moves = append(moves, FuncMove{Func: name, Kernel: fb.Kernel, B: fb.A})
			}
		}
		sort.Slice(moves, func(i, j int) bool {
			di, dj := math.Abs(moves[i].Delta()), math.Abs(moves[j].Delta())
			if di != dj {
				return di > dj
			}
			return moves[i].Func < moves[j].Func
		})
		if len(moves) > n {
			moves = moves[:n]
		}
		out = append(out, ProfileDiff{Row: k, OpsA: ra.Ops, OpsB: rb.Ops, Unit: unit(ra.Profile), Moves: moves})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out
}

// unit is what a profile's values count per op.
func unit(p *profile.Profile) string {
	if vt := p.SampleType[len(p.SampleType)-1]; vt.Unit == "nanoseconds" {
		return "ns/op"
	}
	return "cycles/op"
}

// perOp is each function's flat value per op (in FuncMove.A).
func perOp(p *profile.Profile, ops int64) map[string]FuncMove {
	total := float64(kprof.Total(p))
	out := map[string]FuncMove{}
	for _, f := range kprof.Functions(p) {
		if f.Flat > 0 {
			out[f.Name] = FuncMove{Func: f.Name, Kernel: f.Kernel, A: f.Flat * total / float64(ops)}
		}
	}
	return out
}

// WriteProfileDiff prints diffs as compare prints them under the verdict:
// per row, its functions whose flat time per op moved most, kernel ones
// marked [k].
func WriteProfileDiff(w io.Writer, diffs []ProfileDiff) error {
	if len(diffs) == 0 {
		return nil
	}
	if _, err := fmt.Fprintln(w, "functions whose time per op moved most (flat, from each side's pprof sidecar):"); err != nil {
		return err
	}
	for _, d := range diffs {
		fmt.Fprintf(w, "%s (%d ops → %d ops)\n", d.Row, d.OpsA, d.OpsB)
		var t texttab.Table
		t.Row("  function", "A "+d.Unit, "B "+d.Unit, "delta", "")
		for _, m := range d.Moves {
			name := "  " + m.Func
			if m.Kernel {
				name += " [k]"
			}
			rel := "new"
			if m.A > 0 {
				rel = fmt.Sprintf("%+.0f%%", 100*m.Delta()/m.A)
			}
			t.Row(name, fmt.Sprintf("%.0f", m.A), fmt.Sprintf("%.0f", m.B), fmt.Sprintf("%+.0f", m.Delta()), rel)
		}
		t.Write(w, "lrrrr")
	}
	return nil
}
