package report

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

// TestNamespacesGolden draws namespaces.png from every containers' row
// beside plain fork and thread, the namespaces with their kernel threads'
// deferred teardown, and compares it with its golden image.
func TestNamespacesGolden(t *testing.T) {
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\ncpu: test\nkernel: 6.18.0\nhost: fixture\n")
	row := func(sp rowspec.Spec, ns, kthread float64) {
		sp.CPU = rowspec.CPUSame
		for j := range 6 {
			v := ns * (1 + 0.02*float64(j%3-1))
			fmt.Fprintf(&b, "%s-2\t100\t%g %s", sp.BenchName(), v, rowspec.UnitNsOp)
			if kthread > 0 {
				fmt.Fprintf(&b, "\t%g %s", kthread, rowspec.UnitKthreadNsOp)
			}
			b.WriteString("\n")
		}
	}
	row(rowspec.Spec{Family: rowspec.Create, Style: rowspec.StyleFork}, 60000, 0)
	row(rowspec.Spec{Family: rowspec.Create, Style: rowspec.StyleThread}, 15000, 0)
	row(rowspec.Spec{Family: rowspec.Clone3, Style: rowspec.StyleFork}, 62000, 0)
	row(rowspec.Spec{Family: rowspec.Clone3, Style: rowspec.StyleThread}, 16000, 0)
	for i, w := range rowspec.Waits() {
		row(rowspec.Spec{Family: rowspec.CreatePidfd, Wait: w}, 63000+1000*float64(i), 0)
	}
	for i, h := range rowspec.Hows() {
		row(rowspec.Spec{Family: rowspec.CreateCgroup, How: h}, 70000+20000*float64(i), 0)
	}
	for i, ns := range rowspec.NSs() {
		row(rowspec.Spec{Family: rowspec.CreateNS, NS: ns}, 65000+15000*float64(i), 2000*float64(i))
	}
	d, err := Parse(strings.NewReader(b.String()), "ns.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Write(dir, d, Options{}); err != nil {
		t.Fatal(err)
	}
	checkImage(t, filepath.Join(dir, "namespaces.png"))
}
