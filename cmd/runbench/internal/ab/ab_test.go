package ab

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(fakeEnv) == "1":
		os.Exit(fakeBench())
	case os.Getenv(helperEnv) != "":
		os.Exit(helper(os.Getenv(helperEnv)))
	}
	os.Exit(m.Run())
}

var (
	fork      = rowspec.MustParse("Create/style=fork/cpu=same")
	goroutine = rowspec.MustParse("Create/style=goroutine/cpu=any")
	thread    = rowspec.MustParse("Create/style=thread/cpu=same")
	pipe      = rowspec.MustParse("Switch/mech=pipe/mode=process/cpu=same/ws=0")
)

// isolate points the knob root and the journal at temporary directories,
// so no test reads or writes the machine's.
func isolate(t *testing.T) (root string) {
	t.Helper()
	root, jd := t.TempDir(), t.TempDir()
	oldRoot, oldJD, oldUID := knobRoot, journalDir, geteuid
	knobRoot, journalDir = root, jd
	t.Cleanup(func() { knobRoot, journalDir, geteuid = oldRoot, oldJD, oldUID })
	return root
}

// wrappers are two fake executables, as a user's wrapper scripts would
// be: each sets its side and execs the test binary as the fake bench.
func wrappers(t *testing.T) (a, b string) {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh for the wrapper scripts")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, side := range []string{"a", "b"} {
		script := "#!/bin/sh\n" + fakeEnv + "=1 " + fakeEnv + "_SIDE=" + side + " exec '" + self + "' \"$@\"\n"
		if err := os.WriteFile(filepath.Join(dir, side+".sh"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "a.sh"), filepath.Join(dir, "b.sh")
}

func opts(t *testing.T, a, b string, rows ...rowspec.Spec) Options {
	return Options{
		A: a, B: b, Rows: rows, Compare: comparison.DefaultOptions,
		SampleTime: time.Millisecond, Budget: time.Minute, Rounds: 10,
		OutDir: filepath.Join(t.TempDir(), "out"), Seed: 1, Lock: "clonebench-ab-test-" + t.Name(),
	}
}

// TestVerdict: B planted 10% slower on fork, equal on thread; the pairs
// find the one and not the other, and each side's samples are a result
// file listed in the comparison.
func TestVerdict(t *testing.T) {
	isolate(t)
	a, b := wrappers(t)
	t.Setenv(fakeEnv+"_SLOW", "style=fork")
	var stderr bytes.Buffer
	res, err := Run(&stderr, opts(t, a, b, fork, thread))
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, stderr.String())
	}
	c := res.Comparison
	if c.Verdict != comparison.Regressions || c.Verdict.ExitCode() != 1 {
		t.Errorf("verdict %v, want regressions (exit 1)", c.Verdict)
	}
	for _, r := range c.Primary().Rows {
		want := comparison.NotSignificant
		if r.Name == fork.String() {
			want = comparison.Regression
		}
		if r.Class != want && !(r.Name == thread.String() && r.Class == comparison.WithinThreshold) {
			t.Errorf("%s: %v (change %+.3f), want %v", r.Name, r.Class, r.Change, want)
		}
	}
	if res.Rounds != 10 {
		t.Errorf("%d rounds, want -rounds' 10", res.Rounds)
	}
	var text bytes.Buffer
	comparison.WriteText(&text, c)
	for i, side := range []string{"A", "B"} {
		if !strings.Contains(text.String(), side+": "+res.Files[i]) {
			t.Errorf("WriteText does not list %s's file %s:\n%s", side, res.Files[i], text.String())
		}
		f, err := resultfile.ReadRun(res.Files[i])
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Get("ab-side"); got != side {
			t.Errorf("%s: ab-side %q", res.Files[i], got)
		}
		if n := len(f.Rows[0].Samples); n != 10 {
			t.Errorf("%s: %d samples of %s, want 10", res.Files[i], n, f.Rows[0].Name)
		}
	}
	// The rounds are in the sidecar, as runbench run records them: each
	// round holds one sample of each row, and the file has no round line
	// to split benchstat's tables.
	raw, _ := os.ReadFile(res.Files[0])
	if strings.Contains(string(raw), "round:") {
		t.Errorf("a.txt has round config lines:\n%s", raw)
	}
	rounds, err := resultfile.ReadRounds(resultfile.RoundsPath(res.Files[0]))
	if err != nil {
		t.Fatal(err)
	}
	if len(rounds.Rounds) != 10 || rounds.Rounds[9].N != 10 || len(rounds.Rounds[9].Samples) != 2 {
		t.Errorf("rounds sidecar: %d rounds, want 10 of 2 samples: %+v", len(rounds.Rounds), rounds.Rounds)
	}
	if !strings.Contains(stderr.String(), "[runbench] ab round 10/10:") {
		t.Errorf("no progress line for round 10:\n%s", stderr.String())
	}
}

