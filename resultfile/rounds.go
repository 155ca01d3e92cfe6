package resultfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
)

// RoundsExt is the extension of a run's rounds sidecar: UTCTIME.txt →
// UTCTIME.pairs.
const RoundsExt = ".pairs"

// RoundsPath is the rounds sidecar of the result file at path.
func RoundsPath(result string) string {
	if i := strings.LastIndexByte(result, '.'); i > strings.LastIndexByte(result, '/') {
		return result[:i] + RoundsExt
	}
	return result + RoundsExt
}

// Rounds is what a run records of its rounds, beside its result file: which
// sample of which row each round took, in the order taken, which of them
// were measured back to back as a pair, the machine's steal time in each
// round, and how long each round waited for the kernel between a pair's
// samples. A result file without one (older, or not written by runbench
// run) has no rounds: its ratios have no pairs.
type Rounds struct {
	// StealSource says where steal time came from ("/proc/stat"), or why
	// there is none ("none: …"); Round.Steal is NaN then.
	StealSource string
	CPUs        int // the machine's CPUs, the steal's denominator
	// Washout says what the later sample of each pair waited for, and by
	// what rule ("rcu-softirq quiet=10ms cap=200ms"), or why it waited for
	// nothing ("none: …"); "" in files of runs that did not record it,
	// whose Round.WashoutMs are 0.
	Washout string
	Rounds  []Round
}

// Round is one round of a run.
type Round struct {
	N       int     // 1, 2, …
	WallMs  float64 // the round's wall time
	StealMs float64 // steal time during the round, summed over CPUs; NaN if unknown
	// WashoutMs is the round's time spent waiting, outside every sample,
	// between its pairs' samples (Rounds.Washout).
	WashoutMs float64
	Samples   []RoundRef    // every sample taken, in order
	Pairs     [][2]RoundRef // the pairs, each in the order measured
}

// RoundRef is one sample of a row: Row is the row's name as Row.Name
// (without "Benchmark" or -N), Index the sample's place among that row's
// samples in the result file (0-based).
type RoundRef struct {
	Row   string
	Index int
}

// The sidecar is text, one record a line, fields separated by spaces (row
// names hold none):
//
//	clonebench-rounds v1
//	steal-source: /proc/stat
//	cpus: 2
//	washout: rcu-softirq quiet=10ms cap=200ms
//	round 1 wall-ms 812.4 steal-ms 0 washout-ms 98.2
//	sample Create/style=fork/cpu=same 0
//	sample Create/style=thread/cpu=same 0
//	pair Create/style=fork/cpu=same 0 Create/style=thread/cpu=same 0
//
// A round's sample and pair lines follow its round line; steal-ms is "-"
// when unknown. The washout line and washout-ms came later: a file
// without them still reads (Washout "", WashoutMs 0); WriteRounds puts
// washout-ms on every round line when it writes a washout line.
const roundsMagic = "clonebench-rounds v1"

// WriteRounds writes the rounds sidecar of the result file at path with
// WriteNew. A run without rounds writes none.
func WriteRounds(path string, r *Rounds) error {
	if r == nil || len(r.Rounds) == 0 {
		return nil
	}
	return WriteNew(RoundsPath(path), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, "%s\nsteal-source: %s\ncpus: %d\n", roundsMagic, strings.Join(strings.Fields(r.StealSource), " "), r.CPUs)
		if r.Washout != "" {
			fmt.Fprintf(bw, "washout: %s\n", strings.Join(strings.Fields(r.Washout), " "))
		}
		for _, rd := range r.Rounds {
			steal := "-"
			if !math.IsNaN(rd.StealMs) {
				steal = strconv.FormatFloat(rd.StealMs, 'f', -1, 64)
			}
			fmt.Fprintf(bw, "round %d wall-ms %s steal-ms %s", rd.N, strconv.FormatFloat(rd.WallMs, 'f', 1, 64), steal)
			if r.Washout != "" {
				fmt.Fprintf(bw, " washout-ms %s", strconv.FormatFloat(rd.WashoutMs, 'f', 1, 64))
			}
			fmt.Fprintln(bw)
			for _, s := range rd.Samples {
				fmt.Fprintf(bw, "sample %s %d\n", s.Row, s.Index)
			}
			for _, p := range rd.Pairs {
				fmt.Fprintf(bw, "pair %s %d %s %d\n", p[0].Row, p[0].Index, p[1].Row, p[1].Index)
			}
		}
		return bw.Flush()
	})
}

