package workloads

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/clonebench/clonebench/kprof"
	"github.com/clonebench/clonebench/rowspec"
)

// Profiled rows: the twin of a raw creation or raw ping-pong switch row,
// run under package kprof's perf_event sampling of the measuring thread
// and every task it clones, named with /pprof=cpu. Its Result carries the
// profile; its ns/op is the op under sampling, kept apart from the plain
// row's so that profiled over plain, alternated, is the sampling's
// overhead. Like the probed twins they are not in the catalogue: runbench
// run -pprof and CLONEBENCH_PPROF=cpu under go test add them after each
// plain row.

// Profiled returns r's profiled twin, and false for a row that has none:
// only rows whose tasks all descend from the thread that calls Run (raw
// creation loops, raw process or thread ping-pong), so inheritance
// follows every one of them.
func Profiled(r Row) (Row, bool) {
	if r.Spec.Probe != "" || r.Spec.Pprof != "" {
		return Row{}, false
	}
	switch {
	case r.raw != nil && r.Family().Creation():
	case r.observed != nil && (r.Spec.Mode == rowspec.ModeProcess || r.Spec.Mode == rowspec.ModeThread):
	default:
		return Row{}, false
	}
	p := r
	p.Spec.Pprof = rowspec.PprofCPU
	if err := p.Spec.Validate(); err != nil {
		return Row{}, false
	}
	p.Name = p.Spec.String()
	p.Doc += "; sampled with perf_event (cpu-clock or cycles, kernel and user callchains) into a pprof profile"
	run, skip := r.Run, r.SkipReason
	p.Run = func(n int) (Result, error) { return profiledRun(run, n) }
	p.SkipReason = func() string {
		if skip != nil {
			if reason := skip(); reason != "" {
				return reason
			}
		}
		return ProfileSkipReason()
	}
	p.observed = nil
	// simkernel has no functions to sample.
	p.Sim, p.NoSim = nil, "the simulated kernel has no kernel functions to sample"
	return p, true
}

// WithProfiles is rows with each row's profiled twin right after it.
func WithProfiles(rows []Row) []Row {
	var out []Row
	for _, r := range rows {
		out = append(out, r)
		if p, ok := Profiled(r); ok {
			out = append(out, p)
		}
	}
	return out
}

// ProfileSkipReason is why a profiled twin cannot run here: the kernel's
// answer to perf_event_open, or "" when sampling works.
func ProfileSkipReason() string {
	if err := kprof.Supported(); err != nil {
		return "perf events refused: " + err.Error()
	}
	return ""
}

// profiledRun runs run under a kprof session on this thread, which run's
// Cloner locks and clones from (the lock nests), so its children inherit
// the events from their creation.
func profiledRun(run func(int) (Result, error), n int) (Result, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s, err := kprof.StartThread()
	if err != nil {
		return Result{}, fmt.Errorf("pprof: %w", err)
	}
	defer s.Close() // a failing or panicking run releases the events too; after Stop a no-op
	res, err := run(n)
	prof, serr := s.Stop()
	if err = errors.Join(err, serr); err != nil {
		return Result{}, err
	}
	res.Profile = prof
	return res, nil
}

// PprofEnv is the environment variable that makes go test -bench run each
// raw row's profiled twin after it: CLONEBENCH_PPROF=cpu.
const PprofEnv = "CLONEBENCH_PPROF"

// PprofDirEnv names the directory CLONEBENCH_PPROF=cpu writes its
// profiles to under go test (runbench ab sets it per profiled pass);
// unset, a clonebench-pprof directory under os.TempDir.
const PprofDirEnv = "CLONEBENCH_PPROF_DIR"

// PprofSetting reads PprofEnv's value: whether to add profiled twins, or
// an error naming the variable for a value it does not know.
func PprofSetting(v string) (bool, error) {
	switch v {
	case "":
		return false, nil
	case rowspec.PprofCPU:
		return true, nil
	}
	return false, fmt.Errorf("%s=%q: want %s or unset", PprofEnv, v, rowspec.PprofCPU)
}
