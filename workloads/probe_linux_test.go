//go:build linux

package workloads

import (
	"math"
	"os/exec"
	"testing"

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
		res, err := p.Run(50)
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
