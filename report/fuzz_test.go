package report

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

// fuzzSeeds are result-file fragments: valid lines of every kind the suite
// writes, and the malformed inputs runbench must refuse with one line.
var fuzzSeeds = []string{
	// Valid: config, a go test -v name line, samples with percentiles.
	"goos: linux\ngoarch: amd64\ncpu: AMD EPYC 7B13\nkernel: 6.18.0\nvirtualization: kvm\n" +
		"BenchmarkCreate\nBenchmarkCreate/style=fork\n" +
		"BenchmarkCreate/style=fork-2\t200\t651511 ns/op\t631243 p50-ns\t1107373 p99-ns\n",
	"BenchmarkSwitch/mech=pipe/mode=thread/cpu=same-2 1000 7000 ns/op 14000 ns/switch 2.00 ctxsw/op 0.01 ictxsw/op\n",
	// Simulated rows: sim- units and sim config; a row with ns/op beside
	// sim-ns/op is refused.
	"kernel: sim\nsim: true\nBenchmarkCreate/style=thread-8\t200\t31666 sim-ns/op\t30716 sim-p50-ns\t2 ctxsw/op\n",
	"kernel: sim\nsim: true\nBenchmarkCreate/style=thread-8\t200\t31666 sim-ns/op\t0.00 ns/op\t30716 sim-p50-ns\n",
	"BenchmarkCreate/style=thread-8\t200\t31666 sim-ns/op\t5 p50-ns\t30716 sim-p50-ns\n",
	// Skips, in go test -v form (reason before and after) and runbench form.
	"BenchmarkCreate/style=pthread\n    bench_test.go:31: needs cgo\n--- SKIP: BenchmarkCreate/style=pthread\nBenchmarkX 1 1 ns/op\n",
	"--- SKIP: BenchmarkCreate/style=pthread-2\n    bench_test.go:31: needs cgo\n--- FAIL: BenchmarkY\nBenchmarkX 1 1 ns/op\n",
	"# skip: Create/style=rss=1GiB: needs 2GiB free\nBenchmarkX 1 1 ns/op\n",
	// Several machines in one input, told apart by host or config.
	"host: a\nBenchmarkX 1 1 ns/op\nhost: b\nBenchmarkX 1 2 ns/op\n",
	"cpu: one\nBenchmarkX 1 1 ns/op\ncpu: two\nkernel: 6.1\nBenchmarkX 1 2 ns/op\n",
	// Malformed: truncated mid-line, bad or missing values, odd units.
	"goos: linux\nBenchmarkCreate/style=fork-2\t200\t6515",
	"BenchmarkX-2 100 abc ns/op\n",
	"BenchmarkX-2 100\n",
	"BenchmarkX-2 100 5\n",
	"BenchmarkX-2 100 NaN ns/op\n",
	"BenchmarkX-2 100 +Inf ns/op\n",
	"BenchmarkX-2 100 -Inf sim-ns/op\n",
	"BenchmarkX-2 100 1e400 ns/op\n",
	"BenchmarkX-2 100 12 ms/op 3 furlongs 4 sim-\n",
	"BenchmarkX-2 100 12 ns/op 3 ns/op\n",
	"BenchmarkX-2 -1 12 ns/op\n",
	"Benchmark 1 1 ns/op\n",
	"Benchmark/=/=-2 1 1 ns/op\n",
	"BenchmarkX/a=b/-2 1 1 ns/op\n",
	"BenchmarkX-\t1\t1 ns/op\n",
	"goos linux\nBenchmarkX 1 1 ns/op\n",
	":\nBenchmarkX 1 1 ns/op\n",
	"Unit ns/op assume=exact\nBenchmarkX 1 1 ns/op\n",
	// Not results at all.
	"",
	"\n\n\n",
	"hello\nthis is not a benchmark file\n",
	"\x7fELF\x02\x01\x01\x00\x00\x00binary",
	"\xff\xfe\xfdBenchmarkX 1 1 ns/op\n",
	"BenchmarkX 1 1 ns/op\r\nBenchmarkX 1 2 ns/op\r\n",
}

// FuzzParse feeds Parse arbitrary bytes. It must never panic, and either
// refuse the input with one line naming it that wraps ErrMalformed or
// ErrNoResults, or return rows every reader of Data can trust: named,
// hosted, with finite samples for each listed unit.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	// The real result files the golden tests use.
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		const name = "fuzz.txt"
		d, err := Parse(bytes.NewReader(in), name)
		if err != nil {
			if d != nil {
				t.Errorf("Parse returned data %v alongside error %v", d, err)
			}
			msg := err.Error()
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNoResults) {
				t.Errorf("error %q wraps neither ErrMalformed nor ErrNoResults", msg)
			}
			if !strings.Contains(msg, name) {
				t.Errorf("error %q does not name the input %s", msg, name)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error %q is more than one line", msg)
			}
			return
		}
		if len(d.Rows) == 0 {
			t.Fatalf("Parse succeeded with no rows")
		}
		if len(d.Files) != 1 || d.Files[0] != name {
			t.Errorf("Files = %q, want [%s]", d.Files, name)
		}
		hosts := map[*Host]bool{}
		for _, h := range d.Hosts {
			hosts[h] = true
		}
		for _, r := range d.Rows {
			// The family may be empty: "func Benchmark" is a valid name.
			if !strings.HasPrefix(r.Name, rowspec.BenchName(string(r.Family))) {
				t.Errorf("row %q (family %q) is not a benchmark name", r.Name, r.Family)
			}
			if r.Known && (r.Spec.Family != r.Family || r.Spec.BenchName() != r.Name) {
				t.Errorf("row %q: Spec %q, family %q: the typed name must be the name", r.Name, r.Spec, r.Family)
			}
			if r.Host == nil || !hosts[r.Host] {
				t.Errorf("row %q has a host not in Hosts", r.Name)
			}
			if !strings.HasPrefix(r.Pos, name+":") {
				t.Errorf("row %q position %q does not name the input", r.Name, r.Pos)
			}
			if len(r.Units) != len(r.Values) {
				t.Errorf("row %q lists units %q but has values for %d", r.Name, r.Units, len(r.Values))
			}
			for _, u := range r.Units {
				vs := r.Values[u]
				if len(vs) == 0 {
					t.Errorf("row %q unit %q has no samples", r.Name, u)
				}
				for _, v := range vs {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Errorf("row %q unit %q has non-finite sample %v", r.Name, u, v)
					}
				}
				// (Load strips one "sim-" prefix, as its doc says, so
				// "sim-sim-x" is kept as "sim-x": odd but not wrong.)
				// What every chart and table does with a row.
				s, ok := r.Summary(u)
				if !ok || s.N != len(vs) || math.IsNaN(s.Median) || math.IsInf(s.Median, 0) {
					t.Errorf("row %q unit %q: Summary = %+v, %v; want a finite median of %d samples", r.Name, u, s, ok, len(vs))
				}
			}
		}
		for _, s := range d.Skips {
			if !strings.HasPrefix(s.Name, rowspec.BenchPrefix) || s.Reason == "" || !strings.HasPrefix(s.Pos, name+":") {
				t.Errorf("skip %+v: want a Benchmark name, a reason and a position in %s", s, name)
			}
		}
	})
}

// lineAt returns the line a "file:line" position points at, or "".
func lineAt(lines []string, pos string) string {
	i := strings.LastIndexByte(pos, ':')
	n, err := strconv.Atoi(pos[i+1:])
	if i < 0 || err != nil || n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}
