package runner

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/kprof"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// workerEnv makes the test binary serve as run -pprof's worker process.
const workerEnv = "RUNNER_TEST_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		if err := Worker(os.Stdout, os.Args[1:], fakeWorkerRows()); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The worker's rows: a plain row of 2 µs an op and its twin of 3 µs with
// a profile, whose metrics count the plain row's runs before it in the
// worker (the untimed warm-up, and the plain sample if it went first),
// and give the worker's process id.
const (
	workerPlain = "Create/style=fork/cpu=same"
	workerTwin  = "Create/style=fork/cpu=same/pprof=cpu"
	unitOrder   = "plain-runs"
	unitPid     = "pid"
)

func fakeWorkerRows() []workloads.Row {
	plainRuns := 0
	return []workloads.Row{
		{Name: workerPlain, Suites: workloads.Quick, Run: func(n int) (workloads.Result, error) {
			plainRuns++
			return workloads.Result{N: n, Elapsed: time.Duration(n) * 2 * time.Microsecond}, nil
		}},
		{Name: workerTwin, Suites: workloads.Quick, Run: func(n int) (workloads.Result, error) {
			order := float64(plainRuns)
			p := kprof.Build([]kprof.Stack{{Kernel: []uint64{0xffffffff81000000}, Count: 1, Period: 250}}, kprof.Meta{Source: kprof.SourceCPUClock, Period: 250})
			return workloads.Result{N: n, Elapsed: time.Duration(n) * 3 * time.Microsecond, Profile: p,
				Metrics: []workloads.Metric{{Unit: unitOrder, Value: order}, {Unit: unitPid, Value: float64(os.Getpid())}}}, nil
		}},
	}
}

func workerCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), workerEnv+"=1")
	return cmd
}

// Worker takes a plain and a profiled sample in the order it is told and
// sends back the profiled one with its profile; bad arguments name
// themselves.
func TestWorker(t *testing.T) {
	for first, runs := range map[string]float64{"plain": 2, rowspec.PprofCPU: 1} {
		var out bytes.Buffer
		if err := Worker(&out, []string{"-row", workerTwin, "-n", "40", "-first", first}, fakeWorkerRows()); err != nil {
			t.Fatal(err)
		}
		var wo workerOut
		if err := gob.NewDecoder(&out).Decode(&wo); err != nil {
			t.Fatal(err)
		}
		if wo.N != 40 || wo.PlainN != 40 || wo.Elapsed != 120*time.Microsecond || wo.PlainElapsed != 80*time.Microsecond || len(wo.Profile) == 0 {
			t.Errorf("-first %s: %+v", first, wo)
		}
		if len(wo.Metrics) != 2 || wo.Metrics[0].Value != runs {
			t.Errorf("-first %s: metrics %+v; want %v plain runs before the profiled sample", first, wo.Metrics, runs)
		}
	}
	for _, args := range [][]string{
		{"-row", workerPlain, "-n", "4"},
		{"-row", "Create/style=vfork/cpu=same/pprof=cpu", "-n", "4"},
		{"-row", workerTwin, "-n", "0"},
		{"-row", workerTwin, "-n", "4", "-first", "both"},
		{"-bogus"},
	} {
		err := Worker(&bytes.Buffer{}, args, fakeWorkerRows())
		if err == nil || !strings.HasPrefix(err.Error(), WorkerCommand+": ") {
			t.Errorf("%q: err %v; want one naming the worker and its input", args, err)
		}
	}
}

// With a worker command, a run takes each profiled twin's samples in
// worker processes, never its own, alternating which sample goes first,
// and the twin's line carries the worker's plain figure; the profiles
// still reach the sidecar.
func TestRunSamplesTwinsInWorkers(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", t.TempDir())
	rows := fakeWorkerRows()
	rows[1].Run = func(int) (workloads.Result, error) {
		return workloads.Result{}, fmt.Errorf("the twin ran in the runner's process")
	}
	opts := testOptions(dir, rows...)
	opts.Count, opts.Benchtime = 4, time.Millisecond
	opts.Worker = workerCommand
	count := uint64(0)
	opts.Softirqs = func() (uint64, error) { count++; return count / 20, nil } // quiet after a few reads
	_, stderr, res, err := run(opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	// Each round ends with the worker, so each later round starts with a
	// washout before its plain sample.
	rounds, err := resultfile.ReadRounds(res.Path)
	if err != nil || rounds == nil || len(rounds.Rounds) != 4 {
		t.Fatalf("rounds %+v, %v", rounds, err)
	}
	for _, rd := range rounds.Rounds {
		if last := rd.Samples[len(rd.Samples)-1].Row; last != workerTwin {
			t.Errorf("round %d ends with %s; want the worker's row", rd.N, last)
		}
		if (rd.N > 1) != (rd.WashoutMs > 0) {
			t.Errorf("round %d: washout %v ms; want one after the last round's worker only", rd.N, rd.WashoutMs)
		}
	}
	orders, pids := map[float64]int{}, map[float64]bool{}
	samples := 0
	for _, l := range readBack(t, res.Path) {
		if !strings.HasPrefix(string(l.Name), workerTwin+"-") {
			continue
		}
		samples++
		v := map[string]float64{}
		for _, x := range l.Values {
			if x.OrigUnit != "" {
				x.Unit, x.Value = x.OrigUnit, x.OrigValue // benchfmt's ns/op is sec/op
			}
			v[x.Unit] = x.Value
		}
		if v[rowspec.UnitNsOp] != 3000 || v[rowspec.UnitPlainNsOp] != 2000 {
			t.Errorf("twin line %v; want 3000 ns/op and 2000 %s", l.Values, rowspec.UnitPlainNsOp)
		}
		orders[v[unitOrder]]++
		pids[v[unitPid]] = true
	}
	if samples != 4 {
		t.Fatalf("%d twin samples; want 4", samples)
	}
	if pids[float64(os.Getpid())] || len(pids) != 4 {
		t.Errorf("worker pids %v (runner %d); want a fresh process per sample", pids, os.Getpid())
	}
	if orders[1] != 2 || orders[2] != 2 {
		t.Errorf("plain runs before the profiled sample: %v; want each order in 2 of 4 workers", orders)
	}
	rps, err := resultfile.ReadProfiles(res.Path)
	if err != nil || len(rps) != 1 || kprof.Total(rps[0].Profile) != 4*250 {
		t.Errorf("profile sidecars %+v, %v; want one of 4 samples", rps, err)
	}
}

// A worker that fails is the twin's error, with the worker's words.
func TestWorkerFailureIsTheTwins(t *testing.T) {
	fn := inWorker(workerCommand, "Create/style=vfork/cpu=same/pprof=cpu")
	_, err := fn(10)
	if err == nil || !strings.Contains(err.Error(), "no plain row") {
		t.Errorf("err %v; want the worker's reason", err)
	}
}
