package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseResults: whatever bytes a result file holds, the reader either
// refuses them with one line naming the file or returns rows that all have
// a time per op — never a panic, never a half-read file taken as good.
func FuzzParseResults(f *testing.F) {
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
		"cpu: a\nBenchmarkX 1 1 ns/op\ncpu: b\nBenchmarkX 1 1 ns/op\n",
		"# skip: Create/style=pthread: needs cgo\nBenchmarkX 1 1 ns/op\n",
		"\x00\x01\x02",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "in.txt"
		s, err := parseResults(path, data)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
				t.Fatalf("error %q: want one line naming %s", msg, path)
			}
			return
		}
		if len(s.names) == 0 {
			t.Fatal("no error and no rows")
		}
		for _, name := range s.names {
			var real, sim bool
			for u, vs := range s.values[name] {
				if len(vs) == 0 {
					t.Fatalf("%s %s: no values", name, u)
				}
				real = real || s.orig[u] == "ns/op"
				sim = sim || s.orig[u] == "sim-ns/op"
			}
			if real == sim {
				t.Fatalf("%s: accepted with ns/op=%v and sim-ns/op=%v; want exactly one", name, real, sim)
			}
		}
	})
}
