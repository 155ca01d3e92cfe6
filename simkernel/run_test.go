package simkernel

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// rowNames mirrors the workloads catalogue's simulated families on a
// 2-CPU host (catalogue_test.go checks the real catalogue).
func rowNames() []string {
	var out []string
	for _, s := range []string{"fork", "fork-minimal", "thread", "thread-fresh-stack", "vfork", "pthread", "libc-fork", "goroutine", "spawn"} {
		out = append(out, "Create/style="+s)
	}
	for _, f := range []string{
		"CHILD_CLEARTID|CHILD_SETTID|SIGCHLD", "CHILD_CLEARTID|SIGCHLD", "VM|CHILD_CLEARTID|SIGCHLD",
		"VM|FS|CHILD_CLEARTID|SIGCHLD", "VM|FS|FILES|CHILD_CLEARTID|SIGCHLD", "VM|FS|FILES|SIGHAND|CHILD_CLEARTID|SIGCHLD",
		"VM|FS|FILES|SIGHAND|THREAD|CHILD_CLEARTID", "VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|CHILD_CLEARTID",
		"VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|CHILD_CLEARTID", "VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID",
	} {
		out = append(out, "CloneFlags/flags="+f)
	}
	for _, st := range []string{"fork", "thread", "vfork"} {
		for _, thp := range []string{"off", "on"} {
			for _, rss := range []string{"0", "16MiB", "64MiB", "256MiB", "1GiB"} {
				out = append(out, fmt.Sprintf("CreateRSS/style=%s/thp=%s/rss=%s", st, thp, rss))
			}
		}
	}
	for _, st := range []string{"fork", "thread"} {
		for _, fds := range []string{"0", "1024", "16384"} {
			out = append(out, fmt.Sprintf("CreateFDs/style=%s/fds=%s", st, fds))
		}
	}
	for _, mode := range []string{"process", "thread"} {
		for _, mech := range []string{"pipe", "futex", "eventfd", "unix", "yield"} {
			for _, cpu := range []string{"same", "cross", "any"} {
				if mech == "yield" && cpu != "same" {
					continue
				}
				for _, ws := range []string{"0", "16KiB", "256KiB", "1MiB"} {
					if ws != "0" && cpu != "same" && mech != "pipe" {
						continue
					}
					out = append(out, fmt.Sprintf("Switch/mech=%s/mode=%s/cpu=%s/ws=%s", mech, mode, cpu, ws))
				}
			}
		}
	}
	out = append(out, "Switch/mech=pipe/mode=goroutine/cpu=same/ws=0", "Switch/mech=pipe/mode=goroutine/cpu=any/ws=0",
		"Switch/mech=chan/mode=goroutine/cpu=any/ws=0")
	for _, m := range []string{"pipe", "futex", "eventfd", "unix", "yield", "chan"} {
		out = append(out, "SwitchOverhead/mech="+m)
	}
	for _, mode := range []string{"process", "thread"} {
		for p := 1; p <= 2; p++ {
			out = append(out, fmt.Sprintf("SwitchPairs/mode=%s/pairs=%d", mode, p))
		}
	}
	return out
}

func TestRunEveryRowDeterministic(t *testing.T) {
	p := testProfile()
	for _, name := range rowNames() {
		a, err := Run(p, rowspec.MustParse(name), 50)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		b, err := Run(p, rowspec.MustParse(name), 50)
		if err != nil {
			t.Fatalf("%s: second run: %v", name, err)
		}
		if a.Elapsed <= 0 || a.N < 50 {
			t.Errorf("%s: N=%d elapsed %g: no virtual time", name, a.N, a.Elapsed)
		}
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: two runs differ:\n%v\n%v", name, a, b)
		}
		for _, m := range a.Metrics {
			if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
				t.Errorf("%s: metric %s = %v", name, m.Unit, m.Value)
			}
		}
	}
}

