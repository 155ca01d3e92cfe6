package rowspec

import (
	"bufio"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
)

func goldenNames(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("../workloads/testdata/names.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every name the catalogue emits (the golden list workloads checks)
// parses and prints back unchanged.
func TestGoldenRoundTrip(t *testing.T) {
	for _, name := range goldenNames(t) {
		sp, err := Parse(name)
		if err != nil {
			t.Errorf("Parse(%q): %v", name, err)
			continue
		}
		if got := sp.String(); got != name {
			t.Errorf("Parse(%q).String() = %q", name, got)
		}
		if back, err := Parse(sp.BenchName() + "-2"); err != nil || back != sp {
			t.Errorf("Parse(%q) = %v, %v: want %q back", sp.BenchName()+"-2", back, err, name)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Spec
	}{
		{"Create/style=fork", Spec{Family: Create, Style: StyleFork}},
		{"BenchmarkCreate/style=thread-fresh-stack-2", Spec{Family: Create, Style: StyleThreadFreshStack}},
		{"CreateRSS/style=fork/thp=on/rss=16MiB", Spec{Family: CreateRSS, Style: StyleFork, THP: true, RSS: 16 * MiB}},
		{"CreateFDs/style=thread/fds=16384", Spec{Family: CreateFDs, Style: StyleThread, FDs: 16384}},
		{"Switch/mech=pipe/mode=thread/cpu=same/ws=256KiB", Spec{Family: Switch, Mech: MechPipe, Mode: ModeThread, CPU: CPUSame, WS: 256 * KiB}},
		{"SwitchPairs/mode=process/pairs=2-8", Spec{Family: SwitchPairs, Mode: ModeProcess, Pairs: 2}},
		{"CloneFlags/flags=VM|CHILD_CLEARTID|SIGCHLD", Spec{Family: CloneFlags, Flags: "VM|CHILD_CLEARTID|SIGCHLD"}},
		{"CreatePar/style=vfork/par=4", Spec{Family: CreatePar, Style: StyleVfork, Par: 4}},
		{"CreateThreads/style=thread/threads=0", Spec{Family: CreateThreads, Style: StyleThread}},
		{"CreateMaps/style=fork/maps=16384-2", Spec{Family: CreateMaps, Style: StyleFork, Maps: 16384}},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{
		"", "Create", "Nope/style=fork", "Create/style=fork/cpu=same/x=1",
		"Create/style=spoon", "Create/mode=fork", "Switch/mode=thread/mech=pipe/cpu=same/ws=0",
		"Switch/mech=pipe/mode=thread/cpu=same/ws=0B", "Switch/mech=pipe/mode=thread/cpu=same/ws=1024KiB",
		"Switch/mech=pipe/mode=thread/cpu=same/ws=16kib", "CreateFDs/style=fork/fds=01",
		"CreateFDs/style=fork/fds=-1", "SwitchPairs/mode=thread/pairs=0", "CreateRSS/style=fork/thp=yes/rss=0",
		"CloneFlags/flags=", "CloneFlags/flags=vm|fs", "CloneFlags/flags=VM||FS", "CreateFDs/style=goroutine/fds=0",
		"SwitchLibc/mode=goroutine/cpu=same", "Create/style=fork/cpu=cross", "Create/cpu=same",
		"CreateFDs/style=fork/cpu=same/fds=0",
		"CreatePar/style=fork/par=0", "CreatePar/style=pthread/par=1", "CreatePar/style=fork/par=1/cpu=same",
		"CreateThreads/style=vfork/threads=8", "CreateThreads/style=fork", "CreateMaps/style=thread/maps=0",
		"CreateMaps/style=fork/maps=01", "CreatePar/style=fork/par=2/probe=sched",
	} {
		if sp, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", in, sp)
		} else if !errors.Is(err, ErrName) {
			t.Errorf("Parse(%q): %v does not wrap ErrName", in, err)
		}
	}
}

// A creation name stored before cpu= existed still parses, prints back as
// it was, and compares with the cpu=any row.
func TestLegacyCreationNames(t *testing.T) {
	for _, tc := range []struct{ old, canon string }{
		{"Create/style=fork", "Create/style=fork/cpu=any"},
		{"CloneFlags/flags=VM|CHILD_CLEARTID|SIGCHLD", "CloneFlags/flags=VM|CHILD_CLEARTID|SIGCHLD/cpu=any"},
		{"CreateRSS/style=thread/thp=off/rss=16MiB", "CreateRSS/style=thread/thp=off/rss=16MiB/cpu=any"},
		{"CreateFDs/style=fork/fds=1024", "CreateFDs/style=fork/fds=1024/cpu=any"},
		{"SwitchPairs/mode=thread/pairs=4", "SwitchPairs/mode=thread/pairs=4/cpu=any"},
	} {
		sp, err := Parse(tc.old)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.old, err)
		}
		if !sp.Legacy() || sp.String() != tc.old {
			t.Errorf("%q: Legacy %v, String %q", tc.old, sp.Legacy(), sp.String())
		}
		c := sp.Canonical()
		if c.Legacy() || c.String() != tc.canon {
			t.Errorf("%q: Canonical %q, want %q", tc.old, c, tc.canon)
		}
		if _, ok := sp.Get(KeyCPU); ok {
			t.Errorf("%q: a legacy name has no cpu key", tc.old)
		}
	}
	for _, name := range []string{"CreatePar/style=fork/par=1", "CreateThreads/style=fork/threads=8", "CreateMaps/style=fork/maps=0"} {
		// Born with their keys: no cpu= to be missing.
		if sp := MustParse(name); sp.Legacy() || sp.Canonical() != sp || !sp.Family.Creation() {
			t.Errorf("%s: Legacy %v, Canonical %q, Creation %v", name, sp.Legacy(), sp.Canonical(), sp.Family.Creation())
		}
	}
	if sp := MustParse("Switch/mech=pipe/mode=thread/cpu=same/ws=0"); sp.Legacy() || sp.Canonical() != sp {
		t.Errorf("a switch row is never legacy")
	}
}

func TestSize(t *testing.T) {
	for _, tc := range []struct {
		n Size
		s string
	}{{0, "0"}, {1, "1B"}, {1000, "1000B"}, {16 * KiB, "16KiB"}, {1536 * KiB, "1536KiB"}, {MiB, "1MiB"}, {GiB, "1GiB"}, {3 * GiB, "3GiB"}} {
		if got := FormatSize(tc.n); got != tc.s {
			t.Errorf("FormatSize(%d) = %q, want %q", tc.n, got, tc.s)
		}
		if got, err := ParseSize(tc.s); err != nil || got != tc.n {
			t.Errorf("ParseSize(%q) = %d, %v", tc.s, got, err)
		}
	}
}

// Every enum value a family allows has a place in its key's order, and
// Values lists no key twice: reports rank by these lists.
func TestKeysComplete(t *testing.T) {
	for _, f := range Families() {
		if len(f.Keys()) == 0 {
			t.Errorf("%s has no keys", f)
		}
		for _, k := range f.Keys() {
			if k.Kind() == KindEnum && len(k.Values()) == 0 {
				t.Errorf("%s: enum key %s lists no values", f, k)
			}
		}
	}
	for _, s := range Styles() {
		if s.Kind() == "" {
			t.Errorf("style %s has no kind", s)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	for _, n := range goldenNames(f) {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		sp, err := Parse(name)
		if err != nil {
			return
		}
		out := sp.String()
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q does not parse: %v", name, out, err)
		}
		if back != sp {
			t.Fatalf("round trip of %q: %+v != %+v", name, back, sp)
		}
		if back.String() != out {
			t.Fatalf("String not stable: %q then %q", out, back.String())
		}
	})
}

// A probed row is its plain row's name plus /probe=sched, on the creation
// families only, and parses back to the same Spec.
func TestProbeKey(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Spec
	}{
		{"Create/style=fork/cpu=same/probe=sched", Spec{Family: Create, Style: StyleFork, CPU: CPUSame, Probe: ProbeSched}},
		{"BenchmarkCreateRSS/style=fork/thp=off/rss=64MiB/cpu=same/probe=sched-2", Spec{Family: CreateRSS, Style: StyleFork, RSS: 64 * MiB, CPU: CPUSame, Probe: ProbeSched}},
		{"CloneFlags/flags=VM|SIGCHLD/cpu=any/probe=sched", Spec{Family: CloneFlags, Flags: "VM|SIGCHLD", CPU: CPUAny, Probe: ProbeSched}},
		{"Switch/mech=pipe/mode=thread/cpu=same/ws=0/probe=sched", Spec{Family: Switch, Mech: MechPipe, Mode: ModeThread, CPU: CPUSame, Probe: ProbeSched}},
		{"Switch/mech=futex/mode=process/cpu=same/ws=4KiB/probe=sched", Spec{Family: Switch, Mech: MechFutex, Mode: ModeProcess, CPU: CPUSame, WS: 4 * KiB, Probe: ProbeSched}},
		{"SwitchLibc/mode=process/cpu=same/probe=sched", Spec{Family: SwitchLibc, Mode: ModeProcess, CPU: CPUSame, Probe: ProbeSched}},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		if v, ok := got.Get(KeyProbe); !ok || v != ProbeSched {
			t.Errorf("%q: Get(probe) = %q, %v", tc.in, v, ok)
		}
		if p := got.Plain(); p.Probe != "" || p.String()+"/probe=sched" != got.String() {
			t.Errorf("%q: Plain %q, String %q", tc.in, p, got)
		}
	}
	if _, ok := MustParse("Create/style=fork/cpu=same").Get(KeyProbe); ok {
		t.Errorf("a plain row has a probe key")
	}
	for _, in := range []string{
		"Create/style=fork/cpu=same/probe=perf", "Create/style=fork/cpu=same/probe=",
		"Create/style=fork/probe=sched", "Create/probe=sched", "Create/style=fork/cpu=same/probe=sched/probe=sched",
		"Create/style=fork/probe=sched/cpu=same", "Switch/mech=pipe/mode=thread/cpu=cross/ws=0/probe=sched",
		"Switch/mech=yield/mode=thread/cpu=same/ws=0/probe=sched", "Switch/mech=pipe/mode=goroutine/cpu=same/ws=0/probe=sched",
		"SwitchOverhead/mech=pipe/probe=sched",
	} {
		if sp, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", in, sp)
		} else if !errors.Is(err, ErrName) {
			t.Errorf("Parse(%q): %v does not wrap ErrName", in, err)
		}
	}
}