// TestOrder: the two samples of a pair are back to back, their order
// varies, and so does the row order from round to round.
func TestOrder(t *testing.T) {
	isolate(t)
	a, b := wrappers(t)
	log := filepath.Join(t.TempDir(), "log")
	t.Setenv(fakeEnv+"_LOG", log)
	if _, err := Run(&bytes.Buffer{}, opts(t, a, b, fork, thread, pipe)); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var execs [][]string
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if f := strings.Fields(l); strings.HasSuffix(f[2], "x") { // not a pilot
			execs = append(execs, f)
		}
	}
	if len(execs) != 10*3*2 {
		t.Fatalf("%d samples, want 60", len(execs))
	}
	firsts, orders := map[string]bool{}, map[string]bool{}
	for r := 0; r < 10; r++ {
		var order []string
		for p := 0; p < 3; p++ {
			x, y := execs[r*6+2*p], execs[r*6+2*p+1]
			if x[1] != y[1] || x[0] == y[0] || x[2] != y[2] {
				t.Fatalf("round %d: %v then %v is not a pair", r+1, x, y)
			}
			firsts[x[0]] = true
			order = append(order, x[1])
		}
		orders[strings.Join(order, " ")] = true
	}
	if !firsts["a"] || !firsts["b"] {
		t.Errorf("the same side went first in all 30 pairs: %v", firsts)
	}
	if len(orders) < 2 {
		t.Errorf("one row order in all 10 rounds: %v", orders)
	}
}

// TestTarget: tight data reaches ±1% at the minimum number of rounds, long
// before -rounds; noisy data does not, and says so.
func TestTarget(t *testing.T) {
	isolate(t)
	a, b := wrappers(t)
	o := opts(t, a, b, fork, thread)
	o.Rounds, o.Target = 40, 0.01
	var stderr bytes.Buffer
	res, err := Run(&stderr, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rounds != MinRounds || len(res.Reached) != 2 {
		t.Errorf("tight data: %d rounds, reached %v; want %d rounds, both rows\n%s", res.Rounds, res.Reached, MinRounds, stderr.String())
	}
	if !strings.Contains(stderr.String(), "(target ±1%)") {
		t.Errorf("progress does not show the target:\n%s", stderr.String())
	}
	t.Setenv(fakeEnv+"_NOISE", "0.5")
	o = opts(t, a, b, fork)
	o.Rounds, o.Target = 8, 0.01
	if res, err = Run(&bytes.Buffer{}, o); err != nil {
		t.Fatal(err)
	}
	if res.Rounds != 8 || len(res.Reached) != 0 {
		t.Errorf("noisy data: %d rounds, reached %v; want 8 rounds, none", res.Rounds, res.Reached)
	}
}

// TestFailingSide: a row that fails or is skipped on one side is not
// compared, with its reason; the others are.
func TestFailingSide(t *testing.T) {
	isolate(t)
	a, b := wrappers(t)
	t.Setenv(fakeEnv+"_FAIL", "style=thread")
	t.Setenv(fakeEnv+"_SKIP", "mech=pipe")
	o := opts(t, a, b, fork, thread, pipe)
	o.Rounds = 6
	res, err := Run(&bytes.Buffer{}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Comparison.Primary().Rows) != 1 || res.Comparison.Primary().Rows[0].Name != fork.String() {
		t.Errorf("compared %d rows, want fork alone", len(res.Comparison.Primary().Rows))
	}
	reasons := map[string]string{}
	for _, f := range res.Failed {
		reasons[f.Row] = f.Reason
	}
	if r := reasons[thread.String()]; !strings.Contains(r, "side B") || !strings.Contains(r, "exit status 1") || !strings.Contains(r, "broke on purpose") {
		t.Errorf("thread's reason %q", r)
	}
	if r := reasons[pipe.String()]; !strings.Contains(r, "--- SKIP") || !strings.Contains(r, "needs a planted reason") {
		t.Errorf("pipe's reason %q", r)
	}
}

// TestAllFail: with no row left to compare the session is an error, and
// the files still keep what was measured.
func TestAllFail(t *testing.T) {
	isolate(t)
	a, b := wrappers(t)
	t.Setenv(fakeEnv+"_FAIL", ".")
	res, err := Run(&bytes.Buffer{}, opts(t, a, b, fork))
	if err == nil || !strings.Contains(err.Error(), "no row compared") {
		t.Fatalf("err = %v, want no row compared", err)
	}
	if res == nil || len(res.Failed) != 1 {
		t.Errorf("res = %+v", res)
	}
}

func TestBadInput(t *testing.T) {
	root := isolate(t)
	a, b := wrappers(t)
	knob := filepath.Join(root, "sys/kernel/mm/transparent_hugepage/enabled")
	os.MkdirAll(filepath.Dir(knob), 0o755)
	os.WriteFile(knob, []byte("always [madvise] never\n"), 0o644)
	thp := &Knob{Path: "/sys/kernel/mm/transparent_hugepage/enabled", Values: [2]string{"always", "never"}}
	tests := []struct {
		name string
		edit func(*Options)
		uid  int
		want string
	}{
		{"missing binary", func(o *Options) { o.A = filepath.Join(t.TempDir(), "nope") }, 0, "no such file"},
		{"directory", func(o *Options) { o.B = t.TempDir() }, 0, "a directory"},
		{"few rounds", func(o *Options) { o.Rounds = 3 }, 0, "-rounds must be at least 6"},
		{"alpha", func(o *Options) { o.Compare.Alpha = 2 }, 0, "-alpha"},
		{"no rows", func(o *Options) { o.Rows = nil }, 0, "no row"},
		{"non-root", func(o *Options) { o.Knob = thp }, 1000, "needs root (running as uid 1000)"},
		{"missing knob", func(o *Options) { o.Knob = &Knob{Path: "/proc/sys/kernel/nope", Values: [2]string{"0", "1"}} }, 0, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			geteuid = func() int { return tt.uid }
			o := opts(t, a, b, fork)
			tt.edit(&o)
			_, err := Run(&bytes.Buffer{}, o)
			if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v, want one line of bad input with %q", err, tt.want)
			}
			if got, _ := os.ReadFile(knob); string(got) != "always [madvise] never\n" {
				t.Errorf("knob changed to %q", got)
			}
		})
	}
}

