package history

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/perf/benchmath"

	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// ErrOrder is wrapped when files cannot be put in order: a file name that
// is not runbench's run name (resultfile.RunName), a file without the
// commit line, a commit not in the history given.
var ErrOrder = errors.New("cannot order runs")

// runName is the run name of r's file, for ordering.
func runName(r *Run) (resultfile.RunName, error) {
	n, err := resultfile.ParseRunName(r.File.Path)
	if err != nil {
		return n, fmt.Errorf("%w: %w", err, ErrOrder)
	}
	return n, nil
}

// Run is one result file on one machine.
type Run struct {
	File *resultfile.File
	// Name is the file's run name (its time, partial, -N); zero if it has
	// none (ordered by commit).
	Name   resultfile.RunName
	Commit string // the commit config line, "" if absent
	Kernel string
}

// Time is the run's start from its file name; zero if it has none.
func (r *Run) Time() time.Time { return r.Name.Time }

// Label is how reports name the run: its file, commit and kernel.
func (r *Run) Label() string {
	s := r.File.Path
	if r.Commit != "" {
		c := r.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += ", commit " + c
	}
	if r.Kernel != "" {
		s += ", kernel " + r.Kernel
	}
	return s
}

// Point is one run's figure of a row: the median of its samples and
// benchmath's distribution-free 95% interval.
type Point struct {
	Run            int // index into Machine.Runs
	Median, Lo, Hi float64
	N              int
}

// Series is one row on one machine across runs.
type Series struct {
	Name     string // resultfile.Row.CompareName
	Family   string
	Unit     string // as written: ns/op or sim-ns/op
	Headline bool   // rowspec.Spec.IsHeadline
	Points   []Point
	Changes  []Change // indexes into Points
}

// Medians are the per-run medians the detector works on.
func (s *Series) Medians() []float64 {
	out := make([]float64, len(s.Points))
	for i, p := range s.Points {
		out[i] = p.Median
	}
	return out
}

// Machine is every run of one machine, in order, and its series.
type Machine struct {
	ID     string // resultfile.Row.Machine: the values of sysinfo.MachineKeys
	Host   string
	Runs   []*Run
	Series []*Series
}

// Order puts runs of one machine in order.
type Order interface {
	// key returns the sort key of r, or an error if r has none; runs of
	// one key are ordered by their run names.
	key(r *Run) (int64, error)
	String() string
}

// ByTime orders runs by their file names (resultfile.RunName): the UTC
// time, then -2, -3 … after the plain name of that second.
type ByTime struct{}

func (ByTime) key(r *Run) (int64, error) {
	n, err := runName(r)
	if err != nil {
		return 0, err
	}
	r.Name = n
	return n.Time.Unix(), nil
}

func (ByTime) String() string { return "time (UTCTIME in the file names)" }

// ByCommit orders runs by the position of their commit config line in a
// history, oldest first (git rev-list --reverse --topo-order).
type ByCommit struct{ Commits []string }

func (o ByCommit) key(r *Run) (int64, error) {
	if r.Commit == "" {
		return 0, fmt.Errorf("%s: no commit config line: %w", r.File.Path, ErrOrder)
	}
	for i, c := range o.Commits {
		if c == r.Commit || (len(r.Commit) >= 7 && strings.HasPrefix(c, r.Commit)) {
			if n, err := runName(r); err == nil {
				r.Name = n
			}
			return int64(i), nil
		}
	}
	return 0, fmt.Errorf("%s: commit %s is not in the history: %w", r.File.Path, r.Commit, ErrOrder)
}

func (ByCommit) String() string { return "commit order" }

// Build groups files by machine (the machine keys compare uses), orders each
// machine's runs, and makes one series per row and primary unit. A row
// missing from some runs has no point there; the other rows are untouched.
func Build(files []*resultfile.File, order Order) ([]*Machine, error) {
	byID := map[string]*Machine{}
	var machines []*Machine
	keys := map[*Run]int64{}
	for _, f := range files {
		for _, id := range f.Machines() {
			m := byID[id]
			if m == nil {
				m = &Machine{ID: id}
				byID[id] = m
				machines = append(machines, m)
			}
			r := &Run{File: f, Commit: f.Get(sysinfo.KeyCommit), Kernel: f.Get(sysinfo.KeyKernel)}
			if m.Host == "" {
				m.Host = f.Get(sysinfo.KeyHost)
			}
			k, err := order.key(r)
			if err != nil {
				return nil, err
			}
			keys[r] = k
			m.Runs = append(m.Runs, r)
		}
	}
	for _, m := range machines {
		sort.SliceStable(m.Runs, func(i, j int) bool {
			a, b := m.Runs[i], m.Runs[j]
			if keys[a] != keys[b] {
				return keys[a] < keys[b]
			}
			return a.Name.Compare(b.Name) < 0
		})
		build(m)
	}
	return machines, nil
}

func build(m *Machine) {
	type key struct{ name, unit string }
	series := map[key]*Series{}
	var order []key
	thr := benchmath.DefaultThresholds
	for ri, r := range m.Runs {
		vals := map[key][]float64{}
		var seen []key
		for _, row := range r.File.Rows {
			if row.Machine != m.ID {
				continue
			}
			unit := rowspec.UnitNsOp
			if row.Simulated {
				unit = rowspec.UnitSimNsOp
			}
			k := key{row.CompareName(), unit}
			if _, ok := vals[k]; !ok {
				seen = append(seen, k)
			}
			vals[k] = append(vals[k], row.Values(unit)...)
			if series[k] == nil {
				s := &Series{Name: k.name, Family: row.Family(), Unit: unit}
				if row.Known {
					s.Headline = row.Spec.IsHeadline()
				}
				series[k] = s
				order = append(order, k)
			}
		}
		for _, k := range seen {
			v := vals[k]
			if len(v) == 0 {
				continue
			}
			sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(v, &thr), 0.95)
			series[k].Points = append(series[k].Points, Point{Run: ri, Median: sum.Center, Lo: sum.Lo, Hi: sum.Hi, N: len(v)})
		}
	}
	for _, k := range order {
		m.Series = append(m.Series, series[k])
	}
}

// Analyze finds the change points of every series.
func Analyze(machines []*Machine, opts Options) {
	for _, m := range machines {
		for _, s := range m.Series {
			s.Changes = Detect(s.Medians(), opts)
		}
	}
}

// Duplicate is a file Dedupe left out: the same run as Of.
type Duplicate struct {
	File, Of *resultfile.File
}

func (d Duplicate) String() string {
	return fmt.Sprintf("%s: the same benchmark lines as %s (a copy of one run)", d.File.Path, d.Of.Path)
}

// Dedupe leaves out every file whose benchmark lines are those of an
// earlier one (resultfile.File.Digest): a run given twice, or copied under
// another name, would count twice and make a change point of nothing.
func Dedupe(files []*resultfile.File) (kept []*resultfile.File, dropped []Duplicate) {
	first := map[string]*resultfile.File{}
	for _, f := range files {
		d := f.Digest()
		if o, ok := first[d]; ok {
			dropped = append(dropped, Duplicate{File: f, Of: o})
			continue
		}
		first[d] = f
		kept = append(kept, f)
	}
	return kept, dropped
}
