package history

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/internal/chartkit/chartkittest"
)

// TestWrite checks that -o's files are there and whole: history.md names
// every chart, and every chart decodes as a PNG and matches its golden
// image (testdata/history-synth-FAMILY_golden.png; -regen rewrites them).
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	ms := analyze(t, synthFiles(t, dir, 30, 0.02, 16, synthRows(map[string]synthRow{
		"Create/style=fork/cpu=same": {level: step(20, 0.05)},
	})))
	out := filepath.Join(dir, "out")
	v, files, err := Write(out, ms, Summary{Order: ByTime{}, Threshold: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 1 || v[0].Series.Name != "Create/style=fork/cpu=same" {
		t.Errorf("verdict %v, want the fork step", v)
	}
	md, err := os.ReadFile(filepath.Join(out, "history.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"history.md", "history-synth-Create.png", "history-synth-Switch.png", "history-synth-SwitchOverhead.png"}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", files, want)
	}
	for _, f := range files[1:] {
		if !strings.Contains(string(md), "]("+f+")") {
			t.Errorf("history.md does not link %s", f)
		}
		r, err := os.Open(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(r); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		r.Close()
		t.Run(f, func(t *testing.T) { chartkittest.CheckGolden(t, filepath.Join(out, f)) })
	}
	if os.Getenv("HISTORY_KEEP") != "" {
		os.CopyFS(os.Getenv("HISTORY_KEEP"), os.DirFS(out))
	}
}