func TestRunRefusesBadRows(t *testing.T) {
	p := testProfile()
	fork := rowspec.MustParse("Create/style=fork")
	tests := []struct {
		name string
		spec rowspec.Spec
		n    int
	}{
		{"unknown style", rowspec.Spec{Family: rowspec.Create, Style: "teleport"}, 10},
		{"field of another family", rowspec.Spec{Family: rowspec.Create, Style: rowspec.StyleFork, FDs: 1}, 10},
		{"goroutine with fds", rowspec.Spec{Family: rowspec.CreateFDs, Style: rowspec.StyleGoroutine}, 10},
		{"negative fds", rowspec.Spec{Family: rowspec.CreateFDs, Style: rowspec.StyleFork, FDs: -1}, 10},
		{"THREAD without SIGHAND", rowspec.MustParse("CloneFlags/flags=VM|THREAD"), 10}, // EINVAL, as on Linux
		{"SIGHAND without VM", rowspec.MustParse("CloneFlags/flags=SIGHAND|SIGCHLD"), 10},
		{"flag rawclone does not know", rowspec.MustParse("CloneFlags/flags=BOGUS"), 10},
		{"yield across CPUs", rowspec.MustParse("Switch/mech=yield/mode=thread/cpu=cross/ws=0"), 10},
		{"unknown mech", rowspec.Spec{Family: rowspec.Switch, Mech: "smoke", Mode: rowspec.ModeThread, CPU: rowspec.CPUSame}, 10},
		{"unknown mode", rowspec.Spec{Family: rowspec.Switch, Mech: rowspec.MechPipe, Mode: "fiber", CPU: rowspec.CPUSame}, 10},
		{"no pairs", rowspec.Spec{Family: rowspec.SwitchPairs, Mode: rowspec.ModeThread}, 10},
		{"unknown family", rowspec.Spec{Family: "Nope"}, 10},
		{"family not simulated", rowspec.MustParse("SwitchLibc/mode=thread/cpu=same"), 10},
		{"missing style", rowspec.Spec{Family: rowspec.Create}, 10},
		{"no ops", fork, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Run(p, tt.spec, tt.n); err == nil {
				t.Errorf("Run(%+v, %d) succeeded, want an error", tt.spec, tt.n)
			}
		})
	}
	// What a typed Spec cannot even hold never reaches Run: the names
	// that used to carry it are refused by rowspec.Parse.
	for _, name := range []string{
		"Create/style=fork/extra=1",
		"CreateRSS/style=fork/thp=maybe/rss=0",
		"CreateRSS/style=fork/thp=off/rss=lots",
		"Create/style",
	} {
		if sp, err := rowspec.Parse(name); err == nil {
			t.Errorf("rowspec.Parse(%q) = %v, want an error", name, sp)
		}
	}
}