func TestSwitchPhaseUnits(t *testing.T) {
	for _, u := range SwitchPhaseUnits() {
		p, ok := SwitchPhaseOf(u)
		if !ok || PhaseUnit(p) != u {
			t.Errorf("SwitchPhaseOf(%q) = %q, %v", u, p, ok)
		}
		if _, ok := PhaseOf(u); ok {
			t.Errorf("%q is both a switch and a creation phase", u)
		}
	}
	if _, ok := SwitchPhaseOf(UnitCopyNsOp); ok {
		t.Errorf("SwitchPhaseOf(%q) accepted a creation phase", UnitCopyNsOp)
	}
}

func TestPhaseUnits(t *testing.T) {
	for _, u := range PhaseUnits() {
		p, ok := PhaseOf(u)
		if !ok || PhaseUnit(p) != u {
			t.Errorf("PhaseOf(%q) = %q, %v", u, p, ok)
		}
		if p2, ok := PhaseOf(Sim(u)); !ok || p2 != p {
			t.Errorf("PhaseOf(%q) = %q, %v", Sim(u), p2, ok)
		}
	}
	if UnitCopyNsOp != "copy-ns/op" || UnitTeardownNsOp != "teardown-ns/op" {
		t.Errorf("the issue's required names changed: %q %q", UnitCopyNsOp, UnitTeardownNsOp)
	}
	if _, ok := PhaseOf(UnitNsOp); ok {
		t.Errorf("ns/op is not a phase")
	}
}

