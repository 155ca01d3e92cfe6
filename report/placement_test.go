package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// placedInput is a run with creation rows at both placements: fork and
// thread at cpu=same and cpu=any (any slower), fork-minimal at cpu=same,
// goroutine and spawn at cpu=any only, and a clone-flag sweep at both.
// The fork rows carry the Go parent's footprint; the cpu=same fork row's
// first three samples were disturbed.
func placedInput() string {
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\ncpu: test\nkernel: 6.18.0\n")
	row := func(name string, ns float64, extra func(j int) string) {
		for j := 0; j < 8; j++ {
			fmt.Fprintf(&b, "Benchmark%s-2\t100\t%g %s", name, ns+float64(10*j), rowspec.UnitNsOp)
			if extra != nil {
				b.WriteString(extra(j))
			}
			b.WriteString("\n")
		}
	}
	disturb := func(bad int) func(int) string {
		return func(j int) string {
			// One preemption never disturbs a sample
			// (resultfile.DisturbedEvery); twenty in 40 ms do.
			ict, mig := 1, 0
			if j < bad {
				ict = 20
				if j == 0 {
					mig = 2
				}
			}
			return fmt.Sprintf("\t%d %s\t%d %s", ict, rowspec.UnitDisturbIctxsw, mig, rowspec.UnitDisturbMigrations)
		}
	}
	footprint := func(bad int) func(int) string {
		return func(j int) string {
			return disturb(bad)(j) + fmt.Sprintf("\t%d %s\t%d %s\t%d %s", 48<<20, rowspec.UnitParentRSS, 512<<10, rowspec.UnitParentPTE, 130, rowspec.UnitParentMaps)
		}
	}
	row("Create/style=fork/cpu=same", 400000, footprint(3))
	row("Create/style=fork/cpu=any", 600000, footprint(0))
	row("Create/style=fork-minimal/cpu=same", 50000, disturb(0))
	row("Create/style=thread/cpu=same", 20000, disturb(0))
	row("Create/style=thread/cpu=any", 30000, disturb(1))
	row("Create/style=spawn/cpu=any", 900000, nil)
	row("Create/style=goroutine/cpu=any", 400, nil)
	for i, f := range []string{"CHILD_CLEARTID|CHILD_SETTID|SIGCHLD", "VM|CHILD_CLEARTID|SIGCHLD", "VM|FS|FILES|SIGHAND|THREAD|CHILD_CLEARTID"} {
		row("CloneFlags/flags="+f+"/cpu=same", float64(400000/(i+1)), nil)
		row("CloneFlags/flags="+f+"/cpu=any", float64(700000/(i+1)), nil)
	}
	return b.String()
}

