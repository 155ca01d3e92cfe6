package simkernel

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/resultfile"
)

// Profile is the cost model's parameters, in nanoseconds of virtual time.
// Fit derives every field from a real result file; nothing here is a
// default guess. A zero field means the reference run had no row to fit it
// from, and FitReport.Warnings says so.
type Profile struct {
	// Source names the result file the profile was fitted from, and Config
	// its config lines (kernel, cpu, …), so a reader knows what is modelled.
	Source string            `json:"source"`
	Config map[string]string `json:"config,omitempty"`
	// CPUs is the modelled machine's CPU count (SwitchPairs saturates there).
	CPUs int `json:"cpus"`

	// Syscall is one bare system call's entry and exit.
	Syscall float64 `json:"syscall_ns"`

	// TaskBase is a clone that shares everything (dup_task_struct, pid,
	// sched_fork, wake-up) together with that task's exit and its join:
	// the three are only ever measured together.
	TaskBase float64 `json:"task_base_ns"`
	// Copy is what each structure costs when its flag is absent and
	// copy_process duplicates it instead of taking a reference, teardown at
	// exit included. Signal also carries the difference between being
	// reaped with wait4 and being joined on the clear-tid futex.
	Copy CopyCosts `json:"copy_ns"`
	// MMPerMiB and MMPerMiBHuge are dup_mmap's page-table copy (and the
	// child's unmap at exit) per MiB the parent has mapped and touched, with
	// 4 KiB and with transparent huge pages.
	MMPerMiB     float64 `json:"mm_per_mib_ns"`
	MMPerMiBHuge float64 `json:"mm_per_mib_huge_ns"`
	// FDPer is copy_files' (and close_files') work per open descriptor.
	FDPer float64 `json:"fd_per_ns"`
	// FlagCost is what a flag adds when present (SETTLS, SYSVSEM,
	// CHILD_SETTID, VFORK, …), keyed by the name rawclone.Flags.String
	// prints (flagName).
	FlagCost map[string]float64 `json:"flag_ns,omitempty"`
	// Extra is work outside the task model that a creation style adds to
	// its kernel op, fitted as the residual against the model: a fresh
	// stack's mmap/munmap ("thread-fresh-stack"), glibc ("pthread",
	// "libc-fork"), execve ("spawn"); "goroutine" is a whole goroutine
	// create+wait, which involves no clone.
	Extra map[string]float64 `json:"extra_ns,omitempty"`

	// Overhead is one signal+wait of a mechanism in one task with no
	// partner and no switch (the SwitchOverhead rows), keyed by mech.
	Overhead map[string]float64 `json:"overhead_ns,omitempty"`
	// Switch is a context switch on one CPU between two tasks of one
	// address space; SwitchMM is what changing address spaces adds (mm
	// switch and TLB flush).
	Switch   float64 `json:"switch_ns"`
	SwitchMM float64 `json:"switch_mm_ns"`
	// RemoteWake is one hand-over to a partner on another CPU (an IPI or
	// a wake from idle); the waker's CPU goes idle and keeps its mm
	// lazily, so it does not depend on mode.
	RemoteWake float64 `json:"remote_wake_ns"`
	// Colocated is the fraction of round trips an unpinned pair (cpu=any)
	// spends on one CPU, the wake-up having pulled the wakee next to its
	// waker; the rest run apart, as at cpu=cross.
	Colocated float64 `json:"any_colocated"`
	// TouchPerKiB is reading one KiB of a warm working set; RefillPerKiB is
	// what refilling the TLB adds per KiB after a switch across address
	// spaces on the same CPU.
	// CacheRefillPerKiB is what any switch on one CPU adds per KiB: the
	// partner's pass has evicted part of the set from the shared caches.
	TouchPerKiB       float64 `json:"touch_per_kib_ns"`
	CacheRefillPerKiB float64 `json:"cache_refill_per_kib_ns"`
	RefillPerKiB      float64 `json:"refill_per_kib_ns"`
	// PairsContention is what the balancer adds, as a fraction of a
	// same-CPU round trip, once SwitchPairs has more tasks than CPUs and
	// tasks migrate and wake each other across CPUs.
	PairsContention float64 `json:"pairs_contention"`
	// Goroutine is one goroutine round trip (the Go scheduler, which is not
	// modelled) keyed "mech/cpu".
	Goroutine map[string]float64 `json:"goroutine_rt_ns,omitempty"`
}

