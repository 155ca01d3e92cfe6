package simkernel

import (
	"math"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

// A probed creation row's simulated phases tile its sim-ns/op, and the
// model's fork copies more than its thread and frees no less (the model
// charges most of a process's teardown at the reap, where it frees the mm).
func TestProbedPhasesTileTheOp(t *testing.T) {
	p := testProfile()
	phases := func(name string) (map[string]float64, float64) {
		t.Helper()
		res, err := Run(p, rowspec.MustParse(name), 20)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		sum := 0.0
		for _, m := range res.Metrics {
			if !rowspec.IsSim(m.Unit) {
				continue
			}
			if ph, ok := rowspec.PhaseOf(m.Unit); ok {
				got[ph] = m.Value
				sum += m.Value
			}
		}
		if d := math.Abs(sum - res.PerOp()); d > 1e-6*res.PerOp() {
			t.Errorf("%s: phases sum to %g, sim-ns/op is %g", name, sum, res.PerOp())
		}
		return got, res.PerOp()
	}
	fork, _ := phases("CreateRSS/style=fork/thp=off/rss=64MiB/cpu=same/probe=sched")
	thread, _ := phases("CreateRSS/style=thread/thp=off/rss=64MiB/cpu=same/probe=sched")
	phases("CloneFlags/flags=VM|CHILD_CLEARTID|SIGCHLD/cpu=same/probe=sched")
	if !(fork["copy"] > thread["copy"] && fork["teardown"]+fork["reap"] >= thread["teardown"]+thread["reap"]) {
		t.Errorf("fork copy %g teardown+reap %g, thread copy %g teardown+reap %g",
			fork["copy"], fork["teardown"]+fork["reap"], thread["copy"], thread["teardown"]+thread["reap"])
	}
	res, err := Run(p, rowspec.MustParse("Create/style=fork/cpu=same"), 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Metrics {
		if _, ok := rowspec.PhaseOf(m.Unit); ok {
			t.Errorf("plain row reports phase %s", m.Unit)
		}
	}
}