func placedData(t *testing.T) *Data {
	t.Helper()
	d, err := Parse(strings.NewReader(placedInput()), "placed.txt")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// writeReport writes d's report into a temporary directory and returns
// the directory and report.md.
func writeReport(t *testing.T, d *Data) (string, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := Write(dir, d, Options{}); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, string(md)
}

// TestCreationPrefersSame: the creation chart and the headline take each
// style's cpu=same row when there is one, else its cpu=any row, and say
// which; the creation table shows both placements and what pinning costs.
func TestCreationPrefersSame(t *testing.T) {
	d := placedData(t)
	in := &chartData{d: d, h: d.primary()}
	want := map[rowspec.Style]rowspec.CPU{
		rowspec.StyleFork: rowspec.CPUSame, rowspec.StyleForkMinimal: rowspec.CPUSame,
		rowspec.StyleThread: rowspec.CPUSame, rowspec.StyleSpawn: rowspec.CPUAny, rowspec.StyleGoroutine: rowspec.CPUAny,
	}
	es := creationEntries(in)
	if len(es) != len(want) {
		t.Fatalf("creation chart has %d styles, want %d (one per style)", len(es), len(want))
	}
	for _, e := range es {
		if c := e.r.Spec.CPU; c != want[e.r.Spec.Style] {
			t.Errorf("creation chart: %s at cpu=%s, want cpu=%s", e.r.Spec.Style, c, want[e.r.Spec.Style])
		}
	}
	for _, r := range d.headlineRows(d.primary()) {
		if r.Spec.Family == rowspec.Create && r.Spec.CPU != want[r.Spec.Style] {
			t.Errorf("headline: %s", r.Name)
		}
	}
	f, err := creationChart(in, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.p.Title.Text; !strings.Contains(got, "cpu=same (ringed: cpu=any)") {
		t.Errorf("creation chart title %q does not say its placements", got)
	}
	f.name = "creation-placed.png"
	png, err := f.render()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writeAtomic(t.TempDir(), f.name, png); err != nil {
		t.Fatal(err)
	}

	_, md := writeReport(t, d)
	for _, s := range []string{
		"| style | kind | cpu=same | cpu=any | cpu=any / cpu=same |",
		"| thread | thread | 20.0 µs (0/8 disturbed) | 30.0 µs (1/8 disturbed) | **1.50×**",
		"| spawn | process | — | 900 µs | — |",
		"- fork / thread at cpu=same: **20.0×**",
		"- thread / goroutine at cpu=any:",
		"### Creation cost by style, cpu=same where measured, else cpu=any",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("report.md lacks %q", s)
		}
	}
}

// TestCloneFlagsOnePlacement: a sweep measured at both placements is drawn
// once, all at cpu=same, not as interleaved steps.
func TestCloneFlagsOnePlacement(t *testing.T) {
	d := placedData(t)
	rows, sums, at := d.cloneFlagSteps(d.primary())
	if at != placeSame || len(rows) != 3 {
		t.Fatalf("sweep: %d steps at %s, want 3 at cpu=same", len(rows), at)
	}
	for i, r := range rows {
		if r.Spec.CPU != rowspec.CPUSame {
			t.Errorf("step %d: %s", i, r.Name)
		}
		if sums[i].Median >= 400001 && i > 0 {
			t.Errorf("step %d: median %v from the wrong row", i, sums[i].Median)
		}
	}
	_, md := writeReport(t, d)
	if !strings.Contains(md, "every step at cpu=same") {
		t.Error("flag table does not say its placement")
	}
}

// TestLegacyCreation: a file written before cpu= existed still draws the
// creation chart, at cpu=any, and its creation table says so.
func TestLegacyCreation(t *testing.T) {
	d := mustLoad(t, "testdata/kvm.txt")
	in := &chartData{d: d, h: d.primary()}
	if ok, why := creationSupports(in); !ok {
		t.Fatalf("creation chart not drawn from legacy names: %s", why)
	}
	es := creationEntries(in)
	if len(es) < 6 {
		t.Fatalf("legacy creation chart has %d styles", len(es))
	}
	for _, e := range es {
		if placementOf(e.r) != placeLegacy {
			t.Errorf("%s: placement %s", e.r.Name, placementOf(e.r))
		}
	}
	f, err := creationChart(in, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.p.Title.Text, "cpu=any (names without cpu=)") {
		t.Errorf("title %q", f.p.Title.Text)
	}
	dir, md := writeReport(t, d)
	if _, err := os.Stat(filepath.Join(dir, "creation.png")); err != nil {
		t.Error(err)
	}
	if !strings.Contains(md, "names without cpu= were stored before the key existed") {
		t.Error("creation table does not explain names without cpu=")
	}
	if strings.Contains(md, "fork's floor") {
		t.Error("fork's floor without fork-minimal rows")
	}
}

// TestForkFloor: fork-minimal sits beside fork at the same placement, with
// the ratio and the Go parent's footprint.
func TestForkFloor(t *testing.T) {
	_, md := writeReport(t, placedData(t))
	for _, s := range []string{
		"#### fork's floor: the Go process against a minimal one",
		"| cpu | fork | fork-minimal | fork / fork-minimal | Go parent RSS | its page tables | its mappings |",
		"| cpu=same | 400 µs | 50.0 µs | **8.00×**",
		"| 48.0 MiB | 512 KiB | 130 |",
		"A C program's fork + waitpid pays more than that floor: its parent and child take copy-on-write faults",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("report.md lacks %q", s)
		}
	}
	// fork-minimal was not measured at cpu=any: no row for it.
	if strings.Contains(md, "| cpu=any | 600 µs |") {
		t.Error("fork's floor has a cpu=any row without a cpu=any fork-minimal")
	}
}

