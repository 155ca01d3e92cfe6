package simkernel_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/simkernel"
	"github.com/clonebench/clonebench/workloads"
)

// TestCatalogueSimulated runs every catalogue row of the simulated
// families on the simulator with the default profile, twice: each has a
// Sim, gives sim-ns/op and figures of its own units, and both runs are
// identical. Rows of the other families have no Sim, and every simulated
// family has rows.
func TestCatalogueSimulated(t *testing.T) {
	rows := map[rowspec.Family]int{}
	for _, row := range workloads.Catalogue() {
		if !row.Family().Simulated() {
			if row.Sim != nil {
				t.Errorf("%s: family %s is not simulated, yet the row has a Sim", row.Name, row.Family())
			}
			continue
		}
		rows[row.Family()]++
		if row.NoSim != "" {
			if row.Sim != nil || !row.Spec.CPU.TwoCPUs() || row.Spec.CPU == rowspec.CPUCross {
				t.Errorf("%s: NoSim %q, yet Sim set or not a topology placement", row.Name, row.NoSim)
			}
			continue
		}
		if row.Sim == nil {
			t.Errorf("%s: no Sim", row.Name)
			continue
		}
		a, err := row.Sim(20)
		if err != nil {
			t.Errorf("%s: %v", row.Name, err)
			continue
		}
		b, err := row.Sim(20)
		if err != nil {
			t.Fatalf("%s: second run: %v", row.Name, err)
		}
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: two simulated runs differ:\n%+v\n%+v", row.Name, a, b)
		}
		if a.Unit != rowspec.UnitSimNsOp || a.PerOp() <= 0 {
			t.Errorf("%s: %g %s, want a positive figure in %s", row.Name, a.PerOp(), a.Unit, rowspec.UnitSimNsOp)
		}
		for _, m := range a.Metrics {
			if strings.Contains(m.Unit, "ns") && !rowspec.IsSim(m.Unit) {
				t.Errorf("%s: time metric %q lacks the %s prefix", row.Name, m.Unit, rowspec.SimPrefix)
			}
		}
	}
	for _, f := range rowspec.Families() {
		if f.Simulated() && rows[f] == 0 {
			t.Errorf("the catalogue has no %s rows, yet the family is simulated", f)
		}
	}
}

// TestSimulatedShape checks the default profile keeps the seeds' story on
// the rows a report draws: fork costs more than a thread and grows with
// the memory mapped, a process switch costs more than a thread switch.
func TestSimulatedShape(t *testing.T) {
	p := simkernel.DefaultProfile()
	ns := func(name string) float64 {
		t.Helper()
		r, err := simkernel.Run(p, rowspec.MustParse(name), 10)
		if err != nil {
			t.Fatal(err)
		}
		return r.PerOp()
	}
	if f, th := ns("Create/style=fork"), ns("Create/style=thread"); f <= 2*th {
		t.Errorf("fork %.0f ns vs thread %.0f ns: want fork well above a thread", f, th)
	}
	if a, b := ns("CreateRSS/style=fork/thp=off/rss=16MiB"), ns("CreateRSS/style=fork/thp=off/rss=1GiB"); b <= a {
		t.Errorf("fork at 1GiB %.0f ns not above fork at 16MiB %.0f ns", b, a)
	}
	if pr, th := ns("Switch/mech=pipe/mode=process/cpu=same/ws=0"), ns("Switch/mech=pipe/mode=thread/cpu=same/ws=0"); pr <= th {
		t.Errorf("process round trip %.0f ns not above thread %.0f ns", pr, th)
	}
}