// CopyCosts are the per-structure copy costs of copy_process.
type CopyCosts struct {
	VM      float64 `json:"vm"`
	FS      float64 `json:"fs"`
	Files   float64 `json:"files"`
	Sighand float64 `json:"sighand"`
	Signal  float64 `json:"signal"`
}

type flagCost struct {
	bit rawclone.Flags
	ns  float64
}

// flagCosts lists FlagCost in bit order: ranging over the map would charge
// the same costs in a different order on every run, and float sums differ
// in the last bits.
func (p *Profile) flagCosts() []flagCost {
	var out []flagCost
	for _, bit := range flagBits {
		if v, ok := p.FlagCost[flagName(bit)]; ok && v != 0 {
			out = append(out, flagCost{bit, v})
		}
	}
	return out
}

//go:embed profiles/default.json
var defaultProfile []byte

// DefaultProfile is the profile shipped with clonebench, fitted from the
// reference run in results/reference/.
func DefaultProfile() Profile {
	p, err := parseProfile(defaultProfile)
	if err != nil {
		panic("simkernel: embedded profiles/default.json: " + err.Error())
	}
	return p
}

// LoadProfile reads a profile written by WriteFile.
func LoadProfile(path string) (Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Profile{}, err
	}
	p, err := parseProfile(b)
	if err != nil {
		return Profile{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

func parseProfile(b []byte) (Profile, error) {
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("simkernel: profile: %w", err)
	}
	if err := p.Validate(); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// Validate refuses a profile no fit could have produced.
func (p Profile) Validate() error {
	if p.CPUs < 1 {
		return fmt.Errorf("simkernel: profile: cpus is %d, need at least 1", p.CPUs)
	}
	if p.TaskBase <= 0 {
		return fmt.Errorf("simkernel: profile: task_base_ns is %g, need a positive figure", p.TaskBase)
	}
	scalars := []struct {
		name string
		v    float64
	}{
		{"syscall_ns", p.Syscall}, {"copy_ns.vm", p.Copy.VM}, {"copy_ns.fs", p.Copy.FS}, {"copy_ns.files", p.Copy.Files},
		{"copy_ns.sighand", p.Copy.Sighand}, {"copy_ns.signal", p.Copy.Signal}, {"mm_per_mib_ns", p.MMPerMiB},
		{"mm_per_mib_huge_ns", p.MMPerMiBHuge}, {"fd_per_ns", p.FDPer}, {"switch_ns", p.Switch}, {"switch_mm_ns", p.SwitchMM},
		{"touch_per_kib_ns", p.TouchPerKiB}, {"cache_refill_per_kib_ns", p.CacheRefillPerKiB},
		{"refill_per_kib_ns", p.RefillPerKiB}, {"pairs_contention", p.PairsContention},
		{"remote_wake_ns", p.RemoteWake}, {"any_colocated", p.Colocated},
	}
	for _, m := range []struct {
		name string
		m    map[string]float64
	}{{"flag_ns", p.FlagCost}, {"extra_ns", p.Extra}, {"overhead_ns", p.Overhead}, {"goroutine_rt_ns", p.Goroutine}} {
		for _, k := range sortedKeys(m.m) {
			scalars = append(scalars, struct {
				name string
				v    float64
			}{m.name + "." + k, m.m[k]})
		}
	}
	if p.Colocated > 1 {
		return fmt.Errorf("simkernel: profile: any_colocated is %g, a fraction must be at most 1", p.Colocated)
	}
	for _, s := range scalars {
		if s.v < 0 || math.IsNaN(s.v) || math.IsInf(s.v, 0) {
			return fmt.Errorf("simkernel: profile: %s is %g, need a finite figure >= 0", s.name, s.v)
		}
	}
	return nil
}

// Marshal is the profile's JSON form, indented, with a final newline.
func (p Profile) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// WriteFile writes p as JSON to path with resultfile.WriteReplace: a
// reader never sees half a profile, and go test -update refits the
// embedded profiles/default.json in place.
func (p Profile) WriteFile(path string) error {
	b, err := p.Marshal()
	if err != nil {
		return err
	}
	return resultfile.WriteReplace(path, func(w io.Writer) error { _, err := w.Write(b); return err })
}

// sortedKeys lists m's keys in order, so what is built from a map comes out
// the same on every run.
func sortedKeys[K ~string, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
