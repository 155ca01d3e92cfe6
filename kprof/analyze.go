package kprof

import (
	"sort"

	"github.com/google/pprof/profile"
)

// Func is one function's part of a profile, as shares of the profile's
// total value (its CPU time, or cycles): Flat where it was the leaf, Cum
// where it was anywhere on the stack (counted once per sample).
type Func struct {
	Name   string
	Kernel bool // in the "[kernel]" mapping
	Flat   float64
	Cum    float64
}

// Total is the profile's total of its last sample type (CPU time in ns
// for cpu-clock, cycles for the PMU).
func Total(p *profile.Profile) int64 {
	var t int64
	vi := len(p.SampleType) - 1
	for _, s := range p.Sample {
		t += s.Value[vi]
	}
	return t
}

// Functions lists every named function of p with its flat and cumulative
// share, highest flat share first (then by name, so ties are stable).
func Functions(p *profile.Profile) []Func {
	total := float64(Total(p))
	if total == 0 {
		return nil
	}
	vi := len(p.SampleType) - 1
	type acc struct {
		kernel    bool
		flat, cum int64
	}
	by := map[string]*acc{}
	get := func(name string, kernel bool) *acc {
		a, ok := by[name]
		if !ok {
			a = &acc{kernel: kernel}
			by[name] = a
		}
		return a
	}
	for _, s := range p.Sample {
		v := s.Value[vi]
		seen := map[string]bool{}
		for i, l := range s.Location {
			kernel := l.Mapping != nil && l.Mapping.File == KernelMapping
			for j, ln := range l.Line {
				if ln.Function == nil {
					continue
				}
				name := ln.Function.Name
				a := get(name, kernel)
				if i == 0 && j == 0 {
					a.flat += v
				}
				if !seen[name] {
					seen[name] = true
					a.cum += v
				}
			}
		}
	}
	out := make([]Func, 0, len(by))
	for name, a := range by {
		out = append(out, Func{Name: name, Kernel: a.kernel, Flat: float64(a.flat) / total, Cum: float64(a.cum) / total})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Flat != out[j].Flat {
			return out[i].Flat > out[j].Flat
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// KernelTop is the n kernel functions with the highest flat share.
func KernelTop(p *profile.Profile, n int) []Func {
	var out []Func
	for _, f := range Functions(p) {
		if f.Kernel && f.Flat > 0 {
			out = append(out, f)
			if len(out) == n {
				break
			}
		}
	}
	return out
}
