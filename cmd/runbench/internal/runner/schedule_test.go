package runner

import (
	"io"
	"strings"
	"testing"
	"time"
)

// TestBudgetWarning: a schedule that cannot keep the budget is said
// before measuring; one that can is not.
func TestBudgetWarning(t *testing.T) {
	for _, tc := range []struct {
		name              string
		opts              Options
		count             int
		target, predicted time.Duration
		want              string // "" for no warning
	}{
		{"fits", Options{Budget: 90 * time.Second}, 30, 60 * time.Millisecond, 70 * time.Second, ""},
		{"a little over", Options{Budget: 10 * time.Second}, 6, 5 * time.Millisecond, 12 * time.Second, ""},
		{"count far over", Options{Budget: time.Second, Count: 1000000}, 1000000, 5 * time.Millisecond, 4*time.Hour + 30*time.Minute,
			"-count 1000000 of at least 5ms cannot keep -budget 1s: the run will take ~4h30m"},
		{"auto count over", Options{Budget: time.Second}, 6, 5 * time.Millisecond, time.Minute,
			"the fewest samples (6) of at least 5ms cannot keep -budget 1s"},
		{"benchtime over", Options{Budget: time.Second, Benchtime: time.Second, Count: 10}, 10, time.Second, 10 * time.Second,
			"-count 10 of -benchtime 1s cannot keep -budget 1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := budgetWarning(tc.opts, tc.count, tc.target, tc.predicted, 0)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("warning %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRescaleKeepsTheFloor: a run past its deadline (negative time left)
// shrinks n no further than samples of floorSample; it once cut n
// twentyfold every round, down to 1.
func TestRescaleKeepsTheFloor(t *testing.T) {
	p := &plan{b: 1e-6, n: 100000} // 1 µs per op: floorSample is 5000 ops
	m := &measurer{stderr: io.Discard}
	for round := 0; round < 10; round++ {
		m.rescale([]step{{p: p}}, 5, -time.Second, 1)
	}
	if want := opsFor(p, floorSample); p.n != want {
		t.Errorf("n = %d after rescaling past the deadline, want the floor %d", p.n, want)
	}
	// A plan already below the floor (a row whose op is slow) is kept.
	q := &plan{b: 1e-6, n: 100}
	m.rescale([]step{{p: q}}, 5, -time.Second, 1)
	if q.n != 100 {
		t.Errorf("n = %d, want 100 kept", q.n)
	}
}