func TestParseKnob(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"/sys/kernel/mm/transparent_hugepage/enabled=always,never", "/sys/kernel/mm/transparent_hugepage/enabled=always,never", ""},
		{"/proc/sys/kernel/sched_autogroup_enabled=0,1", "/proc/sys/kernel/sched_autogroup_enabled=0,1", ""},
		{"/proc/sys/../../etc/passwd=a,b", "", "not under /proc/sys or /sys"},
		{"/etc/sysctl.conf=a,b", "", "not under /proc/sys or /sys"},
		{"sys/kernel/x=a,b", "", "not under /proc/sys or /sys"},
		{"/sysfoo/x=a,b", "", "not under /proc/sys or /sys"},
		{"/proc/sys/kernel/x", "", "want PATH=V1,V2"},
		{"/proc/sys/kernel/x=1", "", "want PATH=V1,V2"},
		{"/proc/sys/kernel/x=1,2,3", "", "want PATH=V1,V2"},
		{"/proc/sys/kernel/x=1,", "", "want PATH=V1,V2"},
	}
	for _, tt := range tests {
		k, err := ParseKnob(tt.in)
		switch {
		case tt.err == "" && (err != nil || k.String() != tt.want):
			t.Errorf("ParseKnob(%q) = %v, %v; want %s", tt.in, k, err, tt.want)
		case tt.err != "" && (!errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseKnob(%q) error %v, want bad input %q", tt.in, err, tt.err)
		}
	}
}

