package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strings"

	"golang.org/x/perf/benchfmt"
)

var (
	// ErrNoResults is wrapped by Load when an input holds no benchmark
	// result lines: an empty file, a log without results, binary junk.
	ErrNoResults = errors.New("report: no benchmark results")
	// ErrMalformed is wrapped by Load when a line starting with
	// "Benchmark" is not a valid result line.
	ErrMalformed = errors.New("report: malformed benchmark line")
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
type Config struct{ Key, Value string }

// Get returns the value of config key k, or "".
func (h *Host) Get(k string) string {
	for _, c := range h.Config {
		if c.Key == k {
			return c.Value
		}
	}
	return ""
}

// Param is one key=value part of a benchmark name.
type Param struct{ Key, Value string }

// Row is every sample of one benchmark name on one machine.
type Row struct {
	// Name is the full name without the -N suffix,
	// e.g. "BenchmarkCreate/style=fork".
	Name string
	// Family is the Benchmark function without "Benchmark", e.g. "Create".
	Family    string
	Params    []Param
	Host      *Host
	Simulated bool
	// Units in first-seen order. Units are as written in the input
	// (ns/op, p50-ns, ns/switch, …) with a "sim-" prefix removed: a
	// simulated row's sim-ns/op is stored as ns/op and Simulated is set.
	Units  []string
	Values map[string][]float64
	// Pos is "file:line" of the row's first sample.
	Pos string
}

// Param returns the value of name key k ("style" → "fork"), or "".
func (r *Row) Param(k string) string {
	for _, p := range r.Params {
		if p.Key == k {
			return p.Value
		}
	}
	return ""
}

// Label is the row's name for tables: the name, marked when simulated.
func (r *Row) Label() string {
	if r.Simulated {
		return r.Name + " (simulated)"
	}
	return r.Name
}

// Skip is a row the input reports as skipped (or failed), with the reason.
type Skip struct {
	Name   string
	Reason string
	Pos    string
}

// Load reads result files in the Go benchmark format. Errors name the file
// and, where there is one, the line.
func Load(paths ...string) (*Data, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("report: no input files: %w", ErrNoResults)
	}
	d := &Data{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		err = d.read(f, p)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Parse reads one input in the Go benchmark format; name is used in errors.
func Parse(r io.Reader, name string) (*Data, error) {
	d := &Data{}
	if err := d.read(r, name); err != nil {
		return nil, err
	}
	return d, nil
}

// read adds one file to d. It reads the text once into memory: result files
// are small, and the skip lines need a second, raw pass that benchfmt does
// not give.
func (d *Data) read(r io.Reader, name string) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		return fmt.Errorf("%s: binary data, not Go benchmark format: %w", name, ErrNoResults)
	}
	d.Files = append(d.Files, name)

	rows := map[string]*Row{}
	for _, row := range d.Rows {
		rows[rowKey(row.Host.ID, row.Name, row.Simulated)] = row
	}
	hosts := map[string]*Host{}
	for _, h := range d.Hosts {
		hosts[h.ID] = h
	}

	n := 0
	br := benchfmt.NewReader(bytes.NewReader(raw), name)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			if rec.Msg == "missing iteration count" && nameOnly(raw, rec.Line) {
				// go test prints the name, then a benchmark's log
				// lines, then the figures on a line of their own.
				continue
			}
			return fmt.Errorf("%s:%d: %s: %w", rec.FileName, rec.Line, rec.Msg, ErrMalformed)
		case *benchfmt.Result:
			if err := d.add(rec, rows, hosts); err != nil {
				return err
			}
			n++
		}
	}
	if err := br.Err(); err != nil {
		// e.g. a line longer than bufio's limit: not a result file.
		return fmt.Errorf("%w: not Go benchmark format: %w", err, ErrMalformed)
	}
	d.Skips = append(d.Skips, scanSkips(raw, name)...)
	if n == 0 {
		return fmt.Errorf("%s: no Benchmark result lines: %w", name, ErrNoResults)
	}
	return nil
}

func rowKey(host, name string, sim bool) string {
	return fmt.Sprintf("%s\x00%s\x00%v", host, name, sim)
}

// nameOnly reports whether 1-based line n of raw is a bare benchmark name
// followed by blanks.
func nameOnly(raw []byte, n int) bool {
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return len(strings.Fields(sc.Text())) == 1
		}
	}
	return false
}

