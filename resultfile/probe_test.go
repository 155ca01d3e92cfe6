package resultfile

import (
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

// A probed row is its own Known row beside the plain one, with its phase
// units kept as written.
func TestProbedRowsRead(t *testing.T) {
	in := "goos: linux\ngoarch: amd64\ncpu: test\n" +
		"BenchmarkCreate/style=fork/cpu=same-2\t100\t50000 ns/op\n" +
		"BenchmarkCreate/style=fork/cpu=same/probe=sched-2\t100\t51000 ns/op\t20000 copy-ns/op\t15000 teardown-ns/op\t16000 reap-ns/op\n"
	f, err := Parse(strings.NewReader(in), "p.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 2 {
		t.Fatalf("%d rows, want the plain and the probed row apart", len(f.Rows))
	}
	p := f.Rows[1]
	if !p.Known || p.Spec.Probe != rowspec.ProbeSched || p.Spec.Plain() != f.Rows[0].Spec {
		t.Fatalf("probed row %+v", p)
	}
	if v, ok := p.Samples[0].Get(rowspec.UnitCopyNsOp); !ok || v != 20000 {
		t.Errorf("copy-ns/op = %v, %v", v, ok)
	}
}
