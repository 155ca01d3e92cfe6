//go:build linux

package workloads

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
)

func scalingRows() []Row {
	var rows []Row
	for _, f := range []rowspec.Family{rowspec.CreatePar, rowspec.CreateThreads, rowspec.CreateMaps} {
		rows = append(rows, Family(f)...)
	}
	return rows
}

// taskCount is the length of /proc/self/task once threads that are
// leaving have left.
func taskCount(t *testing.T) int {
	t.Helper()
	if err := rawclone.SettleExiting(taskGoneGrace); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestScalingRowsRun: every row runs here with a few ops, or skips with
// its reason; CreatePar reports creations/s and overlap beside ns/op.
func TestScalingRowsRun(t *testing.T) {
	ran := 0
	for _, r := range scalingRows() {
		if reason := r.Skip(); reason != "" {
			if r.Family() != rowspec.CreatePar || !strings.Contains(reason, "CPUs") {
				t.Errorf("%s: skips here: %s", r.Name, reason)
			}
			continue
		}
		if r.NoSim == "" || r.Sim != nil {
			t.Errorf("%s: want no Sim and the reason (NoSim)", r.Name)
		}
		res, err := r.Run(3)
		if err != nil {
			t.Errorf("%s: %v", r.Name, err)
			continue
		}
		ran++
		if res.N != 3 || res.PerOp() <= 0 || res.Unit != rowspec.UnitNsOp {
			t.Errorf("%s: N=%d ns/op=%v unit %q", r.Name, res.N, res.PerOp(), res.Unit)
		}
		if r.Family() == rowspec.CreatePar {
			var units []string
			for _, m := range res.Metrics {
				units = append(units, m.Unit)
				if m.Unit == rowspec.UnitOverlap && (m.Value < 0 || m.Value > 1) {
					t.Errorf("%s: overlap %v outside [0, 1]", r.Name, m.Value)
				}
				if m.Unit == rowspec.UnitCreationsPerSec && m.Value <= 0 {
					t.Errorf("%s: creations/s %v", r.Name, m.Value)
				}
			}
			for _, u := range []string{rowspec.UnitCreationsPerSec, rowspec.UnitOverlap} {
				if !slices.Contains(units, u) {
					t.Errorf("%s: no %s metric in %v", r.Name, u, units)
				}
			}
		}
	}
	if ran == 0 {
		t.Skip("no scaling row runs here")
	}
}

// TestCreateThreadsHoldsAndEnds: the row's idle threads are in
// /proc/self/task while held, and gone after.
func TestCreateThreadsHoldsAndEnds(t *testing.T) {
	needRawClone(t)
	for _, n := range []int{8, 512} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			before := taskCount(t)
			release, err := holdIdleThreads(n)
			if err != nil {
				t.Fatal(err)
			}
			if held := taskCount(t); held < before+n {
				t.Errorf("holding %d idle threads: %d tasks, want at least %d", n, held, before+n)
			}
			if err := release(); err != nil {
				t.Fatal(err)
			}
			if after := taskCount(t); after > before {
				t.Errorf("after release: %d tasks, had %d", after, before)
			}
		})
	}
	// The rows themselves leave none behind.
	for _, r := range Family(rowspec.CreateThreads) {
		before := taskCount(t)
		if _, err := r.Run(2); err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		if after := taskCount(t); after > before {
			t.Errorf("%s: %d tasks after, %d before", r.Name, after, before)
		}
	}
}

// TestCreateMapsHoldsSeparateMappings: n mappings are n more VMAs (none
// merged), and all are gone after.
func TestCreateMapsHoldsSeparateMappings(t *testing.T) {
	needRawClone(t)
	const n = 1024
	maps := func() int {
		_, _, m, err := procfs.Counts()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	before := maps()
	release, err := holdMappings(n)
	if err != nil {
		t.Fatal(err)
	}
	if held := maps(); held < before+n {
		t.Errorf("holding %d mappings: %d VMAs, want at least %d", n, held, before+n)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if after := maps(); after > before+8 { // the runtime's own may move a little
		t.Errorf("after release: %d VMAs, had %d", after, before)
	}
}

// TestCreateMapsSlopeSign: the one claim about these rows on this
// machine, a sign and never a figure: more mappings do not make fork
// cheaper. The best of a few ops at 16384 mappings is no less than the
// best at none.
func TestCreateMapsSlopeSign(t *testing.T) {
	needRawClone(t)
	best := func(maps int) time.Duration {
		sp := rowspec.Spec{Family: rowspec.CreateMaps, Style: rowspec.StyleFork, Maps: maps}
		for _, r := range Family(rowspec.CreateMaps) {
			if r.Spec != sp {
				continue
			}
			if reason := r.Skip(); reason != "" {
				t.Skip(reason)
			}
			res, err := r.Run(5)
			if err != nil {
				t.Fatal(err)
			}
			return slices.Min(res.Samples)
		}
		t.Fatalf("no row %s", sp)
		return 0
	}
	lo, hi := best(0), best(16384)
	if hi < lo {
		t.Errorf("fork with 16384 more mappings (best %v) is cheaper than with none (best %v)", hi, lo)
	}
}

// TestParResult: the common window, the share of a cut op, and the
// fall-back to the whole span when the creators hardly overlapped.
func TestParResult(t *testing.T) {
	ms := time.Millisecond
	loop := func(start time.Duration, ops ...time.Duration) rawclone.LoopResult {
		var sum time.Duration
		for _, d := range ops {
			sum += d
		}
		return rawclone.LoopResult{Ops: ops, Start: start, End: start + sum, Elapsed: sum}
	}
	for _, tc := range []struct {
		name       string
		loops      []rawclone.LoopResult
		perCreator time.Duration // ns/op
		rate       float64       // creations/s
		overlap    float64
	}{
		{
			name:  "in step",
			loops: []rawclone.LoopResult{loop(0, ms, ms, ms, ms), loop(0, ms, ms, ms, ms)},
			// window [0, 4 ms], 8 creations.
			perCreator: ms, rate: 2000, overlap: 1,
		},
		{
			name:  "one starts late",
			loops: []rawclone.LoopResult{loop(0, ms, ms, ms, ms), loop(ms/2, ms, ms, ms, ms)},
			// window [0.5, 4] ms: 3.5 creations of the first, 3.5 of the second.
			perCreator: ms, rate: 2000, overlap: 3.5 / 4.5,
		},
		{
			name:  "no overlap",
			loops: []rawclone.LoopResult{loop(0, ms, ms), loop(5*ms, ms, ms)},
			// the whole 7 ms span, 4 creations.
			perCreator: 7 * ms / 2, rate: 4 / 0.007, overlap: 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := parResult(tc.loops)
			if err != nil {
				t.Fatal(err)
			}
			if d := res.PerOp() - float64(tc.perCreator); d > 1 || d < -1 {
				t.Errorf("ns/op %v, want %v", res.PerOp(), float64(tc.perCreator))
			}
			for _, m := range res.Metrics {
				var want float64
				switch m.Unit {
				case rowspec.UnitCreationsPerSec:
					want = tc.rate
				case rowspec.UnitOverlap:
					want = tc.overlap
				default:
					continue
				}
				if d := m.Value - want; d > want*1e-9+1e-12 || d < -want*1e-9-1e-12 {
					t.Errorf("%s = %v, want %v", m.Unit, m.Value, want)
				}
			}
		})
	}
}
