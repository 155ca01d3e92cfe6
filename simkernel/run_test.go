package simkernel

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// rowNames mirrors the workloads catalogue's simulated families on a
// 2-CPU host (catalogue_test.go checks the real catalogue).
func rowNames() []string {
	var out []string
	for _, s := range []string{"fork", "thread", "thread-fresh-stack", "vfork", "pthread", "libc-fork", "goroutine", "spawn"} {
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
		a, err := Run(p, name, 50)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		b, err := Run(p, name, 50)
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
	for _, name := range []string{
		"Create/style=teleport",
		"Create/style=fork/extra=1",
		"CreateRSS/style=fork/thp=maybe/rss=0",
		"CreateRSS/style=fork/thp=off/rss=lots",
		"CreateFDs/style=fork/fds=-1",
		"CloneFlags/flags=VM|THREAD",       // THREAD without SIGHAND: EINVAL, as on Linux
		"CloneFlags/flags=SIGHAND|SIGCHLD", // SIGHAND without VM
		"Switch/mech=yield/mode=thread/cpu=cross/ws=0",
		"Switch/mech=smoke/mode=thread/cpu=same/ws=0",
		"Switch/mech=pipe/mode=fiber/cpu=same/ws=0",
		"SwitchPairs/mode=thread/pairs=0",
		"Nope/x=1",
		"Create/style",
	} {
		if _, err := Run(p, name, 10); err == nil {
			t.Errorf("Run(%q) succeeded, want an error", name)
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
		r, err := Run(p, name, 20)
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
	r, _ := Run(p, "Switch/mech=pipe/mode=process/cpu=same/ws=0", 100)
	if got, goti := metric(r, "ctxsw/op"), metric(r, "ictxsw/op"); got != 1 || goti != 1 {
		t.Errorf("cpu=same ctxsw/op = %g, ictxsw/op = %g; want 1 and 1 (the wakee preempts the waker once per round trip)", got, goti)
	}
	r, _ = Run(p, "Switch/mech=futex/mode=thread/cpu=cross/ws=0", 100)
	if got := metric(r, "ctxsw/op"); got != 2 {
		t.Errorf("cpu=cross ctxsw/op = %g, want 2 (both sides sleep)", got)
	}
	r, _ = Run(p, "Switch/mech=yield/mode=thread/cpu=same/ws=0", 100)
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
		r, err := Run(p, name, 50)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fmt.Fprintf(&b, "Benchmark%s-2 \t50\t%g ns/op", name, r.PerOp())
		for _, m := range r.Metrics {
			fmt.Fprintf(&b, "\t%g %s", m.Value, strings.TrimPrefix(m.Unit, "sim-"))
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
	in := "kernel: sim\nBenchmarkCreate/style=fork 10 100 sim-ns/op 0 ns/op\n"
	if _, _, err := Fit(strings.NewReader(in), "sim.txt"); err == nil {
		t.Fatal("Fit accepted a simulated result file")
	}
	if _, _, err := Fit(strings.NewReader("goos: linux\n"), "empty.txt"); err == nil {
		t.Fatal("Fit accepted a file with no results")
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
		mech string
		want int64
	}{{"pipe", 100}, {"unix", 100}, {"eventfd", 800}, {"futex", 0}} {
		k := NewKernel(testProfile())
		p := k.Spawn()
		a, _ := k.Clone(p, ThreadFlags)
		b, _ := k.Clone(p, ThreadFlags)
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
	r, err := Run(testProfile(), "Create/style=thread", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if r.N != 1_000_000 || math.Abs(metric(r, "sim-p50-ns")/r.PerOp()-1) > 1e-9 {
		t.Fatalf("N=%d p50 %g per-op %g", r.N, metric(r, "sim-p50-ns"), r.PerOp())
	}
}
