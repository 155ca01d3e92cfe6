package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/clonebench/clonebench/internal/sysinfo"
)

// skipPrefix starts the line that records a row which did not run. benchfmt
// readers (benchstat included) ignore it: it is neither a benchmark line
// nor a config line, because a config key cannot start with '#'.
const skipPrefix = "# skip: "

// skipped is a row that did not run, and why.
type skipped struct {
	Name   string // catalogue name, e.g. "Create/style=pthread"
	Reason string
}

// resultSet is one result file, read for compare and report.
type resultSet struct {
	path string
	// config is the file config of the first result; machine keys are
	// checked to be the same for every result in the file.
	config []benchfmt.Config
	names  []string                        // full names in first-seen order
	values map[string]map[string][]float64 // name → tidied unit → samples
	units  []string                        // tidied units in first-seen order
	orig   map[string]string               // tidied unit → unit as written
}

// get returns a config value, "" if absent.
func (s *resultSet) get(key string) string {
	for _, c := range s.config {
		if c.Key == key {
			return string(c.Value)
		}
	}
	return ""
}

func (s *resultSet) has(key string) bool {
	for _, c := range s.config {
		if c.Key == key {
			return true
		}
	}
	return false
}

// readResults reads a Go benchmark format file (runbench's or go test
// -bench's). Any problem is bad input naming the file: it cannot be opened,
// a benchmark line does not parse, it holds no results, or its machine
// config changes part way.
func readResults(path string) (*resultSet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, badInput("%v", err)
	}
	return parseResults(path, data)
}

func parseResults(path string, data []byte) (*resultSet, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, badInput("%s: binary data, not Go benchmark format", path)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		// Both go test and runbench end every line; a file cut mid-line
		// may still parse, with its last figure silently wrong.
		return nil, badInput("%s: truncated (last line has no newline)", path)
	}
	s := &resultSet{path: path, values: map[string]map[string][]float64{}, orig: map[string]string{}}
	r := benchfmt.NewReader(bytes.NewReader(data), path)
	first := true
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, badInput("%v", rec)
		case *benchfmt.UnitMetadata:
			// Accepted and ignored: every clonebench unit is lower-is-better.
		case *benchfmt.Result:
			if first {
				for _, c := range rec.Config {
					if c.File {
						s.config = append(s.config, benchfmt.Config{Key: c.Key, Value: bytes.Clone(c.Value), File: true})
					}
				}
				first = false
			} else if err := s.sameMachine(rec); err != nil {
				return nil, err
			}
			name := string(rec.Name.Full())
			if len(rec.Values) == 0 {
				return nil, badInput("%s:%d: %s has no values", path, line(rec), name)
			}
			m, ok := s.values[name]
			if !ok {
				m = map[string][]float64{}
				s.values[name] = m
				s.names = append(s.names, name)
			}
			for _, v := range rec.Values {
				if _, ok := s.orig[v.Unit]; !ok {
					s.units = append(s.units, v.Unit)
					s.orig[v.Unit] = v.OrigUnit
					if v.OrigUnit == "" {
						s.orig[v.Unit] = v.Unit
					}
				}
				m[v.Unit] = append(m[v.Unit], v.Value)
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, badInput("%v", err)
	}
	if len(s.names) == 0 {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, badInput("%s: empty file", path)
		}
		return nil, badInput("%s: no benchmark results (not Go benchmark format?)", path)
	}
	if err := s.checkUnits(); err != nil {
		return nil, err
	}
	return s, nil
}

// checkUnits refuses a file whose units cannot be compared: a row with no
// time per op (ns/op or sim-ns/op), or a row with both. A file may hold
// simulated rows beside real ones — on a host without raw clone the
// default run simulates the Linux-only rows and runs the portable ones for
// real — but one row is one or the other.
func (s *resultSet) checkUnits() error {
	for _, name := range s.names {
		var real, sim bool
		for u := range s.values[name] {
			real = real || s.orig[u] == "ns/op"
			sim = sim || s.orig[u] == "sim-ns/op"
		}
		switch {
		case real && sim:
			return badInput("%s: %s mixes simulated (sim-ns/op) and real (ns/op) samples", s.path, name)
		case !real && !sim:
			return badInput("%s: %s has no ns/op or sim-ns/op figure (wrong units?)", s.path, name)
		}
	}
	return nil
}

func line(r *benchfmt.Result) int {
	_, l := r.Pos()
	return l
}

// sameMachine refuses a file whose machine config changes between results:
// two runs pasted together are two files.
func (s *resultSet) sameMachine(rec *benchfmt.Result) error {
	for _, key := range sysinfo.MachineKeys {
		if s.get(key) != rec.GetConfig(key) {
			return badInput("%s:%d: config %q changes from %q to %q: results from different machines in one file",
				s.path, line(rec), key, s.get(key), rec.GetConfig(key))
		}
	}
	return nil
}

// sample is one measured sample of one row, as one benchmark line.
type sample struct {
	name   string // full benchmark name without "Benchmark", with -procs
	iters  int
	values []benchfmt.Value
}

// writeResults writes config lines, one benchmark line per sample, and the
// skipped rows.
func writeResults(w io.Writer, config []sysinfo.Fact, samples []sample, skips []skipped) error {
	cfg := make([]benchfmt.Config, len(config))
	for i, f := range config {
		cfg[i] = benchfmt.Config{Key: f.Key, Value: []byte(f.Value), File: true}
	}
	bw := bufio.NewWriter(w)
	fw := benchfmt.NewWriter(bw)
	for _, s := range samples {
		res := &benchfmt.Result{Config: cfg, Name: benchfmt.Name(s.name), Iters: s.iters, Values: s.values}
		if err := fw.Write(res); err != nil {
			return err
		}
	}
	if len(skips) > 0 {
		bw.WriteString("\n")
	}
	for _, s := range skips {
		fmt.Fprintf(bw, "%s%s: %s\n", skipPrefix, s.Name, oneLine(s.Reason))
	}
	return bw.Flush()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// writeNew writes data to path through a temporary file in the same
// directory and links it into place, so a reader never sees half a file
// and an existing file is never replaced: if path exists the error wraps
// os.ErrExist.
func writeNew(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".runbench-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes 0600; results are for everyone to read.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// link(2) fails with EEXIST instead of replacing, unlike rename(2).
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s: %w", path, os.ErrExist)
		}
		// A file system without hard links: reserve the name, then rename
		// over our own empty reservation.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		f.Close()
		return os.Rename(tmp.Name(), path)
	}
	return nil
}

// writeFresh writes to base+ext, or base-2+ext, base-3+ext … if taken, and
// returns the name it used.
func writeFresh(base, ext string, write func(io.Writer) error) (string, error) {
	for i := 1; i < 1000; i++ {
		path := base + ext
		if i > 1 {
			path = fmt.Sprintf("%s-%d%s", base, i, ext)
		}
		err := writeNew(path, write)
		if err == nil {
			return path, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("%s%s: no free name", base, ext)
}
