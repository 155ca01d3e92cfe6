//go:build linux

package workloads

import (
	"errors"
	"math"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/clonebench/clonebench/probe"
	"github.com/clonebench/clonebench/rowspec"
)

// The Done-when rows, probed, with a busy unrelated process forking
// alongside: each completes with every op closed (probedRun refuses a
// count that differs from the loop's), and the phases partition each op:
// their sum is the row's ns/op within 5%.
func TestProbedRowsPhasesSum(t *testing.T) {
	if reason := probe.SkipReason(); reason != "" {
		t.Skip(reason)
	}
	cmd := exec.Command("/bin/sh", "-c", "while :; do /bin/true; done")
	if err := cmd.Start(); err != nil {
		t.Skipf("busy process: %v", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for _, name := range []string{
		"Create/style=fork/cpu=same", "Create/style=thread/cpu=same", "Create/style=fork/cpu=any",
		"Create/style=thread-fresh-stack/cpu=same", "CreateRSS/style=fork/thp=off/rss=16MiB/cpu=same",
	} {
		row := findRow(t, name)
		p, ok := Probed(row)
		if !ok {
			t.Fatalf("%s has no probed twin", name)
		}
		if reason := p.Skip(); reason != "" {
			t.Logf("%s: skip: %s", p.Name, reason)
			continue
		}
		// The marks tile every op but not the loop's head (its first
		// clock read to the first clone entry) or tail, where one
		// preemption by the busy process (or a parallel go test) costs
		// tens of µs: enough ops make that the fraction ns/op means.
		res, err := p.Run(500)
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		sum := 0.0
		have := map[string]bool{}
		for _, m := range res.Metrics {
			if _, ok := rowspec.PhaseOf(m.Unit); ok {
				sum += m.Value
				have[m.Unit] = true
			}
		}
		if !have[rowspec.UnitCopyNsOp] || !have[rowspec.UnitTeardownNsOp] {
			t.Errorf("%s: metrics %v lack copy-ns/op or teardown-ns/op", p.Name, res.Metrics)
		}
		if d := math.Abs(sum - res.PerOp()); d > 0.05*res.PerOp() {
			t.Errorf("%s: phases sum to %.0f ns/op, the row measured %.0f", p.Name, sum, res.PerOp())
		}
	}
}

func findRow(t *testing.T, name string) Row {
	t.Helper()
	for _, r := range Catalogue() {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no row %s", name)
	return Row{}
}

// A row that fails mid-run leaves no program attached: probedRun detaches
// on the error path as on success.
func TestProbedRunErrorDetaches(t *testing.T) {
	if reason := probe.SkipReason(); reason != "" {
		t.Skip(reason)
	}
	ids := func() []uint32 { return ourProgIDs(t) }
	before := ids()
	var during []uint32
	boom := errors.New("boom")
	_, err := probedRun(func(int) (Result, error) {
		for _, id := range ids() {
			if !slices.Contains(before, id) {
				during = append(during, id)
			}
		}
		return Result{}, boom
	}, 1)
	if !errors.Is(err, boom) {
		t.Fatalf("probedRun = %v, want the run's error", err)
	}
	if len(during) == 0 {
		t.Fatal("no program of ours was loaded during the run: the check could not fail")
	}
	noneLeft(t, during)
}

// ourProgIDs are the kernel's IDs of every loaded program of package
// probe's (named with its prefix), this process's or another's.
func ourProgIDs(t *testing.T) []uint32 {
	t.Helper()
	l, err := probe.Ours()
	if err != nil {
		t.Fatal(err)
	}
	var out []uint32
	for _, p := range l {
		out = append(out, p.ID)
	}
	return out
}

// noneLeft fails unless every program in during is unloaded within 5 s
// (the kernel frees a program once its last reference closes).
func noneLeft(t *testing.T, during []uint32) {
	t.Helper()
	var left []uint32
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		left = nil
		for _, id := range ourProgIDs(t) {
			if slices.Contains(during, id) {
				left = append(left, id)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(left) > 0 {
		t.Fatalf("programs %v still loaded after a failed run", left)
	}
}
