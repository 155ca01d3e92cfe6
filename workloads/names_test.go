package workloads

import (
	"bufio"
	"os"
	"slices"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

// TestNamesAreTheContract holds the catalogue to testdata/names.golden:
// stored results, baselines and nightly tags compare on these names, so a
// row is added to the list, never renamed in it. Rows that depend on the
// host are allowed to be absent: the glibc rows without cgo, and SwitchPairs
// beyond this host's CPU count (the list holds pairs=1 and 2).
func TestNamesAreTheContract(t *testing.T) {
	f, err := os.Open("testdata/names.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var golden []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		golden = append(golden, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
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
		t.Errorf("%s: not in testdata/names.golden; add it there (a new row) rather than rename one", r.Name)
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
