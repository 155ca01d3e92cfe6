package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// ErrNoResults and ErrMalformed are resultfile's: Load and Parse pass its
// errors on, and callers test for either name with errors.Is.
var (
	// ErrNoResults is wrapped when an input holds no benchmark result
	// lines: an empty file, a log without results, binary junk.
	ErrNoResults = resultfile.ErrNoResults
	// ErrMalformed is wrapped when an input is not a valid result file.
	ErrMalformed = resultfile.ErrMalformed
)

// Data is everything read from one or more result files.
type Data struct {
	Files []string
	// Hosts are the machines found, in first-seen order. The first is
	// the one the single-machine charts show.
	Hosts []*Host
	// Rows are all rows, in first-seen order.
	Rows []*Row
	// Skips are rows the input says were skipped or failed.
	Skips []Skip
	// Latency are the histograms of the inputs' sidecars
	// (resultfile.ReadSidecar), one per machine, row and kind, the
	// files' merged.
	Latency []*LatencyRow
	// Noise is each input run's per-round record (rounds sidecar).
	Noise []*RunNoise
	// pairs are the stated ratios' back-to-back pairs from the rounds
	// sidecars, by machine and the two rows' names.
	pairs map[pairKey]*pairSet
	// Profiles are the inputs' pprof sidecars (resultfile.ReadProfiles),
	// one per machine and profiled row, the files' merged.
	Profiles []*RowProfile
}

// Host is one machine, as its config lines describe it.
type Host struct {
	ID     string   // what tells it apart from other machines
	Label  string   // short human name: host, or cpu and kernel
	Config []Config // file config lines, first-seen order
	// Simulated is set for results of the simulated kernel.
	Simulated bool
}

// Config is one "key: value" line.
type Config = resultfile.Config

// Get returns the value of config key k, or "".
func (h *Host) Get(k string) string {
	for _, c := range h.Config {
		if c.Key == k {
			return c.Value
		}
	}
	return ""
}

// Row is every sample of one benchmark name on one machine.
type Row struct {
	// Name is the full name without the -N suffix,
	// e.g. "BenchmarkCreate/style=fork".
	Name string
	// Family is the Benchmark function without "Benchmark", e.g. Create;
	// for a row rowspec does not know, the name before the first '/'.
	Family rowspec.Family
	// Spec is the typed name when Known. The charts and sections place
	// only Known rows; the others are listed under All rows.
	Spec      rowspec.Spec
	Known     bool
	Host      *Host
	Simulated bool
	// Units in first-seen order. Units are as written in the input
	// (ns/op, p50-ns, ns/switch, …) with the "sim-" prefix removed: a
	// simulated row's sim-ns/op is stored as ns/op and Simulated is set.
	Units  []string
	Values map[string][]float64
	// Disturbed is how many samples had an involuntary context switch or
	// a CPU migration of the measuring thread (disturb-ictxsw,
	// disturb-migrations above zero), of DisturbCounted samples that
	// carry either count. Kept per sample, not as Values, because it is
	// the line's two counts together that say whether it was disturbed.
	Disturbed, DisturbCounted int
	// Pos is "file:line" of the row's first sample.
	Pos string
}

// Label is the row's name for tables: the name, marked when simulated.
func (r *Row) Label() string {
	return simName(r.Name, r.Simulated)
}

// Skip is a row the input reports as skipped (or failed), with the reason.
type Skip struct {
	Name   string // as Row.Name: "Benchmark…" without -N
	Reason string
	Pos    string
}

// FromFiles builds Data from files resultfile has read, so a caller that
// reads each file once (to check it, to compare it) hands the same files
// on. Load and Parse read and then call it.
func FromFiles(files ...*resultfile.File) (*Data, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("report: no input files: %w", ErrNoResults)
	}
	for i, f := range files {
		if f == nil {
			return nil, fmt.Errorf("report: input file %d is nil: %w", i, ErrNoResults)
		}
	}
	return fromFiles(files...)
}

// Load reads result files with resultfile. Errors name the file and, where
// there is one, the line.
func Load(paths ...string) (*Data, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("report: no input files: %w", ErrNoResults)
	}
	files, err := resultfile.ReadAll(paths...)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return FromFiles(files...)
}

// Parse reads one input; name is used in errors.
func Parse(r io.Reader, name string) (*Data, error) {
	f, err := resultfile.Parse(r, name)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return FromFiles(f)
}

