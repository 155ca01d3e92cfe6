package resultfile

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRoundsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	res := filepath.Join(dir, "20260101T000000Z.txt")
	if got, err := ReadRounds(res); got != nil || err != nil {
		t.Fatalf("no sidecar: %v, %v; want nil, nil", got, err)
	}
	fork, thr := "Create/style=fork/cpu=same", "Create/style=thread/cpu=same"
	rounds := func(washout string, washoutMs ...float64) *Rounds {
		r := &Rounds{StealSource: "/proc/stat", CPUs: 2, Washout: washout, Rounds: []Round{
			{N: 1, WallMs: 812.5, StealMs: 0,
				Samples: []RoundRef{{fork, 0}, {thr, 0}, {"Switch/mech=pipe/mode=process/cpu=same/ws=0", 0}},
				Pairs:   [][2]RoundRef{{{fork, 0}, {thr, 0}}}},
			{N: 2, WallMs: 799, StealMs: 30,
				Samples: []RoundRef{{thr, 1}, {fork, 1}},
				Pairs:   [][2]RoundRef{{{thr, 1}, {fork, 1}}}},
		}}
		for i, ms := range washoutMs {
			r.Rounds[i].WashoutMs = ms
		}
		return r
	}
	for _, tc := range []struct {
		name string
		want *Rounds
		line string // the first round line as written
	}{
		{"washout", rounds("rcu-softirq quiet=10ms cap=200ms", 48.7, 0), "round 1 wall-ms 812.5 steal-ms 0 washout-ms 48.7"},
		{"no washout", rounds("none: open /proc/softirqs: no such file or directory", 0, 0), "round 1 wall-ms 812.5 steal-ms 0 washout-ms 0.0"},
		{"not recorded", rounds(""), "round 1 wall-ms 812.5 steal-ms 0\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := filepath.Join(t.TempDir(), "20260101T000000Z.txt")
			if err := WriteRounds(res, tc.want); err != nil {
				t.Fatal(err)
			}
			got, err := ReadRounds(res)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("read back\n%+v\nwant\n%+v", got, tc.want)
			}
			b, err := os.ReadFile(RoundsPath(res))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tc.line) {
				t.Errorf("sidecar has no %q:\n%s", tc.line, b)
			}
		})
	}
	if err := WriteRounds(res, rounds("")); err != nil {
		t.Fatal(err)
	}
	if err := WriteRounds(res, rounds("")); !errors.Is(err, os.ErrExist) {
		t.Errorf("second write: %v, want ErrExist", err)
	}
	if _, err := ReadRun(RoundsPath(res)); err == nil || !strings.Contains(err.Error(), "rounds sidecar") {
		t.Errorf("ReadRun of the sidecar: %v, want a refusal", err)
	}
}

// TestParseRoundsWashout: a file written before the washout was recorded
// reads as none recorded; one written after reads each round's wait.
func TestParseRoundsWashout(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		source     string
		ms         []float64
	}{
		{"old format", roundsMagic + "\nsteal-source: /proc/stat\ncpus: 2\nround 1 wall-ms 812.4 steal-ms 0\nsample X 0\nround 2 wall-ms 799.0 steal-ms -\n",
			"", []float64{0, 0}},
		{"washout", roundsMagic + "\nsteal-source: /proc/stat\ncpus: 2\nwashout: rcu-softirq quiet=10ms cap=200ms\nround 1 wall-ms 812.4 steal-ms 0 washout-ms 98.2\nsample X 0\nround 2 wall-ms 799.0 steal-ms - washout-ms 0.0\n",
			"rcu-softirq quiet=10ms cap=200ms", []float64{98.2, 0}},
		{"none", roundsMagic + "\nsteal-source: /proc/stat\ncpus: 1\nwashout: none: simulated rows only\nround 1 wall-ms 1.0 steal-ms 0 washout-ms 0.0\n",
			"none: simulated rows only", []float64{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRounds(strings.NewReader(tc.text), "x.pairs")
			if err != nil {
				t.Fatal(err)
			}
			if r.Washout != tc.source {
				t.Errorf("washout %q, want %q", r.Washout, tc.source)
			}
			var ms []float64
			for _, rd := range r.Rounds {
				ms = append(ms, rd.WashoutMs)
			}
			if !reflect.DeepEqual(ms, tc.ms) {
				t.Errorf("washout-ms %v, want %v", ms, tc.ms)
			}
		})
	}
}

func TestParseRounds(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		ok         bool
	}{
		{"unknown steal", roundsMagic + "\nsteal-source: none: no /proc/stat\ncpus: 1\nround 1 wall-ms 1.0 steal-ms -\n", true},
		{"no magic", "round 1 wall-ms 1 steal-ms 0\n", false},
		{"sample before a round", roundsMagic + "\nsample X 0\n", false},
		{"negative index", roundsMagic + "\nround 1 wall-ms 1 steal-ms 0\nsample X -1\n", false},
		{"bad steal", roundsMagic + "\nround 1 wall-ms 1 steal-ms -3\n", false},
		{"washout-ms not a number", roundsMagic + "\nround 1 wall-ms 1 steal-ms - washout-ms -\n", false},
		{"negative washout", roundsMagic + "\nround 1 wall-ms 1 steal-ms - washout-ms -1\n", false},
		{"washout-ms without a value", roundsMagic + "\nround 1 wall-ms 1 steal-ms - washout-ms\n", false},
		{"another field", roundsMagic + "\nround 1 wall-ms 1 steal-ms - other-ms 1\n", false},
		{"empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRounds(strings.NewReader(tc.text), "x.pairs")
			if tc.ok != (err == nil) {
				t.Fatalf("err %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Errorf("err %v does not wrap ErrMalformed", err)
			}
			if tc.ok && !math.IsNaN(r.Rounds[0].StealMs) {
				t.Errorf("steal %v, want NaN", r.Rounds[0].StealMs)
			}
		})
	}
}
