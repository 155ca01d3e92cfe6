package hist

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Header is the sidecar's first line.
const Header = "# clonebench-hist v1: log-linear, 32 sub-buckets per power of two, values in ns"

// Kinds of histogram a row stores.
const (
	KindRoundTrip = "roundtrip" // one switch-row round trip
	KindWake      = "wake"      // waker's wake call to the wakee in user space
)

// Entry is one histogram of a sidecar: a row's name (as its result file
// writes it), the kind, and how many samples were merged into it.
type Entry struct {
	Name    string
	Kind    string
	Samples int
	Hist    *Histogram
}

// Write writes entries in the sidecar format.
func Write(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, Header)
	for _, e := range entries {
		if strings.ContainsAny(e.Name, " \t\n") || e.Name == "" {
			return fmt.Errorf("hist: name %q: want a benchmark name without blanks", e.Name)
		}
		if e.Kind != KindRoundTrip && e.Kind != KindWake {
			return fmt.Errorf("hist: %s: kind %q, want %s or %s", e.Name, e.Kind, KindRoundTrip, KindWake)
		}
		fmt.Fprintf(bw, "H %s %s %d", e.Name, e.Kind, e.Samples)
		for _, b := range e.Hist.Nonzero() {
			fmt.Fprintf(bw, " %d=%d", b.Index, b.Count)
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// Read reads a sidecar, merging lines of one name and kind, in the order
// each first appears. name labels errors (a path).
func Read(r io.Reader, name string) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var out []Entry
	at := map[[2]string]int{}
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			if line == 1 && s != Header && strings.HasPrefix(s, "# clonebench-hist") {
				return nil, fmt.Errorf("%s:%d: unsupported sidecar version %q", name, line, s)
			}
			continue
		}
		f := strings.Fields(s)
		if len(f) < 4 || f[0] != "H" {
			return nil, fmt.Errorf("%s:%d: want \"H name kind samples bucket=count…\"", name, line)
		}
		e := Entry{Name: f[1], Kind: f[2], Hist: &Histogram{}}
		if e.Kind != KindRoundTrip && e.Kind != KindWake {
			return nil, fmt.Errorf("%s:%d: kind %q, want %s or %s", name, line, e.Kind, KindRoundTrip, KindWake)
		}
		n, err := strconv.Atoi(f[3])
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s:%d: samples %q: want a count", name, line, f[3])
		}
		e.Samples = n
		prev := -1
		for _, kv := range f[4:] {
			k, v, ok := strings.Cut(kv, "=")
			i, err1 := strconv.Atoi(k)
			c, err2 := strconv.ParseUint(v, 10, 64)
			if !ok || err1 != nil || err2 != nil || i < 0 || i >= Buckets || i <= prev {
				return nil, fmt.Errorf("%s:%d: bucket %q: want index=count with increasing indexes below %d", name, line, kv, Buckets)
			}
			prev = i
			e.Hist.counts[i] += c
			e.Hist.n += c
		}
		key := [2]string{e.Name, e.Kind}
		if j, ok := at[key]; ok {
			out[j].Hist.Merge(e.Hist)
			out[j].Samples += e.Samples
			continue
		}
		at[key] = len(out)
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// SidecarPath is the sidecar of a result file: the same name with .hist
// for its extension.
func SidecarPath(result string) string {
	if i := strings.LastIndexByte(result, '.'); i > strings.LastIndexByte(result, '/') {
		return result[:i] + ".hist"
	}
	return result + ".hist"
}
