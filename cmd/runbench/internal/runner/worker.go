package runner

import (
	"bytes"
	"encoding/gob"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"time"

	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// Profiled twins run in a worker process of their own (run -pprof), one
// process per sample. In the measuring process they changed the plain
// fork rows they were meant to leave alone: the sampling's ring buffers,
// its reader goroutine and the OS threads the Go runtime started beside
// it stayed mapped, and a fork-style op copies the page tables of
// everything its parent maps (plain fork +12% under -pprof, with two more
// thread stacks and malloc arenas in /proc/PID/maps). A worker takes one
// plain and one profiled sample of the row, in the order it is told,
// both in one fresh process, so profiled over plain (UnitPlainNsOp) is
// the sampling's overhead in a process of one shape.

// WorkerCommand is the subcommand under which runbench serves as a
// profiled twin's worker; it is not for users and not in the usage.
const WorkerCommand = "pprof-worker"

// workerOut is what a worker sends back on its stdout, gob-encoded.
type workerOut struct {
	N, PlainN             int
	Elapsed, PlainElapsed time.Duration
	Unit                  string
	Metrics               []workloads.Metric
	Profile               []byte // the profiled sample's, encoded
}

// Worker is the worker's side: args name the profiled twin (-row), its
// ops (-n) and which sample goes first (-first plain|pprof); rows are
// where the twin and its plain row are found (nil: the catalogue). It
// writes one workerOut to stdout.
func Worker(stdout io.Writer, args []string, rows []workloads.Row) error {
	if rows == nil {
		rows = workloads.Catalogue()
	}
	fs := flag.NewFlagSet(WorkerCommand, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("row", "", "the profiled twin")
	n := fs.Int("n", 0, "ops per sample")
	first := fs.String("first", "plain", "plain or pprof")
	if err := fs.Parse(args); err != nil {
		return badInput("%s: %w", WorkerCommand, err)
	}
	if *n <= 0 || (*first != "plain" && *first != rowspec.PprofCPU) {
		return badInput("%s: -n %d -first %q: want n > 0 and plain or %s", WorkerCommand, *n, *first, rowspec.PprofCPU)
	}
	twin, plain, err := workerRows(*name, rows)
	if err != nil {
		return badInput("%s: %w", WorkerCommand, err)
	}
	// A fresh process's first ops fault in the row's code and stacks: an
	// untimed eighth of a sample first, so neither sample pays them.
	if _, err := plain.Run(max(1, *n/8)); err != nil {
		return err
	}
	runs := [2]func(int) (workloads.Result, error){plain.Run, twin.Run}
	order := []int{0, 1}
	if *first != "plain" {
		order = []int{1, 0}
	}
	var got [2]workloads.Result // plain, profiled
	for _, i := range order {
		workloads.Settle()
		if got[i], err = runs[i](*n); err != nil {
			return err
		}
	}
	pl, pr := got[0], got[1]
	out := workerOut{N: pr.N, PlainN: pl.N, Elapsed: pr.Elapsed, PlainElapsed: pl.Elapsed, Unit: pr.Unit, Metrics: pr.Metrics}
	if pr.Profile != nil {
		var buf bytes.Buffer
		if err := pr.Profile.Write(&buf); err != nil {
			return fmt.Errorf("encoding %s's profile: %w", twin.Name, err)
		}
		out.Profile = buf.Bytes()
	}
	return gob.NewEncoder(stdout).Encode(out)
}

// workerRows finds the profiled twin called name and its plain row: the
// twin among rows by name, or as the profiled twin of its plain row.
func workerRows(name string, rows []workloads.Row) (twin, plain workloads.Row, err error) {
	sp, err := rowspec.Parse(name)
	if err != nil || sp.Pprof == "" {
		return twin, plain, fmt.Errorf("-row %q: not a profiled twin (…/pprof=%s)", name, rowspec.PprofCPU)
	}
	plainName := sp.Plain().String()
	var foundTwin, foundPlain bool
	for _, r := range rows {
		switch r.Name {
		case name:
			twin, foundTwin = r, true
		case plainName:
			plain, foundPlain = r, true
		}
	}
	if !foundPlain {
		return twin, plain, fmt.Errorf("-row %q: no plain row %s", name, plainName)
	}
	if !foundTwin {
		if twin, foundTwin = workloads.Profiled(plain); !foundTwin || twin.Name != name {
			return twin, plain, fmt.Errorf("-row %q: %s has no such twin", name, plainName)
		}
	}
	return twin, plain, nil
}

// SelfWorker is Options.Worker for runbench itself: its own executable
// under WorkerCommand.
func SelfWorker() (func(args ...string) *exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("-pprof: finding runbench's executable for the profiled twins' worker processes: %w", err)
	}
	return func(args ...string) *exec.Cmd {
		return exec.Command(exe, append([]string{WorkerCommand}, args...)...)
	}, nil
}

// inWorkers has each profiled twin among plans sampled in worker
// processes started by command.
func inWorkers(plans []*plan, command func(args ...string) *exec.Cmd) {
	for _, p := range plans {
		if sp, err := rowspec.Parse(p.row.Name); err == nil && sp.Pprof != "" && !p.sim {
			p.fn, p.worker = inWorker(command, p.row.Name), true
		}
	}
}

// inWorker is a profiled twin's sampling function run through a worker
// process started by command (Options.Worker): each call is one fresh
// process taking a plain and a profiled sample, plain first on odd calls.
// The result is the profiled sample's, with the plain one's figure as
// UnitPlainNsOp and the profile as the worker encoded it: decoded and
// re-encoded here (gzip's windows, the decoded samples) it left the
// runner's heap larger, and its plain fork 6–9% dearer than without
// -pprof; passed through, ≈1% (within the runs' noise).
func inWorker(command func(args ...string) *exec.Cmd, name string) func(int) (workloads.Result, error) {
	calls := 0
	return func(n int) (workloads.Result, error) {
		calls++
		first := "plain"
		if calls%2 == 0 {
			first = rowspec.PprofCPU
		}
		cmd := command("-row", name, "-n", strconv.Itoa(n), "-first", first)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		OwnGroup(cmd)
		// Pdeathsig fires when the thread that started the worker ends,
		// not the process: keep this goroutine on its thread until the
		// worker is reaped.
		runtime.LockOSThread()
		err := cmd.Run()
		runtime.UnlockOSThread()
		if err != nil {
			return workloads.Result{}, fmt.Errorf("its worker process: %w: %s", err, lastLine(errOut.Bytes()))
		}
		var wo workerOut
		if err := gob.NewDecoder(&out).Decode(&wo); err != nil {
			return workloads.Result{}, fmt.Errorf("reading its worker's result: %w", err)
		}
		if wo.PlainN <= 0 || wo.N <= 0 {
			return workloads.Result{}, fmt.Errorf("its worker measured %d plain and %d profiled ops", wo.PlainN, wo.N)
		}
		res := workloads.Result{N: wo.N, Elapsed: wo.Elapsed, Unit: wo.Unit, Metrics: wo.Metrics, EncodedProfile: wo.Profile}
		res.Metrics = append(res.Metrics, workloads.Metric{Unit: rowspec.UnitPlainNsOp, Value: float64(wo.PlainElapsed.Nanoseconds()) / float64(wo.PlainN)})
		return res, nil
	}
}

// lastLine is the last non-empty line of b: a failing worker's error.
func lastLine(b []byte) string {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if l := lines[len(lines)-1]; len(l) > 0 {
		return string(l)
	}
	return "no message"
}
