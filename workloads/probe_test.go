package workloads

import (
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

// Every raw creation row and every cpu=same raw ping-pong switch row
// (mech other than yield) has exactly one probed twin, named as the plain
// row plus /probe=sched; no other row has one.
func TestProbedTwins(t *testing.T) {
	rows := Catalogue()
	twins := 0
	for _, r := range rows {
		p, ok := Probed(r)
		sp := r.Spec
		pingPong := (sp.Family == rowspec.Switch || sp.Family == rowspec.SwitchLibc) && sp.CPU == rowspec.CPUSame &&
			(sp.Mode == rowspec.ModeProcess || sp.Mode == rowspec.ModeThread) && sp.Mech != rowspec.MechYield
		if want := r.raw != nil || pingPong; ok != want {
			t.Errorf("%s: Probed = %v, want %v", r.Name, ok, want)
		}
		if !ok {
			continue
		}
		twins++
		sp, err := rowspec.Parse(p.Name)
		if err != nil || sp != p.Spec || sp.Plain() != r.Spec || p.Name != r.Name+"/probe=sched" {
			t.Errorf("%s: twin %q parses to %+v, %v", r.Name, p.Name, sp, err)
		}
		if _, again := Probed(p); again {
			t.Errorf("%s: a twin has a twin", p.Name)
		}
	}
	all := WithProbes(rows)
	if len(all) != len(rows)+twins {
		t.Errorf("WithProbes: %d rows, want %d", len(all), len(rows)+twins)
	}
	for i, r := range all {
		if r.Spec.Probe != "" && (i == 0 || all[i-1].Spec != r.Spec.Plain()) {
			t.Errorf("%s does not follow its plain row", r.Name)
		}
	}
}

func TestProbeSetting(t *testing.T) {
	for _, tc := range []struct {
		v      string
		on, ok bool
	}{{"", false, true}, {"sched", true, true}, {"1", false, false}, {"Sched", false, false}} {
		on, err := ProbeSetting(tc.v)
		if on != tc.on || (err == nil) != tc.ok {
			t.Errorf("ProbeSetting(%q) = %v, %v", tc.v, on, err)
		}
	}
}