// ReadRounds reads the rounds sidecar of the result file at path: nil, nil
// when there is none. One that does not parse is an error naming it and
// the line, wrapping ErrMalformed.
func ReadRounds(path string) (*Rounds, error) {
	if path == "" {
		return nil, nil
	}
	sp := RoundsPath(path)
	f, err := os.Open(sp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("rounds sidecar: %w", err)
	}
	defer f.Close()
	return ParseRounds(io.LimitReader(f, MaxSize), sp)
}

// ParseRounds reads a rounds sidecar; name is used in errors.
func ParseRounds(r io.Reader, name string) (*Rounds, error) {
	out := &Rounds{}
	sc := bufio.NewScanner(r)
	n := 0
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s:%d: %s: %w", name, n, fmt.Sprintf(format, a...), ErrMalformed)
	}
	ref := func(row, idx string) (RoundRef, error) {
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 {
			return RoundRef{}, bad("sample index %q", idx)
		}
		return RoundRef{row, i}, nil
	}
	for sc.Scan() {
		n++
		line := sc.Text()
		f := strings.Fields(line)
		if n == 1 {
			if line != roundsMagic {
				return nil, bad("not a rounds sidecar (want %q first)", roundsMagic)
			}
			continue
		}
		if len(f) == 0 {
			continue
		}
		var cur *Round
		if len(out.Rounds) > 0 {
			cur = &out.Rounds[len(out.Rounds)-1]
		}
		switch {
		case strings.HasPrefix(line, "steal-source: "):
			out.StealSource = strings.TrimPrefix(line, "steal-source: ")
		case strings.HasPrefix(line, "washout: "):
			out.Washout = strings.TrimPrefix(line, "washout: ")
		case f[0] == "cpus:" && len(f) == 2:
			c, err := strconv.Atoi(f[1])
			if err != nil {
				return nil, bad("cpus %q", f[1])
			}
			out.CPUs = c
		case f[0] == "round" && (len(f) == 6 || len(f) == 8 && f[6] == "washout-ms") && f[2] == "wall-ms" && f[4] == "steal-ms":
			rd := Round{StealMs: math.NaN()}
			var err error
			if rd.N, err = strconv.Atoi(f[1]); err != nil {
				return nil, bad("round %q", f[1])
			}
			if rd.WallMs, err = strconv.ParseFloat(f[3], 64); err != nil {
				return nil, bad("wall-ms %q", f[3])
			}
			if f[5] != "-" {
				if rd.StealMs, err = strconv.ParseFloat(f[5], 64); err != nil || rd.StealMs < 0 || math.IsInf(rd.StealMs, 0) {
					return nil, bad("steal-ms %q", f[5])
				}
			}
			if len(f) == 8 {
				if rd.WashoutMs, err = strconv.ParseFloat(f[7], 64); err != nil || rd.WashoutMs < 0 || math.IsInf(rd.WashoutMs, 0) || math.IsNaN(rd.WashoutMs) {
					return nil, bad("washout-ms %q", f[7])
				}
			}
			out.Rounds = append(out.Rounds, rd)
		case f[0] == "sample" && len(f) == 3 && cur != nil:
			s, err := ref(f[1], f[2])
			if err != nil {
				return nil, err
			}
			cur.Samples = append(cur.Samples, s)
		case f[0] == "pair" && len(f) == 5 && cur != nil:
			a, err := ref(f[1], f[2])
			if err != nil {
				return nil, err
			}
			b, err := ref(f[3], f[4])
			if err != nil {
				return nil, err
			}
			cur.Pairs = append(cur.Pairs, [2]RoundRef{a, b})
		default:
			return nil, bad("unexpected line %q", line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: empty: %w", name, ErrMalformed)
	}
	return out, nil
}

// Sample is the sample ref names in f, if f holds it. The index counts
// the name's samples through the file, so it holds when a config line
// printed mid-file split the name into two rows.
func (f *File) Sample(ref RoundRef) (*Row, Sample, bool) {
	i := ref.Index
	for _, r := range f.Rows {
		if r.Name != ref.Row {
			continue
		}
		if i < len(r.Samples) {
			return r, r.Samples[i], true
		}
		i -= len(r.Samples)
	}
	return nil, Sample{}, false
}
