package history

import (
	"strings"
	"testing"

	"github.com/clonebench/clonebench/resultfile"
)

// TestDedupe: a file whose benchmark lines are another's is left out,
// whatever its name and config lines; one differing figure keeps it.
func TestDedupe(t *testing.T) {
	const lines = "BenchmarkCreate/style=fork/cpu=same-2 100 1000 ns/op\nBenchmarkCreate/style=fork/cpu=same-2 100 1010 ns/op\n"
	parse := func(name, text string) *resultfile.File {
		t.Helper()
		f, err := resultfile.Parse(strings.NewReader(text), name)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, tt := range []struct {
		name    string
		files   []*resultfile.File
		kept    []string
		dropped []string // "file=of"
	}{
		{"distinct", []*resultfile.File{
			parse("a.txt", "host: x\n"+lines),
			parse("b.txt", "host: x\n"+strings.Replace(lines, "1010", "1011", 1)),
		}, []string{"a.txt", "b.txt"}, nil},
		{"same file twice", []*resultfile.File{
			parse("a.txt", "host: x\n"+lines),
			parse("a.txt", "host: x\n"+lines),
		}, []string{"a.txt"}, []string{"a.txt=a.txt"}},
		{"copy with other config lines", []*resultfile.File{
			parse("a.txt", "host: x\nloadavg: 0.1\n"+lines),
			parse("b.txt", "host: x\n"+lines),
			parse("c.txt", "host: x\n\n\n"+lines),
		}, []string{"a.txt"}, []string{"b.txt=a.txt", "c.txt=a.txt"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kept, dropped := Dedupe(tt.files)
			var k, d []string
			for _, f := range kept {
				k = append(k, f.Path)
			}
			for _, x := range dropped {
				d = append(d, x.File.Path+"="+x.Of.Path)
			}
			if strings.Join(k, " ") != strings.Join(tt.kept, " ") || strings.Join(d, " ") != strings.Join(tt.dropped, " ") {
				t.Errorf("kept %v dropped %v, want %v and %v", k, d, tt.kept, tt.dropped)
			}
		})
	}
}
