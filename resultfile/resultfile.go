package resultfile

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/rowspec"
)

var (
	// ErrNoResults is wrapped when an input holds no benchmark result
	// lines: an empty file, a log without results, binary junk.
	ErrNoResults = errors.New("no benchmark results")
	// ErrMalformed is wrapped when the input is not a valid result file: a
	// line starting with "Benchmark" does not parse, a value is not finite,
	// a row has the wrong units, or the input is cut short.
	ErrMalformed = errors.New("malformed result file")
)

// MaxSize bounds what Read and Parse read: a full runbench run is well under
// a megabyte, and a special file (/dev/zero) must not fill memory.
const MaxSize = 64 << 20

// SkipPrefix starts the line that records a row which did not run.
// benchfmt readers (benchstat included) ignore it: it is neither a
// benchmark line nor a config line, since a config key cannot start with
// '#'.
const SkipPrefix = "# skip: "

// SkipLine is the line that records that row name did not run and why.
func SkipLine(name, reason string) string {
	return SkipPrefix + name + ": " + strings.Join(strings.Fields(reason), " ") + "\n"
}

// Config is one "key: value" line.
type Config struct{ Key, Value string }

// Sample is one benchmark line of a row.
type Sample struct {
	Line  int
	Iters int
	// Values as benchfmt reads them: Unit and Value tidied (ns/op becomes
	// sec/op), OrigUnit and OrigValue as written.
	Values []benchfmt.Value
}

// Get returns the value of unit u as written, and whether the line has it.
func (s Sample) Get(u string) (float64, bool) {
	for _, v := range s.Values {
		if unitOf(v) == u {
			return valueOf(v), true
		}
	}
	return 0, false
}

// DisturbedEvery is the disturbance rule's rate: a sample is disturbed
// when its measuring thread moved CPU, or was switched out involuntarily
// more than once per DisturbedEvery of the sample's timed interval. A
// pinned thread is preempted now and then by a kernel thread (a kworker,
// RCU) whatever we do; more often than that, something else was running
// on its CPU for a good part of the sample.
const DisturbedEvery = 10e6 // ns

// Disturbed reports whether the sample carries disturbance counts
// (rowspec.UnitDisturbIctxsw, UnitDisturbMigrations), and whether by the
// rule above it was disturbed. No sample is dropped for it: the median and
// its distribution-free interval are robust to a few, and readers show how
// many there were.
func (s Sample) Disturbed() (counted, disturbed bool) {
	ictx, ok1 := s.Get(rowspec.UnitDisturbIctxsw)
	mig, ok2 := s.Get(rowspec.UnitDisturbMigrations)
	if !ok1 && !ok2 {
		return false, false
	}
	ns, _ := s.Get(rowspec.UnitNsOp)
	span := ns * float64(s.Iters)
	return true, mig > 0 || ictx > 1+span/DisturbedEvery
}

// Row is every sample of one name on one machine, real or simulated.
type Row struct {
	// Name is the row name without "Benchmark" and go test's -N suffix,
	// e.g. "Create/style=fork".
	Name string
	// Spec is Name's typed form when Known; rows of other benchmarks
	// (another tool's, a user's own) are kept with Known false.
	Spec  rowspec.Spec
	Known bool
	// Simulated is set for rows whose figures are simkernel's (sim- units).
	Simulated bool
	// Machine identifies the machine: Machine.ID, its sysinfo.MachineKeys
	// values (not the kernel: one machine's runs across kernels share it).
	Machine string
	// Config is the file config in effect at the row's first sample.
	Config []Config
	// Units as written, in first-seen order.
	Units   []string
	Samples []Sample
	// Pos is "file:line" of the first sample.
	Pos string
}

// Values returns every sample's value of unit u as written ("ns/op",
// "sim-ns/op", "p50-ns", …).
func (r *Row) Values(u string) []float64 {
	var out []float64
	for _, s := range r.Samples {
		if v, ok := s.Get(u); ok {
			out = append(out, v)
		}
	}
	return out
}

// CompareName is the name rows are paired by across files: a known row's
// canonical name, so a creation row stored before cpu= existed pairs with
// today's cpu=any row, which runs the same way; another tool's row keeps
// its own name.
func (r *Row) CompareName() string {
	if r.Known {
		return r.Spec.Canonical().String()
	}
	return r.Name
}