// TestDisturbed: rows with the per-sample counts show how many samples were
// disturbed, with the note; the counts are neither other metrics nor drawn.
func TestDisturbed(t *testing.T) {
	d := placedData(t)
	r := d.find(d.primary(), rowspec.MustParse("Create/style=fork/cpu=same"))
	if r == nil || r.Disturbed != 3 || r.DisturbCounted != 8 {
		t.Fatalf("fork cpu=same: %+v", r)
	}
	if r := d.find(d.primary(), rowspec.MustParse("Create/style=spawn/cpu=any")); r == nil || r.DisturbCounted != 0 || r.disturbedWord() != "" {
		t.Errorf("spawn without counts: %+v", r)
	}
	_, md := writeReport(t, d)
	for _, s := range []string{
		"| row | median | 95% CI | p50 | p99 | n | disturbed |",
		"| 8 | 3/8 disturbed |",
		"400 µs (3/8 disturbed)",
		disturbNote,
		"48.0 MiB parent-rss", // bytes as bytes, under All rows
	} {
		if !strings.Contains(md, s) {
			t.Errorf("report.md lacks %q", s)
		}
	}
	for _, u := range []string{rowspec.UnitDisturbIctxsw, rowspec.UnitDisturbMigrations} {
		if strings.Contains(md, " "+u+",") || strings.Contains(md, " "+u+" |") {
			t.Errorf("report.md lists %s as a metric", u)
		}
		if !isDisturbUnit(u) || !isDisturbUnit(rowspec.Sim(u)) {
			t.Errorf("%s not known as a disturbance count", u)
		}
	}
	if isDisturbUnit(rowspec.UnitNsOp) {
		t.Error("ns/op taken for a disturbance count")
	}
}

// TestFromFiles: Data built from files read once equals what Parse builds.
func TestFromFiles(t *testing.T) {
	f, err := resultfile.Parse(strings.NewReader(placedInput()), "placed.txt")
	if err != nil {
		t.Fatal(err)
	}
	d, err := FromFiles(f)
	if err != nil {
		t.Fatal(err)
	}
	want := placedData(t)
	if len(d.Rows) != len(want.Rows) || len(d.Hosts) != 1 || d.Files[0] != "placed.txt" {
		t.Fatalf("FromFiles: %d rows, %d hosts, files %v; Parse: %d rows", len(d.Rows), len(d.Hosts), d.Files, len(want.Rows))
	}
	for i, r := range d.Rows {
		if r.Name != want.Rows[i].Name || len(r.Values[rowspec.UnitNsOp]) != len(want.Rows[i].Values[rowspec.UnitNsOp]) || r.Disturbed != want.Rows[i].Disturbed {
			t.Errorf("row %d: %s, want %s", i, r.Name, want.Rows[i].Name)
		}
	}
	if _, err := FromFiles(); !errors.Is(err, ErrNoResults) {
		t.Errorf("no files: got %v", err)
	}
	if _, err := FromFiles(nil); !errors.Is(err, ErrNoResults) {
		t.Errorf("nil file: got %v", err)
	}
}

// TestLogRange: the axis range always holds the data and is never empty,
// even for one value on a 1-2-5 step, which once made gonum widen it by
// ±1, below zero, and panic.
func TestLogRange(t *testing.T) {
	for _, tc := range []struct{ lo, hi float64 }{
		{0.005, 0.005}, {0.001, 0.001}, {1, 1}, {2, 2}, {5, 5}, {10, 10},
		{3, 7}, {0.3, 900}, {17, 17}, {1, 2}, {4.99, 5},
	} {
		l, h := logRange(tc.lo, tc.hi)
		if !(l > 0 && l <= tc.lo && h >= tc.hi && h > l) {
			t.Errorf("logRange(%v, %v) = [%v, %v]; want 0 < l ≤ lo, hi ≤ h, l < h", tc.lo, tc.hi, l, h)
		}
	}
}