// A phase's name is its unit's, and the typed lists are the unit lists
// (less other-ns/op, which no probe interval fills).
func TestPhaseNames(t *testing.T) {
	units := PhaseUnits()
	if len(units) != int(NumPhases)+1 || units[NumPhases] != UnitOtherNsOp {
		t.Fatalf("PhaseUnits() = %q", units)
	}
	for _, p := range Phases() {
		if name, ok := PhaseOf(p.Unit()); !ok || name != p.String() || units[p] != p.Unit() {
			t.Errorf("phase %d: %q, unit %q", int(p), p, p.Unit())
		}
	}
	if PhaseCopy.String() != "copy" || PhaseReap.Unit() != UnitReapNsOp {
		t.Errorf("copy is %q, reap's unit %q", PhaseCopy, PhaseReap.Unit())
	}
	for _, p := range SwitchPhases() {
		if name, ok := SwitchPhaseOf(p.Unit()); !ok || name != p.String() || SwitchPhaseUnits()[p] != p.Unit() {
			t.Errorf("switch phase %d: %q, unit %q", int(p), p, p.Unit())
		}
	}
	if SwitchWakeup.String() != "wakeup" || Phase(99).String() != "Phase(99)" {
		t.Errorf("wakeup is %q, 99 is %q", SwitchWakeup, Phase(99))
	}
}

