package report

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

// The switch phases section tabulates the probed switch rows, names the
// phase a process moves most against a thread, and the chart is drawn.
func TestSwitchPhasesSection(t *testing.T) {
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\ncpu: test\nkernel: 6.18.0\n")
	line := func(name string, ph ...float64) {
		sum := 0.0
		for _, v := range ph {
			sum += v
		}
		for j := 0; j < 6; j++ {
			fmt.Fprintf(&b, "Benchmark%s/probe=sched-2\t100\t%g ns/op", name, sum)
			for i, u := range rowspec.SwitchPhaseUnits() {
				fmt.Fprintf(&b, "\t%g %s", ph[i], u)
			}
			b.WriteString("\n")
			fmt.Fprintf(&b, "Benchmark%s-2\t100\t%g ns/op\n", name, sum/1.2)
		}
	}
	line("Switch/mech=pipe/mode=process/cpu=same/ws=0", 400, 600, 1000, 1600, 0)
	line("Switch/mech=pipe/mode=thread/cpu=same/ws=0", 400, 600, 900, 900, 0)
	line("SwitchLibc/mode=thread/cpu=same", 400, 900, 900, 900, 0)
	d, err := Parse(strings.NewReader(b.String()), "p.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir, md := writeReport(t, d)
	for _, want := range []string{
		"### Where a round trip goes (probe=sched)",
		"| BenchmarkSwitch/mech=pipe/mode=process/cpu=same/ws=0/probe=sched | 3.60 µs | 400 ns | 600 ns | 1.00 µs | 1.60 µs | 0.00 ns | 1.00 | **1.20×**",
		"| BenchmarkSwitchLibc/mode=thread/cpu=same/probe=sched | 3.10 µs |",
		"- BenchmarkSwitch/mech=pipe/cpu=same/ws=0/probe=sched: **switch** +700 ns of the round trip's +800 ns",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	checkImage(t, filepath.Join(dir, "switch-phases.png"))
	if t.Failed() {
		t.Logf("report.md:\n%s", md)
	}
}