// Family is the row's family: the name before the first '/'.
func (r *Row) Family() string {
	f, _, _ := strings.Cut(r.Name, "/")
	return f
}

// Skip is a row the input reports as skipped or failed, with the reason.
type Skip struct {
	Name   string // row name without "Benchmark"
	Reason string
	Pos    string
}

// File is one parsed result file.
type File struct {
	Path string
	// Config is the file config of the first result.
	Config []Config
	Rows   []*Row
	Skips  []Skip
}

// Get returns a config value of the first result, "" if absent.
func (f *File) Get(key string) string { return get(f.Config, key) }

// Has reports whether the first result has config key.
func (f *File) Has(key string) bool {
	for _, c := range f.Config {
		if c.Key == key {
			return true
		}
	}
	return false
}

// Simulated reports whether the file holds simulated figures: it says
// kernel: sim, or a row has sim- units (a go test -bench file of simulated
// rows has no kernel line).
func (f *File) Simulated() bool {
	if f.Machine().Simulated() {
		return true
	}
	for _, r := range f.Rows {
		if r.Simulated {
			return true
		}
	}
	return false
}

// Machines lists the machines found, in first-seen order.
func (f *File) Machines() []string {
	var out []string
	for _, r := range f.Rows {
		if len(out) == 0 || !contains(out, r.Machine) {
			out = append(out, r.Machine)
		}
	}
	return out
}

// OneMachine refuses a file whose machine config changes between results:
// two runs pasted together are two files, for compare.
func (f *File) OneMachine() error {
	first := f.Rows[0]
	for _, r := range f.Rows[1:] {
		// A configuration change inside one file is refused as well: a
		// row's samples would mix two kernels.
		for _, k := range append(sysinfo.MachineKeys[:len(sysinfo.MachineKeys):len(sysinfo.MachineKeys)], sysinfo.ConfigKeys...) {
			if a, b := get(first.Config, k), get(r.Config, k); a != b {
				return fmt.Errorf("%s: config %q changes from %q to %q: results from different machines in one file: %w",
					r.Pos, k, a, b, ErrMalformed)
			}
		}
	}
	return nil
}

// Read opens and parses one result file. It refuses anything but a regular
// file (a FIFO or a device would block or never end) and files over
// MaxSize.
func Read(path string) (*File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s): %w", path, fi.Mode().Type(), ErrMalformed)
	}
	if fi.Size() > MaxSize {
		return nil, fmt.Errorf("%s: %d bytes, more than a result file's %d: %w", path, fi.Size(), MaxSize, ErrMalformed)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, path)
}

// ReadAll reads several files.
func ReadAll(paths ...string) ([]*File, error) {
	out := make([]*File, 0, len(paths))
	for _, p := range paths {
		f, err := Read(p)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// Parse reads one input; name is used in errors and positions.
func Parse(r io.Reader, name string) (*File, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(raw) > MaxSize {
		return nil, fmt.Errorf("%s: more than a result file's %d bytes: %w", name, MaxSize, ErrMalformed)
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		return nil, fmt.Errorf("%s: binary data, not Go benchmark format: %w", name, ErrNoResults)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("%s: empty file: %w", name, ErrNoResults)
	}
	if raw[len(raw)-1] != '\n' {
		// go test and runbench end every line; a file cut mid-line may
		// still parse, with its last figure silently wrong.
		return nil, fmt.Errorf("%s: truncated (last line has no newline): %w", name, ErrMalformed)
	}
	f := &File{Path: name}
	rows := map[string]*Row{}
	lines := splitLines(raw)
	br := benchfmt.NewReader(bytes.NewReader(raw), name)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			if rec.Msg == "missing iteration count" && rec.Line-1 < len(lines) && len(strings.Fields(lines[rec.Line-1])) == 1 {
				// go test -v prints the name, then a benchmark's log
				// lines, then the figures on a line of their own.
				continue
			}
			return nil, fmt.Errorf("%s:%d: %s: %w", rec.FileName, rec.Line, rec.Msg, ErrMalformed)
		case *benchfmt.UnitMetadata:
			// Accepted and ignored: every clonebench unit is lower-is-better.
		case *benchfmt.Result:
			if err := f.add(rec, rows); err != nil {
				return nil, err
			}
		}
	}
	if err := br.Err(); err != nil {
		// e.g. a line longer than bufio's limit: not a result file.
		return nil, fmt.Errorf("%w: not Go benchmark format: %w", err, ErrMalformed)
	}
	if len(f.Rows) == 0 {
		return nil, fmt.Errorf("%s: no Benchmark result lines (not Go benchmark format?): %w", name, ErrNoResults)
	}
	kind := map[string]*Row{}
	for _, r := range f.Rows {
		if err := checkUnits(r); err != nil {
			return nil, err
		}
		// One name on one machine is one row: were it both, every reader
		// naming rows by name would merge incomparable figures.
		key := r.Machine + "\x00" + r.Name
		if o, ok := kind[key]; ok && o.Simulated != r.Simulated {
			return nil, fmt.Errorf("%s: %s has simulated (%s) and real (%s) samples (first at %s): %w",
				r.Pos, r.Name, rowspec.UnitSimNsOp, rowspec.UnitNsOp, o.Pos, ErrMalformed)
		}
		kind[key] = r
	}
	f.Skips = scanSkips(lines, name)
	return f, nil
}

