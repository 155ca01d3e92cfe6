package kprof

import (
	"fmt"
	"os"
	"runtime"
	"sort"

	"github.com/google/pprof/profile"
)

// Source is what a profile's samples count.
type Source string

const (
	// SourceCycles is the PMU's cycle counter, sampled by an overflow
	// interrupt that is an NMI on x86: interrupts-off code is seen.
	SourceCycles Source = "cycles"
	// SourceCPUClock is the kernel's software cpu-clock timer (hrtimer),
	// the fallback where there is no PMU, as in most guests.
	SourceCPUClock Source = "cpu-clock"
)

// Bias says in one sentence what the source cannot see.
func (s Source) Bias() string {
	if s == SourceCycles {
		return "hardware cycles sampled from an NMI: interrupts-off code is charged where it runs"
	}
	return "software cpu-clock timer without an NMI: time with interrupts off is charged to where they come back on (_raw_spin_unlock_irqrestore, finish_task_switch)"
}

// KernelMapping is the file name of the mapping that holds every kernel
// frame, so readers tell kernel from user functions (Func.Kernel).
const KernelMapping = "[kernel]"

// Stack is one distinct sampled callchain and how often it was seen.
type Stack struct {
	Kernel []uint64 // kernel frames, leaf first
	User   []uint64 // user frames, leaf first after the kernel's
	Child  bool     // sampled in a task other than the measuring thread
	Count  int64    // samples
	Period int64    // the sum of their periods (ns for cpu-clock, cycles for cycles)
}

// Meta is what a profile says about how it was taken.
type Meta struct {
	Source   Source
	Scope    string // which tasks' time the events saw (Session.Scope)
	Period   int64  // nominal sample period in the source's unit
	Lost     int64  // records the kernel dropped (ring buffer full)
	Hidden   bool   // kallsyms hid the addresses: kernel frames are unnamed
	Duration int64  // ns the session was enabled
}

// valueType is the second sample type: CPU time for the timer, cycles for
// the PMU.
func (m Meta) valueType() *profile.ValueType {
	if m.Source == SourceCycles {
		return &profile.ValueType{Type: "cycles", Unit: "count"}
	}
	return &profile.ValueType{Type: "cpu", Unit: "nanoseconds"}
}

