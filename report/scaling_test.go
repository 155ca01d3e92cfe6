package report

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestScalingChartAndSection: scaling.png (golden) from synthetic CreatePar
// rows, and the creation slopes per thread and per mapping in report.md,
// with what the kernel does.
func TestScalingChartAndSection(t *testing.T) {
	dir := t.TempDir()
	paths, err := Write(dir, mustLoad(t, "testdata/scaling.txt"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	if !slices.Contains(names, "scaling.png") {
		t.Fatalf("Write wrote %v, want scaling.png among them", names)
	}
	checkImage(t, filepath.Join(dir, "scaling.png"))
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### How creation scales",
		"| fork | 8 |",
		"dup_mmap copies every VMA",
		"| fork | 119 µs at 0 | 3.08 ms at 16384 | 181 ns |",
		"thread group",
		"per extra thread",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q in:\n%s", want, md[strings.Index(string(md), "### How creation scales"):])
		}
	}
}
