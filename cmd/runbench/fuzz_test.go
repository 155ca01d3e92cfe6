package main

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// FuzzParseResult: whatever bytes a result file holds, the reader either
// refuses them with one line naming the file or returns rows that all have
// a time per op — never a panic, never a half-read file taken as good.
func FuzzParseResult(f *testing.F) {
	for _, glob := range []string{"testdata/*.txt", "testdata/bad/*"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{
		"",
		"\n",
		"BenchmarkX 1 1 ns/op\n",
		"BenchmarkX 1 1 ns/op",
		"BenchmarkX-2 10 5 ns/op 3 p50-ns\nBenchmarkX-2 10 6 ns/op 4 p50-ns\n",
		"kernel: sim\nBenchmarkX 200 5 sim-ns/op\n",
		"kernel: sim\nBenchmarkX 200 5 sim-ns/op\nBenchmarkY 10 7 ns/op\n",
		"BenchmarkX 1 1 ms\n",
		"BenchmarkX 1 NaN ns/op\n",
		"BenchmarkX 1 +Inf ns/op\n",
		"BenchmarkX 1 -1 ns/op\n",
		"BenchmarkX 1 1 ns/op\nBenchmarkX 1 1 sim-ns/op\n",
		"cpu: a\nBenchmarkX 1 1 ns/op\ncpu: b\nBenchmarkX 1 1 ns/op\n",
		"# skip: Create/style=pthread: needs cgo\nBenchmarkX 1 1 ns/op\n",
		"\x00\x01\x02",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "in.txt"
		file, err := resultfile.ParseRun(bytes.NewReader(data), path)
		if err != nil {
			err = badFile(path, err) // as readResult reports it
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
				t.Fatalf("error %q: want one line naming %s", msg, path)
			}
			var ce *codeError
			if !errors.As(err, &ce) || ce.code != exitBadInput {
				t.Fatalf("error %q is not bad input", msg)
			}
			return
		}
		if len(file.Rows) == 0 {
			t.Fatal("no error and no rows")
		}
		kind := map[string]bool{}
		for _, r := range file.Rows {
			if len(r.Samples) == 0 {
				t.Fatalf("%s: no samples", r.Name)
			}
			real, sim := len(r.Values(rowspec.UnitNsOp)) > 0, len(r.Values(rowspec.UnitSimNsOp)) > 0
			if real == sim {
				t.Fatalf("%s: accepted with %s=%v and %s=%v; want exactly one", r.Name, rowspec.UnitNsOp, real, rowspec.UnitSimNsOp, sim)
			}
			if k, ok := kind[r.Name]; ok && k != sim {
				t.Fatalf("%s: accepted as both simulated and real", r.Name)
			}
			kind[r.Name] = sim
			for _, s := range r.Samples {
				for _, v := range s.Values {
					if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
						t.Fatalf("%s: accepted %v %s", r.Name, v.Value, v.Unit)
					}
				}
			}
		}
	})
}
