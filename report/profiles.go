package report

import (
	"fmt"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/clonebench/clonebench/kprof"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// RowProfile is one machine's profile of one profiled row (…/pprof=cpu),
// the sidecars of every input merged.
type RowProfile struct {
	Host    *Host
	Spec    rowspec.Spec // the plain row's
	Ops     int64
	Profile *profile.Profile
}

// PerOp is a value of the profile per op: ns for cpu-clock.
func (rp *RowProfile) PerOp(v float64) float64 { return v / float64(rp.Ops) }

// Source is the profile's "source:" comment, which says what was sampled
// and its bias (kprof.Build writes it).
func (rp *RowProfile) Source() string {
	for _, c := range rp.Profile.Comments {
		if v, ok := strings.CutPrefix(c, "source: "); ok {
			return v
		}
	}
	return "unknown"
}

// addProfiles reads f's pprof sidecars and files each under the machine
// of f's row of that name.
func (d *Data) addProfiles(f *resultfile.File, hosts map[string]*Host) error {
	rps, err := resultfile.ReadProfiles(f.Path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, rp := range rps {
		sp, err := rowspec.Parse(rp.Row)
		if err != nil {
			continue // a row rowspec does not know has no place in the charts
		}
		var h *Host
		for _, rr := range f.Rows {
			if rr.Name == rp.Row || h == nil {
				h = hosts[hostFor(rr.Config).ID]
			}
		}
		if h == nil {
			continue
		}
		plain := sp.Plain()
		if cur := d.profile(h, plain); cur != nil {
			merged, err := profile.Merge([]*profile.Profile{cur.Profile, rp.Profile})
			if err != nil {
				return fmt.Errorf("report: %s: %w", rp.Path, err)
			}
			cur.Profile, cur.Ops = merged, cur.Ops+rp.Ops
			continue
		}
		d.Profiles = append(d.Profiles, &RowProfile{Host: h, Spec: plain, Ops: rp.Ops, Profile: rp.Profile})
	}
	return nil
}

// profile is h's profile of the plain row sp, or nil.
func (d *Data) profile(h *Host, sp rowspec.Spec) *RowProfile {
	for _, rp := range d.Profiles {
		if rp.Host == h && rp.Spec == sp {
			return rp
		}
	}
	return nil
}

// profilesOf are h's profiles of one family, in input order.
func (d *Data) profilesOf(h *Host, family rowspec.Family) []*RowProfile {
	var out []*RowProfile
	for _, rp := range d.Profiles {
		if rp.Host == h && rp.Spec.Family == family {
			out = append(out, rp)
		}
	}
	return out
}

// placedProfiles keeps, per slot, the profile at the most preferred
// placement (cpu=same, then any), as placed does for rows.
func placedProfiles(rps []*RowProfile, slot func(rowspec.Spec) string) []*RowProfile {
	var order []string
	best := map[string]*RowProfile{}
	rank := func(sp rowspec.Spec) int {
		if sp.CPU == rowspec.CPUSame {
			return 0
		}
		return 1
	}
	for _, rp := range rps {
		k := slot(rp.Spec)
		cur, ok := best[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || rank(rp.Spec) < rank(cur.Spec) {
			best[k] = rp
		}
	}
	out := make([]*RowProfile, 0, len(order))
	for _, k := range order {
		out = append(out, best[k])
	}
	return out
}

// forkThreadProfiles are h's Create/style=fork and style=thread profiles,
// each at its preferred placement; either may be nil.
func (d *Data) forkThreadProfiles(h *Host) (fork, thread *RowProfile) {
	for _, rp := range placedProfiles(d.profilesOf(h, rowspec.Create), func(sp rowspec.Spec) string { return string(sp.Style) }) {
		switch rp.Spec.Style {
		case rowspec.StyleFork:
			fork = rp
		case rowspec.StyleThread:
			thread = rp
		}
	}
	return fork, thread
}

// headlineProfiles are h's profiles of the headline rows: creation styles
// at their preferred placement, then the headline switch rows.
func (d *Data) headlineProfiles(h *Host) []*RowProfile {
	var out []*RowProfile
	for _, rp := range placedProfiles(d.profilesOf(h, rowspec.Create), func(sp rowspec.Spec) string { return string(sp.Style) }) {
		if rp.Spec.IsHeadline() {
			out = append(out, rp)
		}
	}
	sortProfiles(out, func(rp *RowProfile) int { return styleRank(rp.Spec.Style) })
	for _, rp := range d.profilesOf(h, rowspec.Switch) {
		if rp.Spec.IsHeadline() {
			out = append(out, rp)
		}
	}
	return out
}

func sortProfiles(rps []*RowProfile, key func(*RowProfile) int) {
	for i := 1; i < len(rps); i++ {
		for j := i; j > 0 && key(rps[j]) < key(rps[j-1]); j-- {
			rps[j], rps[j-1] = rps[j-1], rps[j]
		}
	}
}

// kernelTop is rp's n kernel functions by flat time, each with its time
// per op.
func (rp *RowProfile) kernelTop(n int) []funcPerOp {
	total := float64(kprof.Total(rp.Profile))
	var out []funcPerOp
	for _, f := range kprof.KernelTop(rp.Profile, n) {
		out = append(out, funcPerOp{f, rp.PerOp(f.Flat * total)})
	}
	return out
}

// funcPerOp is a function's share of the profile and its time per op.
type funcPerOp struct {
	kprof.Func
	NsOp float64
}
