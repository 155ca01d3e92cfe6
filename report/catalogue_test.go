package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// TestCataloguePlaced fails when the catalogue holds a row report cannot
// place: a family no chart or section shows, a style without a kind, rank
// and legend, a mechanism, mode or placement without a rank.
func TestCataloguePlaced(t *testing.T) {
	placed := map[rowspec.Family]bool{}
	for _, c := range charts {
		for _, f := range c.families {
			placed[f] = true
		}
	}
	for _, s := range sections {
		for _, f := range s.families {
			placed[f] = true
		}
	}
	for _, f := range headlineFamilies {
		placed[f] = true
	}
	cat := workloads.Catalogue()
	if len(cat) == 0 {
		t.Fatal("empty catalogue")
	}
	seen := map[string]bool{}
	for _, row := range cat {
		sp := row.Spec
		miss := func(what string) {
			if k := string(sp.Family) + " " + what; !seen[k] {
				seen[k] = true
				t.Errorf("%s: report cannot place %s", row.Name, what)
			}
		}
		if !placed[sp.Family] {
			miss("family " + string(sp.Family) + " (no chart or section lists it)")
		}
		for _, k := range sp.Family.Keys() {
			switch k {
			case rowspec.KeyStyle:
				if styleRank(sp.Style) == len(rowspec.Styles()) {
					miss("style " + string(sp.Style) + " (no rank)")
				}
				if _, ok := kindLegend[sp.Style.Kind()]; !ok {
					miss("style " + string(sp.Style) + " (kind " + sp.Style.Kind() + " has no legend)")
				}
			case rowspec.KeyMech:
				if mechRank(sp.Mech) == len(rowspec.Mechs()) {
					miss("mech " + string(sp.Mech) + " (no rank)")
				}
			case rowspec.KeyMode:
				if rank(rowspec.Modes(), sp.Mode) == len(rowspec.Modes()) {
					miss("mode " + string(sp.Mode) + " (no rank)")
				}
			case rowspec.KeyCPU:
				if rank(rowspec.CPUs(), sp.CPU) == len(rowspec.CPUs()) {
					miss("cpu " + string(sp.CPU) + " (no rank)")
				}
			}
		}
	}
}

// TestCatalogueReport writes a report of one synthetic result per catalogue
// row: every single-machine chart is drawn and no section finds its rows
// missing, so a name the catalogue writes is a name report reads.
func TestCatalogueReport(t *testing.T) {
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\ncpu: test\nkernel: 6.18.0\n")
	for i, row := range workloads.WithProbes(workloads.Catalogue()) {
		for j := 0; j < 6; j++ {
			ns := float64(1000*(i+1) + 10*j)
			fmt.Fprintf(&b, "Benchmark%s-2\t100\t%g %s", row.Name, ns, rowspec.UnitNsOp)
			if row.Spec.Probe != "" {
				units := rowspec.PhaseUnits()
				if !row.Spec.Family.Creation() {
					units = rowspec.SwitchPhaseUnits()
				}
				for _, u := range units {
					fmt.Fprintf(&b, "\t%g %s", ns/float64(len(units)), u)
				}
			}
			switch row.Spec.Family {
			case rowspec.Switch:
				fmt.Fprintf(&b, "\t%g %s\t2 %s", ns/2, rowspec.UnitNsSwitch, rowspec.UnitCtxswOp)
			case rowspec.SwitchPairs:
				fmt.Fprintf(&b, "\t%g %s", 1e9/ns*float64(row.Spec.Pairs), rowspec.UnitRoundTripsPerSec)
			}
			b.WriteString("\n")
		}
	}
	d, err := Parse(strings.NewReader(b.String()), "catalogue.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range d.Rows {
		if !r.Known {
			t.Errorf("%s: rowspec does not know a catalogue name", r.Name)
		}
	}
	dir := t.TempDir()
	if _, err := Write(dir, d, Options{}); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range charts {
		if c.file == "compare.png" || c.file == "hosts.png" || c.file == "latency.png" || c.file == "wake.png" || c.file == "flame.png" {
			continue // need a baseline, several machines, a sidecar (TestLatencyCharts, TestProfilesReport)
		}
		if _, err := os.Stat(filepath.Join(dir, c.file)); err != nil {
			t.Errorf("%s not drawn from the catalogue's rows: %v", c.file, err)
		}
	}
	for _, l := range strings.Split(string(md), "\n") {
		if strings.HasPrefix(l, "No ") || strings.HasPrefix(l, "Not measured") {
			t.Errorf("report.md: %q", l)
		}
	}
}
