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
	want := &Rounds{StealSource: "/proc/stat", CPUs: 2, Rounds: []Round{
		{N: 1, WallMs: 812.5, StealMs: 0,
			Samples: []RoundRef{{fork, 0}, {thr, 0}, {"Switch/mech=pipe/mode=process/cpu=same/ws=0", 0}},
			Pairs:   [][2]RoundRef{{{fork, 0}, {thr, 0}}}},
		{N: 2, WallMs: 799, StealMs: 30,
			Samples: []RoundRef{{thr, 1}, {fork, 1}},
			Pairs:   [][2]RoundRef{{{thr, 1}, {fork, 1}}}},
	}}
	if err := WriteRounds(res, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRounds(res)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
	if err := WriteRounds(res, want); !errors.Is(err, os.ErrExist) {
		t.Errorf("second write: %v, want ErrExist", err)
	}
	if _, err := ReadRun(RoundsPath(res)); err == nil || !strings.Contains(err.Error(), "rounds sidecar") {
		t.Errorf("ReadRun of the sidecar: %v, want a refusal", err)
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