// fromFiles groups the files' rows by report's machines: resultfile keeps
// apart rows whose config differs in any machine key, but a config line
// first printed mid-run (governor: after the first results) is the same
// machine to a reader, so rows of one host and name are merged.
func fromFiles(files ...*resultfile.File) (*Data, error) {
	d := &Data{}
	rows := map[rowKey]*Row{}
	hosts := map[string]*Host{}
	for _, f := range files {
		d.Files = append(d.Files, f.Path)
		for _, rr := range f.Rows {
			h := hostFor(rr.Config)
			if old, ok := hosts[h.ID]; ok {
				old.merge(rr.Config)
				h = old
			} else {
				hosts[h.ID] = h
				d.Hosts = append(d.Hosts, h)
			}
			k := rowKey{h.ID, rr.Name, rr.Simulated}
			row := rows[k]
			if row == nil {
				row = newRow(rr, h)
				rows[k] = row
				d.Rows = append(d.Rows, row)
			}
			if err := row.add(rr); err != nil {
				return nil, err
			}
		}
		for _, s := range f.Skips {
			d.Skips = append(d.Skips, Skip{Name: rowspec.BenchName(s.Name), Reason: s.Reason, Pos: s.Pos})
		}
		if err := d.addSidecar(f); err != nil {
			return nil, err
		}
		if err := d.addRounds(f); err != nil {
			return nil, err
		}
		if err := d.addProfiles(f, hosts); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// rowKey is what makes a row: a simulated row never merges with a real one.
type rowKey struct {
	host, name string
	sim        bool
}

func newRow(rr *resultfile.Row, h *Host) *Row {
	r := &Row{
		Name:      rowspec.BenchName(rr.Name),
		Family:    rowspec.Family(rr.Family()),
		Host:      h,
		Simulated: rr.Simulated,
		Values:    map[string][]float64{},
		Pos:       rr.Pos,
	}
	if rr.Known {
		r.Spec, r.Known, r.Family = rr.Spec, true, rr.Spec.Family
	}
	return r
}

// add appends rr's samples, storing each unit without its sim- prefix: the
// row's Simulated says whose figures they are.
func (r *Row) add(rr *resultfile.Row) error {
	for _, u := range rr.Units {
		real := rowspec.Real(u)
		if real != u && contains(rr.Units, real) {
			// Stored without the prefix the two would merge into one
			// sample set of figures from two sources.
			return fmt.Errorf("report: %s: %s has both %s and %s: %w", rr.Pos, rr.Name, u, real, ErrMalformed)
		}
		if _, ok := r.Values[real]; !ok {
			r.Units = append(r.Units, real)
		}
		r.Values[real] = append(r.Values[real], rr.Values(u)...)
	}
	for _, smp := range rr.Samples {
		counted, disturbed := smp.Disturbed()
		if counted {
			r.DisturbCounted++
		}
		if disturbed {
			r.Disturbed++
		}
	}
	return nil
}

// disturbedWord is "3/20 disturbed", or "" for a row without the counts.
func (r *Row) disturbedWord() string {
	if r.DisturbCounted == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d disturbed", r.Disturbed, r.DisturbCounted)
}

// isDisturbUnit reports whether u is a per-sample disturbance count: a
// count of events, not a figure to summarise or draw.
func isDisturbUnit(u string) bool {
	u = rowspec.Real(u)
	return u == rowspec.UnitDisturbIctxsw || u == rowspec.UnitDisturbMigrations
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// hostKeys tell machines apart when there is no host line.
var hostKeys = []string{sysinfo.KeyCPU, sysinfo.KeyKernel, sysinfo.KeyVirtualization, sysinfo.KeyGOOS, sysinfo.KeyGOARCH}

func hostFor(cfg []Config) *Host {
	h := &Host{Config: append([]Config(nil), cfg...)}
	if v := h.Get(sysinfo.KeyHost); v != "" {
		h.ID = sysinfo.KeyHost + "=" + v
	} else {
		var id []string
		for _, k := range hostKeys {
			if v := h.Get(k); v != "" {
				id = append(id, k+"="+v)
			}
		}
		h.ID = strings.Join(id, " ")
	}
	// resultfile.Machine owns what a machine is called and whether it is
	// simulated.
	m := resultfile.MachineOf(h.Config)
	h.Simulated = m.Simulated()
	h.Label = m.Label()
	return h
}

// merge adds config keys first seen later in a run (benchfmt allows config
// lines between results).
func (h *Host) merge(cfg []Config) {
	for _, c := range cfg {
		if h.Get(c.Key) == "" {
			h.Config = append(h.Config, c)
		}
	}
}
