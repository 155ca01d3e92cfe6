package workloads

import (
	"bufio"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

var update = flag.Bool("update", false, "append the catalogue's new row names to testdata/names.golden (never removes one)")

// TestNamesAreTheContract holds the catalogue to testdata/names.golden:
// stored results, baselines and nightly tags compare on these names, so a
// row is added to the list, never renamed in it. Rows that depend on the
// host are allowed to be absent: the glibc rows without cgo, and SwitchPairs
// beyond this host's CPU count (the list holds pairs=1 and 2).
func TestNamesAreTheContract(t *testing.T) {
	golden := readLines(t, "testdata/names.golden")
	var got []string
	for _, r := range Catalogue() {
		got = append(got, r.Name)
		sp, err := rowspec.Parse(r.Name)
		if err != nil || sp != r.Spec {
			t.Errorf("%s: rowspec.Parse gives %+v, %v; the row's spec is %+v", r.Name, sp, err, r.Spec)
		}
		if slices.Contains(golden, r.Name) {
			continue
		}
		if r.Family() == rowspec.SwitchPairs && r.Spec.Pairs > 2 {
			continue
		}
		if *update {
			golden = append(golden, r.Name)
			continue
		}
		t.Errorf("%s: not in testdata/names.golden; add it there (a new row) rather than rename one", r.Name)
	}
	if *update {
		if err := os.WriteFile("testdata/names.golden", []byte(strings.Join(golden, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range golden {
		if slices.Contains(got, name) {
			continue
		}
		sp := rowspec.MustParse(name)
		hostDependent := (!cgoEnabled && (sp.Style == rowspec.StylePthread || sp.Style == rowspec.StyleLibcFork)) ||
			(sp.Family == rowspec.SwitchPairs && sp.Pairs > len(Family(rowspec.SwitchPairs))/2)
		if !hostDependent {
			t.Errorf("%s: in testdata/names.golden but no longer in the catalogue (renamed?)", name)
		}
	}
}

// TestLegacyNamesCompare: the creation rows were named without cpu= until
// the key was added (all of them ran unpinned). Every such name in stored
// results still parses, and its Canonical form, the row compare matches it
// with, is a cpu=any row of today's catalogue.
func TestLegacyNamesCompare(t *testing.T) {
	have := map[string]bool{}
	for _, r := range Catalogue() {
		have[r.Name] = true
	}
	for _, name := range readLines(t, "testdata/legacy-names.golden") {
		sp, err := rowspec.Parse(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		c := sp.Canonical()
		if !sp.Legacy() || c.CPU != rowspec.CPUAny {
			t.Errorf("%s: Legacy %v, Canonical %s", name, sp.Legacy(), c)
		}
		hostDependent := !cgoEnabled && (sp.Style == rowspec.StylePthread || sp.Style == rowspec.StyleLibcFork)
		if !have[c.String()] && !hostDependent {
			t.Errorf("%s compares with %s, which the catalogue no longer has", name, c)
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
