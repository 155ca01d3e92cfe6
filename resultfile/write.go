package resultfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/perf/benchfmt"

	"github.com/clonebench/clonebench/hist"
)

// Line is one measured sample of one row: one benchmark line of a result
// file, and the latency histograms the sample recorded, for the sidecar.
type Line struct {
	Name   string // the benchmark name without "Benchmark", with -procs
	Iters  int
	Values []benchfmt.Value
	Hists  []Hist
	// Config are this line's own config lines, after the file's: what
	// varies per sample (runbench ab's round). benchfmt writes them where
	// they change.
	Config []Config
}

// Hist is one latency histogram of a sample, or of several samples of
// one row merged as they were taken (runbench keeps one per row and kind).
type Hist struct {
	Kind    string // hist.KindRoundTrip …
	Hist    *hist.Histogram
	Samples int // samples merged into Hist; 0 counts as one
}

// Write writes a result file: the config lines, one benchmark line per
// sample, then a "# skip:" line per row that did not run.
func Write(w io.Writer, config []Config, lines []Line, skips []Skip) error {
	cfg := make([]benchfmt.Config, len(config))
	for i, c := range config {
		cfg[i] = benchfmt.Config{Key: c.Key, Value: []byte(c.Value), File: true}
	}
	bw := bufio.NewWriter(w)
	fw := benchfmt.NewWriter(bw)
	for _, l := range lines {
		cfg := cfg
		for _, c := range l.Config {
			cfg = append(cfg[:len(cfg):len(cfg)], benchfmt.Config{Key: c.Key, Value: []byte(c.Value), File: true})
		}
		res := &benchfmt.Result{Config: cfg, Name: benchfmt.Name(l.Name), Iters: l.Iters, Values: l.Values}
		if err := fw.Write(res); err != nil {
			return err
		}
	}
	if len(skips) > 0 {
		bw.WriteString("\n")
	}
	for _, s := range skips {
		bw.WriteString(SkipLine(s.Name, s.Reason))
	}
	return bw.Flush()
}

// WriteSidecar writes the latency histograms of lines beside the result
// file at path (hist.SidecarPath: UTCTIME.txt → UTCTIME.hist), each row's
// samples merged into one histogram per kind, with WriteNew. Lines without
// histograms get no sidecar.
func WriteSidecar(path string, lines []Line) error {
	entries := sidecarEntries(lines)
	if len(entries) == 0 {
		return nil
	}
	return WriteNew(hist.SidecarPath(path), func(w io.Writer) error { return hist.Write(w, entries) })
}

func sidecarEntries(lines []Line) []hist.Entry {
	var out []hist.Entry
	at := map[[2]string]int{}
	for _, l := range lines {
		for _, h := range l.Hists {
			key := [2]string{"Benchmark" + l.Name, h.Kind}
			i, ok := at[key]
			if !ok {
				i = len(out)
				at[key] = i
				out = append(out, hist.Entry{Name: key[0], Kind: h.Kind, Hist: &hist.Histogram{}})
			}
			out[i].Hist.Merge(h.Hist)
			out[i].Samples += max(h.Samples, 1)
		}
	}
	return out
}

// WriteNew writes a new file at path with write: through a temporary file
// in the same directory, synced, then linked into place, so a reader never
// sees half a file, a crash leaves none, and an existing file is never
// replaced: if path exists the error wraps os.ErrExist. Missing
// directories are made; the file is 0644. Every file the suite writes goes
// through it (result files, sidecars, charts, report.md), or through
// WriteReplace where replacing is the point.
func WriteNew(path string, write func(io.Writer) error) error {
	return writeAtomic(path, write, false)
}

// WriteReplace is WriteNew for a file that is regenerated in place, so an
// existing file is replaced (rename(2), atomic): history -o's history.md and
// charts, redrawn from the same runs each night into one directory, and
// simkernel's embedded profile, refitted by go test -update. Results are
// never written with it: they are measurements, and a second run is a new
// file (WriteRun).
func WriteReplace(path string, write func(io.Writer) error) error {
	return writeAtomic(path, write, true)
}

func writeAtomic(path string, write func(io.Writer) error, replace bool) error {
	if err := writeTmp(path, write, replace); err != nil {
		// The user knows the name they gave, not our temporary one.
		return fmt.Errorf("writing %s: %w", path, UnwrapPath(err))
	}
	return nil
}

// CheckDir reports why WriteNew could not write into dir, creating nothing
// that stays: a missing directory is judged by its nearest existing
// ancestor, where MkdirAll would have to create it. A run asks before it
// spends minutes measuring.
func CheckDir(dir string) error {
	probe := dir
	for {
		fi, err := os.Stat(probe)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s is not a directory", probe)
			}
			break
		}
		if !errors.Is(err, os.ErrNotExist) {
			return UnwrapPath(err)
		}
		up := filepath.Dir(probe)
		if up == probe {
			return errors.New("no existing ancestor")
		}
		probe = up
	}
	f, err := os.CreateTemp(probe, ".runbench-probe-*")
	if err != nil {
		return fmt.Errorf("not writable: %w", UnwrapPath(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// unwrapPath drops the file name from a *PathError or *LinkError, which
// may be a temporary name the user never gave, keeping the cause.
func UnwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// writeTmp is the one temporary-file, fsync and link-or-rename in the
// suite.
func writeTmp(path string, write func(io.Writer) error, replace bool) error {
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
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if replace {
		return os.Rename(tmp.Name(), path)
	}
	// link(2) fails with EEXIST instead of replacing, unlike rename(2).
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return os.ErrExist
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