func (f *File) add(rec *benchfmt.Result, rows map[string]*Row) error {
	file, line := rec.Pos()
	pos := fmt.Sprintf("%s:%d", file, line)
	var cfg []Config
	for _, c := range rec.Config {
		if c.File {
			cfg = append(cfg, Config{c.Key, string(c.Value)})
		}
	}
	if f.Config == nil && len(f.Rows) == 0 {
		f.Config = cfg
	}
	name := rowName(string(rec.Name.Full()))
	if len(rec.Values) == 0 {
		return fmt.Errorf("%s: %s has no values: %w", pos, name, ErrMalformed)
	}
	sim := false
	for _, v := range rec.Values {
		u, val := unitOf(v), valueOf(v)
		if math.IsNaN(val) || math.IsInf(val, 0) {
			return fmt.Errorf("%s: %s: %v %s is not a finite number: %w", pos, name, val, u, ErrMalformed)
		}
		if val < 0 && nonNegative(u) {
			return fmt.Errorf("%s: %s: %v %s is negative: %w", pos, name, val, u, ErrMalformed)
		}
		if val <= 0 && rowspec.Real(u) == rowspec.UnitNsOp {
			// An op takes time: a zero per-op figure is a broken row, and
			// a log-scale chart has no place for it.
			return fmt.Errorf("%s: %s: %v %s: the time per op must be positive: %w", pos, name, val, u, ErrMalformed)
		}
		sim = sim || rowspec.IsSim(u)
	}
	machine := MachineOf(cfg).ID()
	// A row is one name under one machine and configuration: a config
	// line printed mid-run (governor after the first results) starts a
	// new row, as it did when the configuration was part of the machine.
	key := machine + "\x00" + configID(cfg) + "\x00" + name + "\x00" + fmt.Sprint(sim)
	r := rows[key]
	if r == nil {
		r = &Row{Name: name, Simulated: sim, Machine: machine, Config: cfg, Pos: pos}
		if sp, err := rowspec.Parse(name); err == nil {
			r.Spec, r.Known = sp, true
		}
		rows[key] = r
		f.Rows = append(f.Rows, r)
	}
	s := Sample{Line: line, Iters: rec.Iters, Values: append([]benchfmt.Value(nil), rec.Values...)}
	for _, v := range s.Values {
		if !contains(r.Units, unitOf(v)) {
			r.Units = append(r.Units, unitOf(v))
		}
	}
	r.Samples = append(r.Samples, s)
	return nil
}

// nonNegative reports whether unit u can never be below zero: times,
// counts and rates. ns/switch-net, a difference, may be.
func nonNegative(u string) bool {
	return rowspec.Real(u) != rowspec.UnitNsSwitchNet
}