// TestSettingValues: how a read says which value is in effect, and which
// value puts it back.
func TestSettingValues(t *testing.T) {
	features := "GENTLE_FAIR_SLEEPERS START_DEBIT NO_NEXT_BUDDY TTWU_QUEUE\n"
	tests := []struct {
		raw, v   string
		took     bool
		vals     [2]string
		orig     string
		origFail bool
	}{
		{"always [madvise] never\n", "madvise", true, [2]string{"always", "never"}, "madvise", false},
		{"always [madvise] never\n", "never", false, [2]string{"always", "never"}, "madvise", false},
		{"[always] madvise never\n", "always", true, [2]string{"always", "never"}, "always", false},
		{"1\n", "1", true, [2]string{"0", "1"}, "1", false},
		{"4096\t131072\t6291456\n", "4096 131072 6291456", true, [2]string{"4096 87380 6291456", "4096 131072 6291456"}, "4096 131072 6291456", false},
		{features, "TTWU_QUEUE", true, [2]string{"TTWU_QUEUE", "NO_TTWU_QUEUE"}, "TTWU_QUEUE", false},
		{features, "NO_TTWU_QUEUE", false, [2]string{"NO_NEXT_BUDDY", "NEXT_BUDDY"}, "NO_NEXT_BUDDY", false},
		{features, "X", false, [2]string{"X", "NO_X"}, "", true},
		{"core %e\n", "core", false, [2]string{"core", "dump"}, "core %e", false},
	}
	for _, tt := range tests {
		if got := took(tt.raw, tt.v); got != tt.took {
			t.Errorf("took(%q, %q) = %v", tt.raw, tt.v, got)
		}
		got, err := original(tt.raw, tt.vals)
		if (err != nil) != tt.origFail || got != tt.orig {
			t.Errorf("original(%q, %v) = %q, %v; want %q", tt.raw, tt.vals, got, err, tt.orig)
		}
	}
}

// helperEnv runs the test binary as a knob session (helper) in the
// directory it names, for the tests that signal or kill it.
const helperEnv = "CLONEBENCH_AB_HELPER"

const thpPath = "/sys/kernel/mm/transparent_hugepage/enabled"

func knobOptions(dir string) Options {
	self, _ := os.Executable()
	return Options{
		A: self, B: self, Knob: &Knob{Path: thpPath, Values: [2]string{"always", "never"}},
		Rows:    []rowspec.Spec{fork, thread},
		Compare: comparison.DefaultOptions, SampleTime: time.Millisecond, Budget: time.Minute, Rounds: 8,
		OutDir: filepath.Join(dir, "out"), Seed: 1, Lock: "clonebench-ab-test-" + dir,
	}
}

func helper(dir string) int {
	knobRoot, journalDir = filepath.Join(dir, "root"), filepath.Join(dir, "journal")
	geteuid = func() int { return 0 }
	os.Setenv(fakeEnv, "1")
	os.Setenv(fakeEnv+"_KNOB", filepath.Join(knobRoot, thpPath))
	os.Setenv(fakeEnv+"_KNOB_B", "never")
	_, err := Run(os.Stderr, knobOptions(dir))
	switch {
	case errors.Is(err, ErrInterrupted):
		return 130
	case err != nil:
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}

// TestPprof: -pprof takes one profiled pass per row and side after the
// rounds (never among the paired samples), writes each beside its side's
// result file as run -pprof does, and the comparison lists the functions
// whose time per op moved (side b's profile is over half the ops). A row
// without a profiled twin gets none and no line.
func TestPprof(t *testing.T) {
	isolate(t)
	a, b := wrappers(t)
	log := filepath.Join(t.TempDir(), "log")
	t.Setenv(fakeEnv+"_LOG", log)
	o := opts(t, a, b, fork, goroutine)
	o.Pprof, o.Rounds = true, 6
	var stderr bytes.Buffer
	res, err := Run(&stderr, o)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, stderr.String())
	}
	twin := fork.String() + "/pprof=cpu"
	for i, side := range []string{"A", "B"} {
		rps, err := resultfile.ReadProfiles(res.Files[i])
		if err != nil || len(rps) != 1 || rps[0].Row != twin {
			t.Fatalf("%s's profiles %+v (%v), want one of %s", side, rps, err, twin)
		}
	}
	if len(res.Profiles) != 2 || !strings.Contains(res.Profiles[0], "on A: ") || !strings.Contains(res.Profiles[1], "on B: ") {
		t.Errorf("profile lines %q, want one per side of the fork row", res.Profiles)
	}
	if len(res.Comparison.Profiles) != 1 || len(res.Comparison.Profiles[0].Moves) == 0 {
		t.Fatalf("comparison profiles %+v, want the fork row's moves", res.Comparison.Profiles)
	}
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	for i, l := range lines {
		if strings.Contains(l, "pprof=cpu") && i < len(lines)-2 {
			t.Errorf("profiled pass %q before the last paired sample:\n%s", l, raw)
		}
	}
}
