package resultfile

import (
	"fmt"
	"strings"
	"testing"
)

func TestForStorage(t *testing.T) {
	in := "goos: linux\ncpu: Some CPU\nthp: madvise\ngomaxprocs: 2\nhost: vm\n\n" +
		"BenchmarkCreate/style=fork/cpu=same-2 10 1000 ns/op\n" +
		SkipLine("Create/style=pthread/cpu=same", "no libc") +
		"BenchmarkCreate/style=fork/cpu=same-2 10 1100 ns/op\n"
	out, err := ForStorage([]byte(in), "in.txt")
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{"config-cpu: Some CPU\n", "config-thp: madvise\n", "config-gomaxprocs: 2\n", "goos: linux\n", "host: vm\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("ForStorage output lacks %q:\n%s", want, got)
		}
	}
	for _, bad := range []string{"\ncpu:", "\nthp:", "\ngomaxprocs:"} {
		if strings.Contains("\n"+got, bad) {
			t.Errorf("ForStorage output keeps %q:\n%s", bad, got)
		}
	}
	f, err := Parse(strings.NewReader(got), "out.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 1 || fmt.Sprint(f.Rows[0].Values("ns/op")) != "[1000 1100]" {
		t.Errorf("rows after ForStorage: %+v", f.Rows)
	}
	tests := []struct{ label, key string }{
		{"config-cpu", "cpu"}, {"config-gomaxprocs", "gomaxprocs"}, {"config-host", "config-host"}, {"cpu", "cpu"}, {"kernel", "kernel"},
	}
	for _, tt := range tests {
		if got := FromStorage(tt.label); got != tt.key {
			t.Errorf("FromStorage(%q) = %q, want %q", tt.label, got, tt.key)
		}
	}
}