// TestModelShape checks the model says what the seeds say: fork grows with
// the memory mapped and threads do not; a process switch costs more than a
// thread switch on one CPU, and the working set widens the gap.
func TestModelShape(t *testing.T) {
	p := testProfile()
	ns := func(name string) float64 {
		t.Helper()
		r, err := Run(p, rowspec.MustParse(name), 20)
		if err != nil {
			t.Fatal(err)
		}
		return r.PerOp()
	}
	if a, b := ns("CreateRSS/style=fork/thp=off/rss=0"), ns("CreateRSS/style=fork/thp=off/rss=1GiB"); b-a != 1024*p.MMPerMiB {
		t.Errorf("fork 0→1GiB grew by %g, want %g", b-a, 1024*p.MMPerMiB)
	}
	for _, st := range []string{"thread", "vfork"} {
		if a, b := ns("CreateRSS/style="+st+"/thp=off/rss=0"), ns("CreateRSS/style="+st+"/thp=off/rss=1GiB"); a != b {
			t.Errorf("%s: %g at rss=0, %g at 1GiB; want flat", st, a, b)
		}
	}
	if a, b := ns("CreateFDs/style=thread/fds=0"), ns("CreateFDs/style=thread/fds=16384"); a != b {
		t.Errorf("thread with fds: %g vs %g, want flat (the table is shared)", a, b)
	}
	proc, thr := ns("Switch/mech=pipe/mode=process/cpu=same/ws=0"), ns("Switch/mech=pipe/mode=thread/cpu=same/ws=0")
	if want := 2 * p.SwitchMM; proc-thr != want {
		t.Errorf("process−thread round trip %g, want 2×SwitchMM = %g", proc-thr, want)
	}
	procWS, thrWS := ns("Switch/mech=pipe/mode=process/cpu=same/ws=1MiB"), ns("Switch/mech=pipe/mode=thread/cpu=same/ws=1MiB")
	if procWS-thrWS <= proc-thr {
		t.Errorf("working set does not widen the process/thread gap: %g at 1MiB, %g at 0", procWS-thrWS, proc-thr)
	}
	cp, ct := ns("Switch/mech=pipe/mode=process/cpu=cross/ws=0"), ns("Switch/mech=pipe/mode=thread/cpu=cross/ws=0")
	if cp != ct {
		t.Errorf("cross-CPU process %g vs thread %g: the model keeps each CPU's mm, want equal", cp, ct)
	}
	if any, cross := ns("Switch/mech=pipe/mode=process/cpu=any/ws=0"), ns("Switch/mech=pipe/mode=process/cpu=cross/ws=0"); math.Abs(any-(p.Colocated*proc+(1-p.Colocated)*cross)) > 1e-6 {
		t.Errorf("cpu=any %g, want the %g mix of same %g and cross %g", any, p.Colocated, proc, cross)
	}
	r, _ := Run(p, rowspec.MustParse("Switch/mech=pipe/mode=process/cpu=same/ws=0"), 100)
	if got, goti := metric(r, "ctxsw/op"), metric(r, "ictxsw/op"); got != 1 || goti != 1 {
		t.Errorf("cpu=same ctxsw/op = %g, ictxsw/op = %g; want 1 and 1 (the wakee preempts the waker once per round trip)", got, goti)
	}
	r, _ = Run(p, rowspec.MustParse("Switch/mech=futex/mode=thread/cpu=cross/ws=0"), 100)
	if got := metric(r, "ctxsw/op"); got != 2 {
		t.Errorf("cpu=cross ctxsw/op = %g, want 2 (both sides sleep)", got)
	}
	r, _ = Run(p, rowspec.MustParse("Switch/mech=yield/mode=thread/cpu=same/ws=0"), 100)
	if got, goti := metric(r, "ctxsw/op"), metric(r, "ictxsw/op"); got != 0 || goti != 2 {
		t.Errorf("yield ctxsw/op = %g, ictxsw/op = %g; want 0 and 2 (a yield is an involuntary switch)", got, goti)
	}
}

func metric(r Result, unit string) float64 {
	for _, m := range r.Metrics {
		if m.Unit == unit {
			return m.Value
		}
	}
	return math.NaN()
}