func TestIsHeadline(t *testing.T) {
	for name, want := range map[string]bool{
		"Create/style=fork/cpu=same":                      true,
		"Create/style=fork/cpu=any":                       true,
		"Create/style=fork":                               true, // stored before cpu=
		"Create/style=libc-fork/cpu=same":                 false,
		"CreateRSS/style=fork/thp=off/rss=0/cpu=same":     false,
		"Switch/mech=pipe/mode=process/cpu=same/ws=0":     true,
		"Switch/mech=futex/mode=thread/cpu=same/ws=0":     true,
		"Switch/mech=pipe/mode=process/cpu=cross/ws=0":    false,
		"Switch/mech=pipe/mode=process/cpu=same/ws=64KiB": false,
		"Switch/mech=eventfd/mode=thread/cpu=same/ws=0":   false,
	} {
		if got := MustParse(name).IsHeadline(); got != want {
			t.Errorf("%s: IsHeadline = %v, want %v", name, got, want)
		}
	}
	for _, hl := range Headlines() {
		if !hl.IsHeadline() {
			t.Errorf("headline %s is not a headline", hl)
		}
	}
}

func TestBenchPattern(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Create/style=fork/cpu=same", `^BenchmarkCreate$/^style=fork$/^cpu=same$`},
		{"Switch/mech=pipe/mode=thread/cpu=same/ws=0", `^BenchmarkSwitch$/^mech=pipe$/^mode=thread$/^cpu=same$/^ws=0$`},
		{"CloneFlags/flags=VM|FS|CHILD_CLEARTID|SIGCHLD/cpu=any", `^BenchmarkCloneFlags$/^flags=VM\|FS\|CHILD_CLEARTID\|SIGCHLD$/^cpu=any$`},
	}
	for _, tt := range tests {
		got := MustParse(tt.name).BenchPattern()
		if got != tt.want {
			t.Errorf("%s: BenchPattern() = %q, want %q", tt.name, got, tt.want)
		}
		// Every level matches the name's level and rejects a longer value.
		levels, names := strings.Split(got, "/"), strings.Split(BenchName(tt.name), "/")
		for i, l := range levels {
			re := regexp.MustCompile(l)
			if !re.MatchString(names[i]) || re.MatchString(names[i]+"-minimal") {
				t.Errorf("%s: level %q does not select %q alone", tt.name, l, names[i])
			}
		}
	}
}

// A profiled row is its plain row's name plus /pprof=cpu, never with a
// probe, and parses back to the same Spec.
func TestPprofKey(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Spec
	}{
		{"Create/style=fork/cpu=same/pprof=cpu", Spec{Family: Create, Style: StyleFork, CPU: CPUSame, Pprof: PprofCPU}},
		{"BenchmarkCloneFlags/flags=VM|SIGCHLD/cpu=any/pprof=cpu-2", Spec{Family: CloneFlags, Flags: "VM|SIGCHLD", CPU: CPUAny, Pprof: PprofCPU}},
		{"Switch/mech=pipe/mode=thread/cpu=cross/ws=0/pprof=cpu", Spec{Family: Switch, Mech: MechPipe, Mode: ModeThread, CPU: CPUCross, Pprof: PprofCPU}},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		if v, ok := got.Get(KeyPprof); !ok || v != PprofCPU {
			t.Errorf("%q: Get(pprof) = %q, %v", tc.in, v, ok)
		}
		if p := got.Plain(); p.Pprof != "" || p.String()+"/pprof=cpu" != got.String() {
			t.Errorf("%q: Plain %q, String %q", tc.in, p, got)
		}
	}
	for _, in := range []string{
		"Create/style=fork/cpu=same/pprof=heap", "Create/style=fork/pprof=cpu",
		"Create/style=fork/cpu=same/probe=sched/pprof=cpu", "Create/style=fork/cpu=same/pprof=cpu/probe=sched",
		"SwitchOverhead/mech=pipe/pprof=cpu",
	} {
		if sp, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", in, sp)
		} else if !errors.Is(err, ErrName) {
			t.Errorf("Parse(%q): %v does not wrap ErrName", in, err)
		}
	}
}
