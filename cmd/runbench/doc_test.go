package main

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDoc runs the examples in the command's documentation (doc.go) and
// checks what they print and their exit status, so the docs cannot drift.
// An example is a "$ runbench …" line, the expected stdout then stderr,
// and an optional "exit status N" line (default 0); "…" alone skips the
// output check. Examples run in a temporary copy of testdata/.
func TestDoc(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "doc.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	p, err := doc.NewFromFiles(fset, []*ast.File{f}, "p")
	if err != nil {
		t.Fatal(err)
	}
	tests := parseDocTests(p.Doc)
	if len(tests) < 5 {
		t.Fatalf("found %d doc examples, want at least 5", len(tests))
	}
	dir := t.TempDir()
	for _, name := range []string{"base.txt", "head.txt", "lab.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// ab: the fake bench executables of ab's example.
	if err := os.CopyFS(filepath.Join(dir, "ab"), os.DirFS(filepath.Join("testdata", "ab"))); err != nil {
		t.Fatal(err)
	}
	// hist: earlier runs of base.txt's machine, for compare -history.
	if err := os.CopyFS(filepath.Join(dir, "hist"), os.DirFS(filepath.Join("testdata", "hist"))); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			e := defaultEnv()
			e.run.ResultsDir = filepath.Join(dir, "results")
			out, errs, code := runCmd(t, e, tt.args...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errs)
			}
			if tt.want == "…\n" {
				return
			}
			got := out + errs
			if got != tt.want {
				t.Errorf("output differs from doc.go:\n--- got\n%s--- want\n%s", got, tt.want)
			}
		})
	}
}

type docTest struct {
	args []string
	want string
	code int
}

var exitRe = regexp.MustCompile(`(?m)^exit status (\d+)\n\z`)

func parseDocTests(text string) []docTest {
	var tests []docTest
	var cur *docTest
	var lines []string
	flush := func() {
		if cur == nil {
			return
		}
		want := strings.TrimRight(strings.Join(lines, ""), "\n") + "\n"
		if e := exitRe.FindStringSubmatchIndex(want); e != nil {
			cur.code, _ = strconv.Atoi(want[e[2]:e[3]])
			want = want[:e[0]]
		}
		cur.want = want
		tests = append(tests, *cur)
		cur, lines = nil, nil
	}
	for _, l := range strings.SplitAfter(text, "\n") {
		switch {
		case strings.HasPrefix(l, "\t$ runbench "):
			flush()
			cur = &docTest{args: strings.Fields(strings.TrimPrefix(l, "\t$ runbench "))}
		case cur != nil && (strings.HasPrefix(l, "\t") || strings.TrimSpace(l) == ""):
			lines = append(lines, strings.TrimPrefix(l, "\t"))
		default:
			flush()
		}
	}
	flush()
	return tests
}

func TestParseDocTests(t *testing.T) {
	got := parseDocTests("x\n\t$ runbench compare a b\n\tline 1\n\n\tline 3\n\texit status 1\n\n\t$ runbench info\n\t…\n")
	if len(got) != 2 {
		t.Fatalf("%d tests", len(got))
	}
	if strings.Join(got[0].args, " ") != "compare a b" || got[0].code != 1 || got[0].want != "line 1\n\nline 3\n" {
		t.Errorf("first = %+v", got[0])
	}
	if got[1].want != "…\n" || got[1].code != 0 {
		t.Errorf("second = %+v", got[1])
	}
}