// synthFile writes what a real run would print if the kernel behaved
// exactly as profile p says.
func synthFile(t *testing.T, p Profile) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("goos: linux\ngoarch: amd64\nnproc: 2\n")
	for _, name := range rowNames() {
		r, err := Run(p, rowspec.MustParse(name), 50)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fmt.Fprintf(&b, "Benchmark%s-2 \t50\t%g %s", name, r.PerOp(), rowspec.UnitNsOp)
		for _, m := range r.Metrics {
			fmt.Fprintf(&b, "\t%g %s", m.Value, rowspec.Real(m.Unit))
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// TestFitRecoversProfile fits a profile on a noise-free synthetic file
// and checks every parameter comes back.
func TestFitRecoversProfile(t *testing.T) {
	truth := testProfile()
	truth.Syscall = 250 // the fit reads it from the cheapest overhead row: yield's single syscall
	// CHILD_CLEARTID is in every row but vfork's, which also adds VFORK:
	// no row separates the two, so the fit folds CHILD_CLEARTID into the
	// base and says so. The truth has it free, so the rest is exact.
	delete(truth.FlagCost, "CHILD_CLEARTID")
	got, rep, err := Fit(bytes.NewReader(synthFile(t, truth)), "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "CHILD_CLEARTID") {
		t.Errorf("warnings: %q, want one about CHILD_CLEARTID", rep.Warnings)
	}
	close := func(name string, g, w float64) {
		t.Helper()
		if math.Abs(g-w) > 1e-6*math.Max(1, math.Abs(w)) {
			t.Errorf("%s = %g, want %g", name, g, w)
		}
	}
	close("syscall", got.Syscall, truth.Syscall)
	close("task base", got.TaskBase, truth.TaskBase)
	close("copy vm", got.Copy.VM, truth.Copy.VM)
	close("copy fs", got.Copy.FS, truth.Copy.FS)
	close("copy files", got.Copy.Files, truth.Copy.Files)
	close("copy sighand", got.Copy.Sighand, truth.Copy.Sighand)
	close("copy signal", got.Copy.Signal, truth.Copy.Signal)
	close("mm per MiB", got.MMPerMiB, truth.MMPerMiB)
	close("mm per MiB huge", got.MMPerMiBHuge, truth.MMPerMiBHuge)
	close("fd", got.FDPer, truth.FDPer)
	for _, f := range sortedKeys(truth.FlagCost) {
		close("flag "+f, got.FlagCost[f], truth.FlagCost[f])
	}
	for _, e := range sortedKeys(truth.Extra) {
		close("extra "+e, got.Extra[e], truth.Extra[e])
	}
	for _, m := range sortedKeys(truth.Overhead) {
		close("overhead "+m, got.Overhead[m], truth.Overhead[m])
	}
	close("switch", got.Switch, truth.Switch)
	close("switch mm", got.SwitchMM, truth.SwitchMM)
	close("remote wake", got.RemoteWake, truth.RemoteWake)
	close("co-located", got.Colocated, truth.Colocated)
	close("touch", got.TouchPerKiB, truth.TouchPerKiB)
	close("cache refill", got.CacheRefillPerKiB, truth.CacheRefillPerKiB)
	close("tlb refill", got.RefillPerKiB, truth.RefillPerKiB)
	for _, c := range rep.Checks {
		if math.Abs(c.RelErr()) > 1e-9 {
			t.Errorf("%s: predicted %g, synthetic %g", c.Name, c.Predicted, c.Measured)
		}
	}
}

func TestFitRefusesSimulatedFile(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"kernel: sim", "kernel: sim\nBenchmarkCreate/style=fork 10 100 sim-ns/op\n", ErrSimulated},
		// A go test -bench file of simulated rows has no kernel line.
		{"sim units", "goos: linux\nBenchmarkCreate/style=fork-2 10 100 sim-ns/op 90 sim-p50-ns\n", ErrSimulated},
		{"one simulated row among real ones", "goos: linux\nBenchmarkCreate/style=fork-2 10 100 ns/op\nBenchmarkCreate/style=thread-2 10 100 sim-ns/op\n", ErrSimulated},
		// go test -bench's own ns/op beside sim-ns/op: resultfile refuses the row outright.
		{"simulated and real figures in one row", "kernel: sim\nBenchmarkCreate/style=fork 10 100 sim-ns/op 0 ns/op\n", resultfile.ErrMalformed},
		{"no results", "goos: linux\n", resultfile.ErrNoResults},
		{"cut short", "goos: linux\nBenchmarkCreate/style=fork-2 10 100 ns/op", resultfile.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Fit(strings.NewReader(tt.in), "in.txt")
			if !errors.Is(err, tt.want) {
				t.Fatalf("Fit = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestFitRefusesTwoMachines checks Fit refuses runs of two machines pasted
// into one file: a profile models one machine, and their rows together
// would fit a machine that does not exist.
func TestFitRefusesTwoMachines(t *testing.T) {
	run := func(cpu2 string) string {
		return "goos: linux\ncpu: A\nBenchmarkCreate/style=fork-2 10 100 ns/op\ncpu: " + cpu2 + "\nBenchmarkCreate/style=fork-2 10 200 ns/op\n"
	}
	if _, _, err := Fit(strings.NewReader(run("A")), "one.txt"); err != nil {
		t.Fatalf("Fit of two runs on one machine = %v", err)
	}
	if _, _, err := Fit(strings.NewReader(run("B")), "two.txt"); !errors.Is(err, resultfile.ErrMalformed) {
		t.Fatalf("Fit of runs on two machines = %v, want %v", err, resultfile.ErrMalformed)
	}
}

// TestFitOverheadPerLine checks a Switch row's own overhead, rt/2 − net,
// is taken within each line and only then summarised: the median of the
// per-line figures, not the difference of the medians.
func TestFitOverheadPerLine(t *testing.T) {
	in := "goos: linux\n" +
		"BenchmarkSwitch/mech=pipe/mode=thread/cpu=same/ws=0-2 10 1000 ns/op 100 ns/switch-net\n" +
		"BenchmarkSwitch/mech=pipe/mode=thread/cpu=same/ws=0-2 10 2000 ns/op 990 ns/switch-net\n" +
		"BenchmarkSwitch/mech=pipe/mode=thread/cpu=same/ws=0-2 10 3000 ns/op 1000 ns/switch-net\n"
	m, _, err := readResults(strings.NewReader(in), "in.txt")
	if err != nil {
		t.Fatal(err)
	}
	sp := rowspec.MustParse("Switch/mech=pipe/mode=thread/cpu=same/ws=0")
	// Per line 400, 10 and 500, median 400; the medians' difference
	// would be 2000/2 − 990 = 10.
	got, ok := m.get(sp, rowspec.UnitOverhead)
	if !ok || got != 400 {
		t.Fatalf("%s %s = %g, %v; want 400", sp, rowspec.UnitOverhead, got, ok)
	}
}

func TestProfileRoundTrip(t *testing.T) {
	p := testProfile()
	path := t.TempDir() + "/p.json"
	if err := p.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	q, err := LoadProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := p.Marshal()
	b, _ := q.Marshal()
	if !bytes.Equal(a, b) {
		t.Fatalf("profile changed through WriteFile/LoadProfile:\n%s\n%s", a, b)
	}
	if _, err := LoadProfile(t.TempDir() + "/missing.json"); err == nil {
		t.Fatal("LoadProfile of a missing file succeeded")
	}
	for name, body := range map[string]string{
		"negative":    `{"source":"x","cpus":2,"task_base_ns":1,"switch_ns":-5}`,
		"no cpus":     `{"source":"x","task_base_ns":1}`,
		"unknown key": `{"source":"x","cpus":2,"task_base_ns":1,"bogus":1}`,
		"not json":    `cpus: 2`,
	} {
		bad := t.TempDir() + "/bad.json"
		if err := os.WriteFile(bad, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadProfile(bad); err == nil {
			t.Errorf("%s: LoadProfile accepted %s", name, body)
		}
	}
}

func TestPingPongBytesAndDeadPartner(t *testing.T) {
	for _, c := range []struct {
		mech rowspec.Mech
		want int64
	}{{rowspec.MechPipe, 100}, {rowspec.MechUnix, 100}, {rowspec.MechEventfd, 800}, {rowspec.MechFutex, 0}} {
		k := NewKernel(testProfile())
		p := k.Spawn()
		a, _ := k.Clone(p, rawclone.ThreadFlags)
		b, _ := k.Clone(p, rawclone.ThreadFlags)
		pp, err := k.PingPong(a, b, c.mech, SameCPU, 0, 10, 100)
		if err != nil {
			t.Fatal(err)
		}
		if pp.BytesMoved != c.want || pp.Rounds != 100 {
			t.Errorf("%s: %d rounds moved %d bytes per side, want 100 rounds and %d bytes", c.mech, pp.Rounds, pp.BytesMoved, c.want)
		}
		k.Exit(b, 0)
		if _, err := k.PingPong(a, b, c.mech, SameCPU, 0, 0, 10); err == nil {
			t.Errorf("%s: ping-pong with an exited partner succeeded", c.mech)
		}
	}
}

func TestOpTimesPercentile(t *testing.T) {
	var o opTimes
	for v := 100; v >= 1; v-- {
		o.add(float64(v))
	}
	o.add(50) // two ops of 50
	if got := o.percentile(50); got != 50 {
		t.Errorf("p50 = %g, want 50", got)
	}
	if got := o.percentile(99); got != 99 {
		t.Errorf("p99 = %g, want 99", got)
	}
	if got := o.percentile(100); got != 100 {
		t.Errorf("p100 = %g, want 100", got)
	}
}

// TestRunManyOps runs a million simulated creations: a harness scales n by
// wall time, and the simulator keeps no per-op state that grows with n.
func TestRunManyOps(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	r, err := Run(testProfile(), rowspec.MustParse("Create/style=thread"), 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	p50 := metric(r, rowspec.Sim(rowspec.UnitP50))
	if r.N != 1_000_000 || math.Abs(p50/r.PerOp()-1) > 1e-9 {
		t.Fatalf("N=%d p50 %g per-op %g", r.N, p50, r.PerOp())
	}
}
