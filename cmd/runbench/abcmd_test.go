package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAB runs ab on the fake bench scripts in testdata/ab: B is 10%
// slower on the fork row only, and the exit code says so.
func TestAB(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh for the fake bench scripts")
	}
	dir := filepath.Join(t.TempDir(), "ab")
	out, errs, code := runCmd(t, nil, "ab", "-run", "Create/style=(fork|thread)/cpu=same$", "-rounds", "8", "-target", "1%", "-o", dir, "testdata/ab/a.sh", "testdata/ab/b.sh")
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{
		"verdict: 1 significant regression(s) over 5%",
		"regression: Create/style=fork/cpu=same sec/op +10.00%",
		"A: " + filepath.Join(dir, "a.txt"),
		"B: " + filepath.Join(dir, "b.txt"),
		"sides: A testdata/ab/a.sh, B testdata/ab/b.sh",
		"target ±1%: reached by all 2 rows",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasPrefix(out, "verdict: ") {
		t.Errorf("the verdict does not lead:\n%s", out)
	}
	if !strings.Contains(errs, "[runbench] ab round 6/8:") {
		t.Errorf("no progress on stderr:\n%s", errs)
	}
}

// TestABBadInput: one line naming the input, exit 2, nothing run.
func TestABBadInput(t *testing.T) {
	a := "testdata/ab/a.sh"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ab", a, "testdata/ab/nope.sh"}, "testdata/ab/nope.sh: no such file or directory"},
		{[]string{"ab", a}, "want two executables, A and B; have 1"},
		{[]string{"ab", "-knob", "/proc/sys/kernel/x=1,2", a, a}, "-knob compares one executable"},
		{[]string{"ab", "-knob", "/proc/sys/kernel/x", a}, "want PATH=V1,V2"},
		{[]string{"ab", "-knob", "/proc/sys/kernel/x=1,2,3", a}, "want PATH=V1,V2"},
		{[]string{"ab", "-knob", "/etc/passwd=a,b", a}, "not under /proc/sys or /sys"},
		{[]string{"ab", "-knob", "/proc/sys/../../etc/passwd=a,b", a}, "not under /proc/sys or /sys"},
		{[]string{"ab", "-suite", "huge", a, a}, "-suite must be quick or full"},
		{[]string{"ab", "-run", "(", a, a}, "-run"},
		{[]string{"ab", "-run", "NoSuchRow", a, a}, "no row of the quick suite matches"},
		{[]string{"ab", "-rounds", "3", a, a}, "-rounds must be at least 6"},
		{[]string{"ab", "-alpha", "2", a, a}, "-alpha must be in range"},
		{[]string{"ab", "-target", "x", a, a}, "-target"},
	}
	if os.Geteuid() != 0 {
		// As root this would write the machine's THP setting: the
		// refusal is tested as root in package ab, with a hook.
		tests = append(tests, struct {
			args []string
			want string
		}{[]string{"ab", "-knob", "/sys/kernel/mm/transparent_hugepage/enabled=always,never", a}, "needs root"})
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			e := defaultEnv()
			e.ab.OutDir = filepath.Join(t.TempDir(), "out")
			out, errs, code := runCmd(t, e, tt.args...)
			if code != exitBadInput || out != "" || !strings.HasPrefix(errs, "runbench ab: ") || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", code, out, errs, tt.want)
			}
		})
	}
}