// checkUnits refuses a row whose figures cannot be compared: one with no
// time per op (ns/op or sim-ns/op), or one with both. A file may hold
// simulated rows beside real ones (on a host without raw clone the default
// run simulates the Linux-only rows and runs the portable ones for real),
// but one row is one or the other.
func checkUnits(r *Row) error {
	real, sim := contains(r.Units, rowspec.UnitNsOp), contains(r.Units, rowspec.UnitSimNsOp)
	switch {
	case real && sim:
		return fmt.Errorf("%s: %s mixes simulated (%s) and real (%s) samples: %w", r.Pos, r.Name, rowspec.UnitSimNsOp, rowspec.UnitNsOp, ErrMalformed)
	case !real && !sim:
		return fmt.Errorf("%s: %s has no %s or %s figure (wrong units?): %w", r.Pos, r.Name, rowspec.UnitNsOp, rowspec.UnitSimNsOp, ErrMalformed)
	}
	return nil
}

// rowName strips "Benchmark" and go test's -N from a full benchmark name.
func rowName(full string) string {
	base, parts := benchfmt.Name(full).Parts()
	var b strings.Builder
	b.WriteString(strings.TrimPrefix(string(base), rowspec.BenchPrefix))
	for _, p := range parts {
		if len(p) > 0 && p[0] == '/' {
			b.Write(p)
		}
	}
	return b.String()
}

// configID is the values of the configuration under test.
func configID(cfg []Config) string {
	var id []string
	for _, k := range sysinfo.ConfigKeys {
		id = append(id, get(cfg, k))
	}
	return strings.Join(id, "\x00")
}

// unitOf and valueOf are the unit and value as written: benchfmt tidies
// ns/op into sec/op.
func unitOf(v benchfmt.Value) string {
	if v.OrigUnit != "" {
		return v.OrigUnit
	}
	return v.Unit
}

func valueOf(v benchfmt.Value) float64 {
	if v.OrigUnit != "" {
		return v.OrigValue
	}
	return v.Value
}

func get(cfg []Config, k string) string {
	for _, c := range cfg {
		if c.Key == k {
			return c.Value
		}
	}
	return ""
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func splitLines(raw []byte) []string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, MaxSize)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

var (
	goSkipRE      = regexp.MustCompile(`^\s*--- (SKIP|FAIL): Benchmark(\S+)`)
	commentSkipRE = regexp.MustCompile(`^#\s*skip:\s*(\S+?):\s*(.*)$`)
	logPrefixRE   = regexp.MustCompile(`^\S+\.go:\d+: `)
)

// scanSkips finds skipped rows in the text; benchfmt passes these lines
// over. go test -v prints a skipped benchmark's reason (its log) between the
// bare name line and "--- SKIP:"; runbench writes SkipLine.
func scanSkips(lines []string, file string) []Skip {
	indented := func(s string) bool {
		return len(s) > 0 && (s[0] == ' ' || s[0] == '\t') && strings.TrimSpace(s) != "" &&
			!strings.HasPrefix(strings.TrimSpace(s), "---")
	}
	var out []Skip
	for i, l := range lines {
		pos := fmt.Sprintf("%s:%d", file, i+1)
		if m := commentSkipRE.FindStringSubmatch(l); m != nil {
			r := strings.TrimSpace(m[2])
			if r == "" {
				r = "no reason given"
			}
			out = append(out, Skip{Name: rowName(m[1]), Reason: r, Pos: pos})
			continue
		}
		m := goSkipRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		var reason []string
		j := i - 1
		for j >= 0 && indented(lines[j]) {
			j--
		}
		if j >= 0 && j < i-1 && strings.TrimSpace(lines[j]) == rowspec.BenchName(m[2]) {
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
		out = append(out, Skip{Name: rowName(m[2]), Reason: r, Pos: pos})
	}
	return out
}

// Digest is a hash of the file's benchmark lines (each row's name and, line
// by line, its iterations and values as written), not of its config lines
// or its name: two files with one digest hold the same run, a copy.
func (f *File) Digest() string {
	h := sha256.New()
	for _, r := range f.Rows {
		fmt.Fprintf(h, "%s\x00%s\x00", r.Machine, r.Name)
		for _, s := range r.Samples {
			fmt.Fprintf(h, "%d", s.Iters)
			for _, v := range s.Values {
				fmt.Fprintf(h, " %x %s", math.Float64bits(v.Value), v.Unit)
			}
			h.Write([]byte{'\n'})
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
