//go:build linux

package workloads

import (
	"math"
	"os/exec"
	"slices"
	"syscall"
	"testing"

	"github.com/clonebench/clonebench/probe"
	"github.com/clonebench/clonebench/rowspec"
)

// benchtime 1x runs one timed round trip after 16 warm-up ones: the
// programs must follow the pair from its creation to see it.
func TestProbedSwitchOneRoundTrip(t *testing.T) {
	if reason := probe.SkipReason(); reason != "" {
		t.Skip(reason)
	}
	p, ok := Probed(findRow(t, "Switch/mech=pipe/mode=thread/cpu=same/ws=0"))
	if !ok {
		t.Fatal("no probed twin")
	}
	for i := range 20 {
		if _, err := p.Run(1); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
}

// The headline switch rows, probed, with a busy unrelated process forking
// alongside: the programs count one round trip per initiator wake-up and
// a handful of events per round trip (a busy process's system calls and
// switches, if counted, would be far more), and the phases sum to the
// row's ns/op within 5%.
func TestProbedSwitchRowsPhasesSum(t *testing.T) {
	if reason := probe.SkipReason(); reason != "" {
		t.Skip(reason)
	}
	cmd := exec.Command("/bin/sh", "-c", "while :; do /bin/true; done")
	if err := cmd.Start(); err != nil {
		t.Skipf("busy process: %v", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var tot probe.SwitchTotals
	switchTotalsHook = func(t probe.SwitchTotals) { tot = t }
	defer func() { switchTotalsHook = nil }()
	const n = 2000
	for _, name := range []string{
		"Switch/mech=pipe/mode=process/cpu=same/ws=0", "Switch/mech=pipe/mode=thread/cpu=same/ws=0",
		"Switch/mech=futex/mode=process/cpu=same/ws=0", "Switch/mech=futex/mode=thread/cpu=same/ws=0",
		"SwitchLibc/mode=thread/cpu=same",
	} {
		row := findRow(t, name)
		p, ok := Probed(row)
		if !ok {
			t.Fatalf("%s has no probed twin", name)
		}
		if p.Name != name+"/probe=sched" {
			t.Errorf("%s: twin named %s", name, p.Name)
		}
		if reason := p.Skip(); reason != "" {
			t.Logf("%s: skip: %s", p.Name, reason)
			continue
		}
		res, err := p.Run(n)
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		if tot.Partners != 2 {
			t.Errorf("%s: the programs followed %d tasks, want the pair", p.Name, tot.Partners)
		}
		// Per round trip, on one CPU: each direction is a signalling
		// entry, a wake, a waiting entry and a switch.
		if per := float64(tot.Events) / n; per < 3 || per > 12 {
			t.Errorf("%s: %.1f events per round trip, want about 8: other tasks' events counted?", p.Name, per)
		}
		if d := math.Abs(tot.Sum() - tot.SpanNs); d > 0.001*tot.SpanNs {
			t.Errorf("%s: phases sum to %.0f ns, the span is %.0f", p.Name, tot.Sum(), tot.SpanNs)
		}
		sum := 0.0
		seen := 0
		for _, m := range res.Metrics {
			if _, ok := rowspec.SwitchPhaseOf(m.Unit); ok {
				sum += m.Value
				seen++
			}
		}
		t.Logf("%s: %.0f ns/op, phases sum %.0f, %.1f events per round trip", p.Name, res.PerOp(), sum, float64(tot.Events)/n)
		if seen != len(rowspec.SwitchPhaseUnits()) {
			t.Errorf("%s: %d switch phase metrics in %v", p.Name, seen, res.Metrics)
		}
		if d := math.Abs(sum - res.PerOp()); d > 0.05*res.PerOp() {
			t.Errorf("%s: phases sum to %.0f ns/op, the row measured %.0f (%+v)", p.Name, sum, res.PerOp(), res.Metrics)
		}
	}
}

// Rows the switch programs cannot follow have no twin.
func TestProbedSwitchOnlyCPUSame(t *testing.T) {
	for _, name := range []string{
		"Switch/mech=pipe/mode=thread/cpu=cross/ws=0", "Switch/mech=yield/mode=thread/cpu=same/ws=0",
		"Switch/mech=pipe/mode=goroutine/cpu=same/ws=0", "SwitchOverhead/mech=pipe",
	} {
		for _, r := range Catalogue() {
			if r.Name == name {
				if p, ok := Probed(r); ok {
					t.Errorf("%s has a probed twin %s", name, p.Name)
				}
			}
		}
	}
}

// A switch row whose partner dies mid-run fails, and leaves no program
// of ours loaded.
func TestProbedSwitchErrorDetaches(t *testing.T) {
	if reason := probe.SkipReason(); reason != "" {
		t.Skip(reason)
	}
	ids := func() []uint32 { return ourProgIDs(t) }
	before := ids()
	p, ok := Probed(findRow(t, "Switch/mech=pipe/mode=process/cpu=same/ws=0"))
	if !ok {
		t.Fatal("no probed twin")
	}
	var during []uint32
	_, err := p.observed(100000, func(tids []int) {
		for _, id := range ids() {
			if !slices.Contains(before, id) {
				during = append(during, id)
			}
		}
		syscall.Kill(tids[1], syscall.SIGKILL) // a forked responder: its own process
	})
	if err == nil {
		t.Fatal("a run whose responder was killed succeeded")
	}
	if len(during) == 0 {
		t.Fatal("no program of ours was loaded during the run: the check could not fail")
	}
	noneLeft(t, during)
}
