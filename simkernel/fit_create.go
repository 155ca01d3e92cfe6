package simkernel

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
)

// resourceBits are the structures copy_process shares or copies.
var resourceBits = []rawclone.Flags{rawclone.CloneVM, rawclone.CloneFS, rawclone.CloneFiles, rawclone.CloneSighand, rawclone.CloneThread}

func (p *Profile) setCopy(bit rawclone.Flags, v float64) {
	switch bit {
	case rawclone.CloneVM:
		p.Copy.VM = v
	case rawclone.CloneFS:
		p.Copy.FS = v
	case rawclone.CloneFiles:
		p.Copy.Files = v
	case rawclone.CloneSighand:
		p.Copy.Sighand = v
	case rawclone.CloneThread:
		p.Copy.Signal = v
	}
}

// bitCost is a bit's contribution to a clone's cost when the bit is set:
// minus the copy it avoids for resource bits, its own work for the rest.
func (p *Profile) bitCost(bit rawclone.Flags) float64 {
	switch bit {
	case rawclone.CloneVM:
		return -p.Copy.VM
	case rawclone.CloneFS:
		return -p.Copy.FS
	case rawclone.CloneFiles:
		return -p.Copy.Files
	case rawclone.CloneSighand:
		return -p.Copy.Sighand
	case rawclone.CloneThread:
		return -p.Copy.Signal
	}
	return p.FlagCost[flagName(bit)]
}

func (p *Profile) setBitCost(bit rawclone.Flags, v float64) {
	if slices.Contains(resourceBits, bit) {
		p.setCopy(bit, 0-v) // 0-v, not -v: a free step is +0, not -0
	} else {
		p.FlagCost[flagName(bit)] = v
	}
}

// simOne is the model's figure for one creation op with TaskBase as set.
func simOne(p Profile, flags rawclone.Flags, rss uint64, thp bool, fds int) (float64, error) {
	k := NewKernel(p)
	parent := k.Spawn()
	k.Map(parent, rss, thp)
	k.OpenFiles(parent, fds)
	res, err := createOps(k, parent, flags, 0, 1)
	if err != nil {
		return 0, err
	}
	return res.Elapsed, nil
}