func (d *Data) add(res *benchfmt.Result, rows map[string]*Row, hosts map[string]*Host) error {
	file, line := res.Pos()
	pos := fmt.Sprintf("%s:%d", file, line)

	var cfg []Config
	for _, c := range res.Config {
		if c.File {
			cfg = append(cfg, Config{c.Key, string(c.Value)})
		}
	}
	h := hostFor(cfg)
	if old, ok := hosts[h.ID]; ok {
		old.merge(cfg)
		h = old
	} else {
		hosts[h.ID] = h
		d.Hosts = append(d.Hosts, h)
	}

	// A row is simulated by its unit: on a host without raw clone one run
	// holds simulated rows (sim-ns/op, kernel: sim) beside portable rows
	// measured for real (ns/op). Without either unit the host decides.
	sim, real := false, false
	for _, v := range res.Values {
		switch u := origUnit(v); {
		case strings.HasPrefix(u, "sim-"):
			sim = true
		case u == "ns/op":
			real = true
		}
	}
	if !sim && !real {
		sim = h.Simulated
	}

	full := res.Name.String()
	base, parts := res.Name.Parts()
	name := "Benchmark" + strings.TrimSuffix(full, gomaxprocsSuffix(parts))
	key := rowKey(h.ID, name, sim)
	row := rows[key]
	if row == nil {
		row = &Row{
			Name:      name,
			Family:    string(base),
			Host:      h,
			Simulated: sim,
			Values:    map[string][]float64{},
			Pos:       pos,
		}
		for _, p := range parts {
			k, v, ok := strings.Cut(strings.TrimPrefix(string(p), "/"), "=")
			if ok && strings.HasPrefix(string(p), "/") {
				row.Params = append(row.Params, Param{k, v})
			}
		}
		rows[key] = row
		d.Rows = append(d.Rows, row)
	}
	simUnits := map[string]bool{}
	for _, v := range res.Values {
		if u := origUnit(v); strings.HasPrefix(u, "sim-") {
			simUnits[strings.TrimPrefix(u, "sim-")] = true
		}
	}
	for _, v := range res.Values {
		if simUnits[origUnit(v)] {
			// bench/ reports "0 ns/op" beside a simulated row's
			// sim-ns/op, because go test always prints ns/op.
			continue
		}
		unit := strings.TrimPrefix(origUnit(v), "sim-")
		val := v.Value
		if v.OrigUnit != "" {
			val = v.OrigValue
		}
		if math.IsNaN(val) || math.IsInf(val, 0) {
			return fmt.Errorf("%s: %s: %v %s is not a finite number: %w", pos, name, val, unit, ErrMalformed)
		}
		if _, ok := row.Values[unit]; !ok {
			row.Units = append(row.Units, unit)
		}
		row.Values[unit] = append(row.Values[unit], val)
	}
	return nil
}

// origUnit is the unit as written: benchfmt tidies ns/op into sec/op.
func origUnit(v benchfmt.Value) string {
	if v.OrigUnit != "" {
		return v.OrigUnit
	}
	return v.Unit
}

func gomaxprocsSuffix(parts [][]byte) string {
	if n := len(parts); n > 0 && strings.HasPrefix(string(parts[n-1]), "-") {
		return string(parts[n-1])
	}
	return ""
}

// hostKeys tell machines apart when there is no host line.
var hostKeys = []string{"cpu", "kernel", "virtualization", "goos", "goarch"}

func hostFor(cfg []Config) *Host {
	h := &Host{Config: cfg}
	if v := h.Get("host"); v != "" {
		h.ID = "host=" + v
	} else {
		var id []string
		for _, k := range hostKeys {
			if v := h.Get(k); v != "" {
				id = append(id, k+"="+v)
			}
		}
		h.ID = strings.Join(id, " ")
	}
	h.Simulated = h.Get("kernel") == "sim" || h.Get("sim") == "true"
	switch {
	case h.Get("host") != "":
		h.Label = h.Get("host")
	case h.Get("cpu") != "" || h.Get("kernel") != "":
		var l []string
		if v := h.Get("cpu"); v != "" {
			l = append(l, v)
		}
		if v := h.Get("kernel"); v != "" {
			l = append(l, "kernel "+v)
		}
		h.Label = strings.Join(l, ", ")
	default:
		h.Label = "unknown machine"
	}
	if h.Simulated && !strings.Contains(h.Label, "simulated") {
		h.Label += " (simulated)"
	}
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

var (
	goSkipRE      = regexp.MustCompile(`^\s*--- (SKIP|FAIL): (Benchmark\S+)`)
	commentSkipRE = regexp.MustCompile(`^#\s*skip:\s*(\S+?):\s*(.*)$`)
	logPrefixRE   = regexp.MustCompile(`^\S+\.go:\d+: `)
)

// scanSkips finds skipped rows in the raw text; benchfmt passes these lines
// over silently. go test -v prints a skipped benchmark's reason (its log)
// between the bare name line and "--- SKIP:"; other tools put it after.
func scanSkips(raw []byte, file string) []Skip {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	indented := func(s string) bool {
		return len(s) > 0 && (s[0] == ' ' || s[0] == '\t') && strings.TrimSpace(s) != "" &&
			!strings.HasPrefix(strings.TrimSpace(s), "---")
	}
	var out []Skip
	for i, l := range lines {
		pos := fmt.Sprintf("%s:%d", file, i+1)
		if m := commentSkipRE.FindStringSubmatch(l); m != nil {
			name := m[1]
			if !strings.HasPrefix(name, "Benchmark") {
				name = "Benchmark" + name
			}
			r := strings.TrimSpace(m[2])
			if r == "" {
				r = "no reason given"
			}
			out = append(out, Skip{Name: name, Reason: r, Pos: pos})
			continue
		}
		m := goSkipRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		var reason []string
		// Before: indented lines up to the bare name line.
		j := i - 1
		for j >= 0 && indented(lines[j]) {
			j--
		}
		if j >= 0 && j < i-1 && strings.TrimSpace(lines[j]) == m[2] {
			for _, r := range lines[j+1 : i] {
				reason = append(reason, strings.TrimSpace(r))
			}
		} else {
			for k := i + 1; k < len(lines) && indented(lines[k]); k++ {
				reason = append(reason, strings.TrimSpace(lines[k]))
			}
		}
		if len(reason) > 0 {
			reason[0] = logPrefixRE.ReplaceAllString(reason[0], "")
		}
		r := strings.Join(reason, " ")
		if m[1] == "FAIL" {
			r = strings.TrimSpace("failed: " + r)
		} else if r == "" {
			r = "no reason given"
		}
		out = append(out, Skip{Name: stripProcs(m[2]), Reason: r, Pos: pos})
	}
	return out
}

// stripProcs removes a trailing -N (GOMAXPROCS) from a benchmark name.
func stripProcs(name string) string {
	return strings.TrimSuffix(name, gomaxprocsSuffix(func() [][]byte {
		_, p := benchfmt.Name(name).Parts()
		return p
	}()))
}
