package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

// The phases section names, from the data, the phase a flag step moves,
// and the chart is drawn from probed rows.
func TestPhasesSection(t *testing.T) {
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\ncpu: test\nkernel: 6.18.0\n")
	line := func(name string, copy, teardown, reap float64) {
		for j := 0; j < 6; j++ {
			fmt.Fprintf(&b, "Benchmark%s/probe=sched-2\t100\t%g ns/op\t%g %s\t%g %s\t%g %s\n", name, copy+teardown+reap,
				copy, rowspec.UnitCopyNsOp, teardown, rowspec.UnitTeardownNsOp, reap, rowspec.UnitReapNsOp)
		}
	}
	line("CloneFlags/flags=CHILD_CLEARTID|SIGCHLD/cpu=same", 40000, 30000, 5000)
	for j := 0; j < 6; j++ {
		fmt.Fprintf(&b, "BenchmarkCloneFlags/flags=CHILD_CLEARTID|SIGCHLD/cpu=same-2\t100\t%g ns/op\n", 50000.0)
	}
	line("CloneFlags/flags=VM|CHILD_CLEARTID|SIGCHLD/cpu=same", 12000, 4000, 5000)
	line("CloneFlags/flags=VM|FILES|CHILD_CLEARTID|SIGCHLD/cpu=same", 11000, 4000, 5000)
	line("CreateRSS/style=fork/thp=off/rss=0/cpu=same", 40000, 30000, 5000)
	line("CreateRSS/style=fork/thp=off/rss=16MiB/cpu=same", 80000, 50000, 5000)
	d, err := Parse(strings.NewReader(b.String()), "p.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Write(dir, d, Options{}); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### Where the time goes (probe=sched)",
		"| 75.0 µs | 0.00 ns | 40.0 µs |",
		"| 1.00 | 93% | **1.50×** (1.50–1.50× from the CIs, unpaired) |",
		"flags=CHILD_CLEARTID\\|SIGCHLD/cpu=same/probe=sched |",
		"- +VM (copy_mm: dup_mmap and the page tables at clone, exit_mm/exit_mmap at exit): **copy** −28.0 µs",
		"- +FILES (copy_files: dup_fd of the descriptor table): **copy** −1.00 µs",
		"- fork: copy + teardown 70.0 µs at rss=0, 130 µs at rss=16MiB: +3.75 µs per MiB",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	checkImage(t, filepath.Join(dir, "phases.png"))
	if t.Failed() {
		t.Logf("report.md:\n%s", md)
	}
}