func (f *fitter) fitCreate(p *Profile) error {
	// The CloneFlags sweep: the step between two sets that differ in one
	// flag is that flag's cost. Sets that differ in several flags resolve
	// once all but one of them are known.
	type obs struct {
		flags rawclone.Flags
		ns    float64
	}
	var sweep []obs
	for _, sp := range f.rows(rowspec.CloneFlags, unpinned) {
		fl, err := rawclone.ParseFlags(sp.Flags)
		if err != nil {
			f.warnf("%s: %v: row not used", sp, err)
			continue
		}
		if v, ok := f.m.ns(sp); ok {
			sweep = append(sweep, obs{fl, v})
		}
	}
	for _, st := range []rowspec.Style{rowspec.StyleFork, rowspec.StyleThread, rowspec.StyleVfork} {
		if v, ok := f.createNS(st); ok {
			sweep = append(sweep, obs{styles[st].flags, v})
		}
	}
	sweepFlags := func(obs []obs) []rawclone.Flags {
		var out []rawclone.Flags
		for _, o := range obs {
			out = append(out, o.flags)
		}
		return out
	}
	known := map[rawclone.Flags]bool{}
	steps := map[rawclone.Flags][]float64{}
	for progress := true; progress; {
		progress = false
		clear(steps)
		stalled := map[rawclone.Flags]int{} // unknown bits of pairs with several unknowns
		for i, a := range sweep {
			for _, b := range sweep[i+1:] {
				diff := (a.flags ^ b.flags) &^ rawclone.SignalMask
				var unknown []rawclone.Flags
				for _, bit := range bits(diff) {
					if !known[bit] {
						unknown = append(unknown, bit)
					}
				}
				if len(unknown) > 1 {
					for _, bit := range unknown {
						stalled[bit]++
					}
				}
				if len(unknown) != 1 {
					continue
				}
				with, without := a, b
				if a.flags&unknown[0] == 0 {
					with, without = b, a
				}
				d := with.ns - without.ns
				for _, bit := range bits(diff) {
					if bit == unknown[0] {
						continue
					}
					if with.flags&bit != 0 {
						d -= p.bitCost(bit)
					} else {
						d += p.bitCost(bit)
					}
				}
				steps[unknown[0]] = append(steps[unknown[0]], d)
			}
		}
		for _, bit := range sortedBits(steps) {
			p.setBitCost(bit, mean(steps[bit]))
			known[bit] = true
			progress = true
		}
		if !progress && len(stalled) > 0 {
			// Two flags only ever change together (CHILD_CLEARTID is in
			// every sweep step but leaves with VFORK): fold the one most
			// rows share into the base and solve for the other.
			var fold rawclone.Flags
			for _, bit := range flagBits {
				if c := stalled[bit]; c > 0 && (fold == 0 || c > stalled[fold] || c == stalled[fold] && f.inMore(sweepFlags(sweep), bit, fold)) {
					fold = bit
				}
			}
			p.setBitCost(fold, 0)
			known[fold] = true
			progress = true
			f.warnf("no rows separate %s from the flags it changes with: its cost is folded into the base", flagName(fold))
		}
	}
	for _, bit := range resourceBits {
		if !known[bit] {
			f.warnf("no pair of CloneFlags rows isolates %s: its copy cost is folded into the base", flagName(bit))
		}
	}
	// A copy or a flag's work cannot make a clone cheaper: a negative step
	// is noise between neighbouring rows, so the step is taken as free.
	for _, bit := range flagBits {
		if known[bit] {
			if v := p.bitCost(bit); slices.Contains(resourceBits, bit) && v > 0 || !slices.Contains(resourceBits, bit) && v < 0 {
				f.warnf("step %s measured %+.0f ns, inside the noise: taken as 0", flagName(bit), -math.Abs(v))
				p.setBitCost(bit, 0)
			}
		}
	}

	// Page tables per MiB and fd table per fd: least-squares slopes.
	for _, thp := range []bool{false, true} {
		var xs, ys []float64
		for _, sp := range f.rows(rowspec.CreateRSS, func(sp rowspec.Spec) bool { return sp.Style == rowspec.StyleFork && sp.THP == thp && unpinned(sp) }) {
			if v, ok := f.m.ns(sp); ok {
				xs = append(xs, float64(sp.RSS)/float64(rowspec.MiB))
				ys = append(ys, v)
			}
		}
		s, err := slope(xs, ys)
		if err != nil {
			f.warnf("page-table copy per MiB (thp=%s): %v", onOff(thp), err)
			continue
		}
		if !thp {
			p.MMPerMiB = f.nonneg("page-table copy per MiB", s)
		} else {
			p.MMPerMiBHuge = f.nonneg("page-table copy per MiB of huge pages", s)
		}
	}
	{
		var xs, ys []float64
		for _, sp := range f.rows(rowspec.CreateFDs, func(sp rowspec.Spec) bool { return sp.Style == rowspec.StyleFork && unpinned(sp) }) {
			if v, ok := f.m.ns(sp); ok {
				xs = append(xs, float64(sp.FDs))
				ys = append(ys, v)
			}
		}
		if s, err := slope(xs, ys); err == nil {
			p.FDPer = f.nonneg("fd-table copy per fd", s)
		} else {
			f.warnf("fd-table copy per fd: %v", err)
		}
	}

	// TaskBase: whatever the sets' figures leave once every fitted step is
	// charged, averaged over the sets.
	p.TaskBase = 0
	var base []float64
	for _, o := range sweep {
		sim, err := simOne(*p, o.flags, 0, false, 0)
		if err != nil {
			continue // a refused set has no cost to fit
		}
		base = append(base, o.ns-sim)
	}
	if len(base) == 0 {
		return errors.New("no Create or CloneFlags rows to fit the task base cost from")
	}
	p.TaskBase = mean(base)

	// Styles that add work outside the task model: the residual against
	// the model's figure for their clone.
	for _, st := range sortedKeys(styles) {
		s := styles[st]
		if s.extra == "" {
			continue
		}
		v, ok := f.createNS(st)
		if !ok {
			f.warnf("no Create/style=%s row: that style cannot be simulated", st)
			continue
		}
		if !s.clone {
			p.Extra[s.extra] = v
			continue
		}
		sim, err := simOne(*p, s.flags, 0, false, 0)
		if err != nil {
			return fmt.Errorf("style=%s: %w", st, err)
		}
		if v < sim {
			f.warnf("style=%s measured %.0f ns, below the model's %.0f ns for its clone alone: extra taken as 0", st, v, sim)
		}
		p.Extra[s.extra] = max(0, v-sim)
	}
	return nil
}

// inMore reports whether bit a is set in more of the flag sets than bit b.
func (f *fitter) inMore(sets []rawclone.Flags, a, b rawclone.Flags) bool {
	na, nb := 0, 0
	for _, s := range sets {
		if s&a != 0 {
			na++
		}
		if s&b != 0 {
			nb++
		}
	}
	return na > nb
}

func sortedBits(m map[rawclone.Flags][]float64) []rawclone.Flags {
	out := make([]rawclone.Flags, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// unpinned selects the creation rows the fit uses: those the scheduler
// placed (cpu=any, or a name without cpu=), since the model has no CPUs
// for a creation to be pinned to.
func unpinned(sp rowspec.Spec) bool { return sp.CPU == "" || sp.CPU == rowspec.CPUAny }

// createNS is the fit's figure for the Create row of style st.
func (f *fitter) createNS(st rowspec.Style) (float64, bool) {
	for _, sp := range f.rows(rowspec.Create, func(sp rowspec.Spec) bool { return sp.Style == st && unpinned(sp) }) {
		return f.m.ns(sp)
	}
	return 0, false
}

// onOff is a thp= value as a row name writes it.
func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
