package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/simkernel"
)

func TestInfo(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		kernel func(string) bool
	}{
		{[]string{"info"}, func(v string) bool { return v != "sim" && v != "" }},
		{[]string{"info", "-kernel", "sim"}, func(v string) bool { return v == "sim" }},
	} {
		out, errs, code := runCmd(t, nil, tt.args...)
		if code != 0 || errs != "" {
			t.Fatalf("%v: exit %d: %s", tt.args, code, errs)
		}
		var keys []string
		vals := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			k, v, ok := strings.Cut(l, ": ")
			if !ok {
				t.Errorf("not a config line: %q", l)
			}
			keys = append(keys, k)
			vals[k] = v
		}
		// go test's keys lead, in go test's order.
		if len(keys) < 4 || strings.Join(keys[:4], ",") != "goos,goarch,pkg,cpu" {
			t.Errorf("%v: keys start %v", tt.args, keys)
		}
		for _, k := range []string{"kernel", "nproc", "virtualization", "governor", "thp", "mitigations", "loadavg", "gomaxprocs", "go", "commit", "host", "cpus-allowed", "smt", "cores", "llcs", "nodes"} {
			if vals[k] == "" {
				t.Errorf("%v: no %s line", tt.args, k)
			}
		}
		if !tt.kernel(vals["kernel"]) {
			t.Errorf("%v: kernel: %s", tt.args, vals["kernel"])
		}
	}
}

func TestCalibrate(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "p.json")
	out, errs, code := runCmd(t, nil, "calibrate", "testdata/old.txt", "-o", prof)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "Create/style=goroutine") {
		t.Errorf("no per-row check in the output:\n%s", out)
	}
	if _, err := simkernel.LoadProfile(prof); err != nil {
		t.Errorf("written profile does not load: %v", err)
	}
	before, _ := os.ReadFile(prof)
	for _, args := range [][]string{
		{"calibrate", "testdata/old.txt", "-o", prof},             // exists
		{"calibrate", "testdata/sim.txt", "-o", prof + "2"},       // simulated
		{"calibrate", "testdata/bad/empty.txt", "-o", prof + "3"}, // malformed
		{"calibrate", "testdata/old.txt"},                         // no -o
	} {
		_, errs, code := runCmd(t, nil, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		checkOneLine(t, errs)
	}
	if after, _ := os.ReadFile(prof); string(after) != string(before) {
		t.Errorf("calibrate overwrote an existing profile")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("files in %s: %v", dir, ents)
	}
}

// TestInfoRunpath: the path printed is the one a run starting now gets,
// the next free one when taken, and history orders it as a run.
func TestInfoRunpath(t *testing.T) {
	dir := t.TempDir()
	e := defaultEnv()
	e.run.Now = func() time.Time { return time.Date(2026, 12, 3, 9, 59, 40, 0, time.UTC) }
	for _, want := range []string{"20261203T095940Z.txt", "20261203T095940Z-2.txt"} {
		out, errs, code := runCmd(t, e, "info", "-runpath", dir)
		if code != 0 || errs != "" {
			t.Fatalf("exit %d: %s", code, errs)
		}
		got := strings.TrimSpace(out)
		if got != filepath.Join(dir, want) {
			t.Errorf("info -runpath = %q, want %q", got, filepath.Join(dir, want))
		}
		if _, err := resultfile.ParseRunName(got); err != nil {
			t.Error(err)
		}
		if err := os.WriteFile(got, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
