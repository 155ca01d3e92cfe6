package ab

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"time"

	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
)

// rounds takes rounds of pairs until the session should stop, and returns
// how many it completed.
func (s *session) rounds() int {
	var last time.Duration
	done := 0
	for round := 1; ; round++ {
		if s.ctx.Err() != nil || s.fatal != nil {
			return done
		}
		live := s.live()
		if len(live) == 0 {
			return done
		}
		t0 := s.opts.Now()
		s.rng.Shuffle(len(live), func(i, j int) { live[i], live[j] = live[j], live[i] })
		for _, r := range live {
			if !s.pair(r, round) {
				return done
			}
		}
		done, last = round, s.opts.Now().Sub(t0)
		widest, name := s.widest()
		s.progress(round, widest, name)
		switch {
		case round < MinRounds:
		case s.opts.Rounds > 0 && round >= s.opts.Rounds:
			return done
		case s.opts.Target > 0 && widest <= s.opts.Target:
			return done
		case s.opts.Now().Sub(s.start)+last > s.opts.Budget:
			return done
		}
	}
}

// live is the rows still compared.
func (s *session) live() []*row {
	var out []*row
	for _, r := range s.rows {
		if r.failed == "" {
			out = append(out, r)
		}
	}
	return out
}

// pair takes r's sample on each side, back to back in a random order. A
// failed sample fails the row; false means the session stops.
func (s *session) pair(r *row, round int) bool {
	order := [2]int{0, 1}
	if s.rng.IntN(2) == 1 {
		order = [2]int{1, 0}
	}
	var ns [2]float64
	for _, i := range order {
		l, v, err, fatal := s.run(r, i, strconv.Itoa(r.n)+"x")
		switch {
		case errors.Is(err, errStopped):
			return false
		case fatal:
			s.fatal = err
			return false
		case err != nil:
			r.failed = fmt.Sprintf("side %s, round %d: %v", "AB"[i:i+1], round, err)
			fmt.Fprintf(s.stderr, "[runbench] ab %s: failed: %s\n", r.spec, r.failed)
			return true
		}
		s.lines[i] = append(s.lines[i], l)
		s.lineRound[i] = append(s.lineRound[i], round)
		ns[i] = v
	}
	r.a, r.b, r.rounds = append(r.a, ns[0]), append(r.b, ns[1]), append(r.rounds, round)
	return true
}

// paired is the live rows' pairs, as comparison takes them.
func (s *session) paired() []comparison.PairedRow {
	var out []comparison.PairedRow
	for _, r := range s.live() {
		if len(r.a) > 0 {
			out = append(out, comparison.PairedRow{Name: r.spec.String(), A: r.a, B: r.b, Rounds: r.rounds})
		}
	}
	return out
}

// compare is the comparison of the live rows' pairs, with each row's
// interval half-width.
func (s *session) compare(a, b comparison.Side) (*comparison.Comparison, map[string]float64, error) {
	c, err := comparison.ComparePaired(s.paired(), a, b, s.opts.Compare)
	if err != nil {
		return nil, nil, err
	}
	hw := map[string]float64{}
	for _, r := range c.Primary().Rows {
		hw[r.Name] = HalfWidth(r)
	}
	return c, hw, nil
}

// HalfWidth is the larger side of r's interval around its change: the
// ±P a target asks of it; +Inf while the interval is unbounded.
func HalfWidth(r *comparison.Row) float64 {
	hw := max(r.Change-r.ChangeLo, r.ChangeHi-r.Change)
	if math.IsNaN(hw) {
		return math.Inf(1)
	}
	return hw
}

// widest is the widest half-width among the rows compared so far, and its
// row.
func (s *session) widest() (float64, string) {
	_, hw, err := s.compare(comparison.Side{}, comparison.Side{})
	if err != nil {
		return math.Inf(1), ""
	}
	w, name := -1.0, ""
	for n, h := range hw {
		if h > w || (h == w && n < name) {
			w, name = h, n
		}
	}
	return w, name
}

func (s *session) progress(round int, widest float64, name string) {
	of := ""
	if s.opts.Rounds > 0 {
		of = "/" + strconv.Itoa(s.opts.Rounds)
	}
	hw := "unbounded"
	if !math.IsInf(widest, 1) {
		hw = fmt.Sprintf("±%.2f%%", widest*100)
	}
	target := ""
	if s.opts.Target > 0 {
		target = fmt.Sprintf(" (target ±%g%%)", s.opts.Target*100)
	}
	if name != "" {
		hw += " (" + name + ")"
	}
	fmt.Fprintf(s.stderr, "[runbench] ab round %d%s: %d rows, widest CI half-width %s%s, %s elapsed\n",
		round, of, len(s.live()), hw, target, s.opts.Now().Sub(s.start).Round(time.Second))
}

// write writes each side's samples to a.txt and b.txt in dir, marked
// partial when the session was stopped, and returns their paths. A side
// without samples gets no file.
func (s *session) write(dir string, config [2][]resultfile.Config) ([]string, error) {
	var out []string
	for i, name := range []string{"a.txt", "b.txt"} {
		if len(s.lines[i]) == 0 {
			continue
		}
		cfg := config[i]
		if s.ctx.Err() != nil || s.fatal != nil {
			cfg = append(cfg[:len(cfg):len(cfg)], resultfile.Config{Key: sysinfo.KeyPartial, Value: "true"})
		}
		path := filepath.Join(dir, name)
		if err := resultfile.WriteNew(path, func(w io.Writer) error { return resultfile.Write(w, cfg, s.lines[i], nil) }); err != nil {
			return out, err
		}
		// Each sample's round goes in the rounds sidecar, as runbench
		// run records its own: a round line in the result file would split
		// benchstat's tables.
		if err := resultfile.WriteRounds(path, s.roundsOf(i)); err != nil {
			return out, fmt.Errorf("%s written, but its rounds sidecar: %w", path, err)
		}
		out = append(out, path)
	}
	return out, nil
}

// roundsOf is side i's rounds: each sample's row and index in the file,
// round by round.
func (s *session) roundsOf(i int) *resultfile.Rounds {
	out := &resultfile.Rounds{StealSource: "none: runbench ab does not read steal time"}
	index := map[string]int{}
	for k, l := range s.lines[i] {
		n := s.lineRound[i][k]
		if len(out.Rounds) == 0 || out.Rounds[len(out.Rounds)-1].N != n {
			out.Rounds = append(out.Rounds, resultfile.Round{N: n, StealMs: math.NaN()})
		}
		name := l.Name
		r := &out.Rounds[len(out.Rounds)-1]
		r.Samples = append(r.Samples, resultfile.RoundRef{Row: name, Index: index[name]})
		index[name]++
	}
	return out
}

// readSides reads a.txt and b.txt back: the comparison lists them, and a
// file that does not read is an error now rather than for its reader.
func readSides(paths []string) (a, b comparison.Side, err error) {
	if len(paths) != 2 {
		return a, b, errors.New("a side has no sample")
	}
	fa, err := resultfile.ReadRun(paths[0])
	if err != nil {
		return a, b, err
	}
	fb, err := resultfile.ReadRun(paths[1])
	if err != nil {
		return a, b, err
	}
	return comparison.Side{Name: "A", Files: []*resultfile.File{fa}, Machine: fa.Machine()},
		comparison.Side{Name: "B", Files: []*resultfile.File{fb}, Machine: fb.Machine()}, nil
}