// Build turns stacks into a profile: sample types samples/count and
// cpu/nanoseconds (cycles/count for the PMU), kernel frames in the
// "[kernel]" mapping, user frames named from this binary. Kernel frames
// are named by Symbolize, which a caller runs once its measuring is done:
// /proc/kallsyms parsed is megabytes of heap, and a fork row's cost grows
// with the parent's memory, so it must not be read between samples.
func Build(stacks []Stack, meta Meta) *profile.Profile {
	vt := meta.valueType()
	p := &profile.Profile{
		SampleType:        []*profile.ValueType{{Type: "samples", Unit: "count"}, vt},
		DefaultSampleType: vt.Type,
		PeriodType:        vt,
		Period:            meta.Period,
		DurationNanos:     meta.Duration,
		Comments:          []string{"source: " + string(meta.Source) + ": " + meta.Source.Bias()},
	}
	if meta.Scope != "" {
		p.Comments = append(p.Comments, "scope: "+meta.Scope)
	}
	if meta.Lost > 0 {
		p.Comments = append(p.Comments, fmt.Sprintf("lost: %d records dropped by the kernel (ring buffer full)", meta.Lost))
	}
	exe, _ := os.Executable()
	kmap := &profile.Mapping{ID: 1, Start: 1 << 63, Limit: ^uint64(0), File: KernelMapping, HasFunctions: true}
	umap := &profile.Mapping{ID: 2, Start: 0, Limit: 1 << 63, File: exe, HasFunctions: true}
	p.Mapping = []*profile.Mapping{kmap, umap}

	funcs := map[string]*profile.Function{}
	fn := func(name, file string) *profile.Function {
		if f, ok := funcs[name]; ok {
			return f
		}
		f := &profile.Function{ID: uint64(len(p.Function) + 1), Name: name, SystemName: name, Filename: file}
		funcs[name] = f
		p.Function = append(p.Function, f)
		return f
	}
	locs := map[uint64]*profile.Location{}
	loc := func(addr uint64, kernel, leaf bool) *profile.Location {
		if l, ok := locs[addr]; ok {
			return l
		}
		// A caller's frame is a return address: the call is the byte
		// before it, which may be the last of another function (a call
		// to a function that does not return, at the end of its caller).
		pc := addr
		if !leaf && pc > 0 {
			pc--
		}
		l := &profile.Location{ID: uint64(len(p.Location) + 1), Address: addr}
		if kernel {
			l.Mapping, l.Address = kmap, pc
		} else {
			l.Mapping = umap
			if f := runtime.FuncForPC(uintptr(pc)); f != nil {
				file, line := f.FileLine(uintptr(pc))
				l.Line = []profile.Line{{Function: fn(f.Name(), file), Line: int64(line)}}
			}
		}
		locs[addr] = l
		p.Location = append(p.Location, l)
		return l
	}
	for _, st := range stacks {
		s := &profile.Sample{Value: []int64{st.Count, st.Period}}
		for i, a := range st.Kernel {
			s.Location = append(s.Location, loc(a, true, i == 0))
		}
		for i, a := range st.User {
			s.Location = append(s.Location, loc(a, false, i == 0 && len(st.Kernel) == 0))
		}
		task := "measuring"
		if st.Child {
			task = "child"
		}
		s.Label = map[string][]string{"task": {task}}
		p.Sample = append(p.Sample, s)
	}
	// A stable order, so one set of stacks always writes the same bytes.
	sort.SliceStable(p.Sample, func(i, j int) bool { return p.Sample[i].Value[0] > p.Sample[j].Value[0] })
	return p
}

// Symbolize names p's kernel frames from syms: each location of the
// "[kernel]" mapping without a function gets the symbol its address falls
// in. When kallsyms hides the addresses (all zero) the frames stay
// addresses and the profile says why.
func Symbolize(p *profile.Profile, syms *Kallsyms) {
	if syms.Hidden {
		p.Comments = append(p.Comments, "kernel addresses hidden (kptr_restrict, or no CAP_SYSLOG): kernel frames are unnamed")
		return
	}
	funcs := map[string]*profile.Function{}
	for _, f := range p.Function {
		funcs[f.Name] = f
	}
	for _, l := range p.Location {
		if l.Mapping == nil || l.Mapping.File != KernelMapping || len(l.Line) > 0 {
			continue
		}
		name, _, ok := syms.Lookup(l.Address)
		if !ok {
			continue
		}
		f, ok := funcs[name]
		if !ok {
			f = &profile.Function{ID: uint64(len(p.Function) + 1), Name: name, SystemName: name, Filename: KernelMapping}
			funcs[name] = f
			p.Function = append(p.Function, f)
		}
		l.Line = []profile.Line{{Function: f}}
	}
}

// SymbolizeLive reads /proc/kallsyms once and names the kernel frames of
// every profile in ps: for a caller that has finished measuring.
func SymbolizeLive(ps ...*profile.Profile) error {
	syms, err := ReadKallsyms()
	if err != nil {
		return fmt.Errorf("kprof: %w", err)
	}
	for _, p := range ps {
		Symbolize(p, syms)
	}
	return nil
}

// Scope is which tasks' time a session's events see.
type Scope string

const (
	// ScopeCPU samples each CPU all the time and keeps the samples of
	// the thread's task tree, known from the kernel's fork records: a
	// child is sampled however short it lives. It needs
	// perf_event_paranoid ≤ 0 or CAP_PERFMON.
	ScopeCPU Scope = "cpu-wide, filtered to the row's tasks"
	// ScopeTask is the thread's own events, inherited by its children.
	// Each child's timer starts afresh, so a child that lives less than
	// one period is never sampled: its time is missing, not misplaced.
	ScopeTask Scope = "per-task, inherited (children living under one period are not sampled)"
)
