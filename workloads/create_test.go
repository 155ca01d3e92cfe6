package workloads

import (
	"github.com/clonebench/clonebench/rowspec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/rawclone"
)

var creationFamilies = []rowspec.Family{rowspec.Create, rowspec.CloneFlags, rowspec.CreateRSS, rowspec.CreateFDs}

func creationRows() []Row {
	var rows []Row
	for _, f := range creationFamilies {
		rows = append(rows, Family(f)...)
	}
	return rows
}

func hasCgoRows() bool { return len(cgoCreateRows()) > 0 }

func TestCreationRowsAreWellFormed(t *testing.T) {
	for _, r := range creationRows() {
		if r.Doc == "" || strings.Contains(r.Doc, "\n") {
			t.Errorf("%s: Doc must be one non-empty line, got %q", r.Name, r.Doc)
		}
		if r.Run == nil {
			t.Errorf("%s: no Run", r.Name)
		}
		if r.Suites&Full == 0 {
			t.Errorf("%s: not in the full suite", r.Name)
		}
		for _, part := range strings.Split(r.Sub(), "/") {
			k, v, ok := strings.Cut(part, "=")
			if !ok || k == "" || v == "" || strings.ContainsAny(part, " \t") || k != strings.ToLower(k) {
				t.Errorf("%s: part %q is not a lowercase key=value without spaces", r.Name, part)
			}
		}
		isRaw := r.raw != nil || r.Spec.Style == rowspec.StyleForkMinimal
		if isRaw != r.Needs.Linux {
			t.Errorf("%s: raw clone row %v but Needs.Linux %v", r.Name, isRaw, r.Needs.Linux)
		}
	}
}

func TestCloneSweepGoesFromForkToThreadOneStepAtATime(t *testing.T) {
	sweep := cloneSweep()
	if sweep[0] != rawclone.ForkFlags || sweep[len(sweep)-1] != rawclone.ThreadFlags {
		t.Fatalf("sweep runs %v … %v, want %v … %v", sweep[0], sweep[len(sweep)-1], rawclone.ForkFlags, rawclone.ThreadFlags)
	}
	for i := 1; i < len(sweep); i++ {
		prev, cur := sweep[i-1], sweep[i]
		added := cur &^ prev &^ rawclone.SignalMask
		removed := prev &^ cur &^ rawclone.SignalMask
		// One resource per step: one bit added, or (the first step) one
		// removed; THREAD also drops the exit signal.
		if n := bitCount(uint64(added)) + bitCount(uint64(removed)); n != 1 {
			t.Errorf("step %d %v -> %v changes %d flag bits, want 1", i, prev, cur, n)
		}
		if cur.Has(rawclone.CloneSighand) && !cur.Has(rawclone.CloneVM) {
			t.Errorf("step %d %v: SIGHAND without VM, the kernel refuses it", i, cur)
		}
		if cur.Has(rawclone.CloneThread) && (!cur.Has(rawclone.CloneSighand) || cur.ExitSignal() != 0) {
			t.Errorf("step %d %v: THREAD needs SIGHAND and no exit signal", i, cur)
		}
		if !cur.Has(rawclone.CloneChildClearTID) {
			t.Errorf("step %d %v: CHILD_CLEARTID dropped", i, cur)
		}
	}
}

func bitCount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// TestCreationRowsRun runs every creation row that can run here with a few
// ops and checks what it reports: behaviour, not speed.
func TestCreationRowsRun(t *testing.T) {
	const n = 3
	for _, r := range creationRows() {
		t.Run(r.Name, func(t *testing.T) {
			if reason := r.Skip(); reason != "" {
				t.Skip(reason)
			}
			res, err := r.Run(n)
			if err != nil {
				t.Fatalf("Run(%d): %v", n, err)
			}
			checkResult(t, res, n)
		})
	}
}

func checkResult(t *testing.T, res Result, n int) {
	t.Helper()
	if res.N != n {
		t.Errorf("N = %d, want %d", res.N, n)
	}
	if res.Unit != "ns/op" {
		t.Errorf("Unit = %q, want ns/op", res.Unit)
	}
	if res.Elapsed <= 0 {
		t.Errorf("Elapsed = %v, want > 0", res.Elapsed)
	}
	if len(res.Samples) != n {
		t.Fatalf("%d samples, want %d", len(res.Samples), n)
	}
	var sum time.Duration
	for i, s := range res.Samples {
		if s <= 0 {
			t.Errorf("sample %d = %v, want > 0", i, s)
		}
		sum += s
	}
	if sum != res.Elapsed {
		t.Errorf("samples sum to %v, Elapsed is %v: the op boundary leaks", sum, res.Elapsed)
	}
	m := map[string]float64{}
	for _, x := range res.Metrics {
		m[x.Unit] = x.Value
	}
	p50, ok50 := m["p50-ns"]
	p99, ok99 := m["p99-ns"]
	if !ok50 || !ok99 {
		t.Fatalf("metrics %v: want p50-ns and p99-ns", res.Metrics)
	}
	lo, hi := float64(slices.Min(res.Samples)), float64(slices.Max(res.Samples))
	if p50 < lo || p50 > p99 || p99 > hi {
		t.Errorf("p50 %v, p99 %v outside samples [%v, %v] or out of order", p50, p99, lo, hi)
	}
}

func TestRunRejectsZeroOps(t *testing.T) {
	if _, err := timeOps(0, func() error { return nil }); err == nil {
		t.Error("timeOps(0) succeeded, want an error naming n")
	}
}

func TestPercentileMetrics(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i))
	}
	m, err := percentileMetrics(s)
	if err != nil {
		t.Fatal(err)
	}
	// Linear interpolation between closest ranks: rank p/100*(n-1).
	if m[0].Unit != "p50-ns" || m[0].Value != 50.5 || m[1].Unit != "p99-ns" || m[1].Value != 99.01 {
		t.Errorf("percentiles of 1..100 = %v, want p50-ns 50.5, p99-ns 99.01", m)
	}
	if _, err := percentileMetrics(nil); err == nil {
		t.Error("percentiles of no samples succeeded")
	}
}
