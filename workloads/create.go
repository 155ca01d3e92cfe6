package workloads

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sync"
	"time"

	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
)

// Creation rows: Create, CloneFlags, CreateRSS and CreateFDs.
//
// Every row times the same op — create a task, let it exit at once, reap or
// join it — and records one sample per op. Tasks run where the scheduler
// puts them (unpinned). Raw rows issue clone(2) through rawclone from one
// locked OS thread; the child runs rawclone's OpExit assembly body.

// rawSpec is the clone a raw row issues (Row.raw).
type rawSpec struct {
	Flags rawclone.Flags
	Opt   rawclone.Options
}

// cloneSweep is the CloneFlags sweep from the fork set to the thread set,
// one resource at a time, so each step between neighbours is the cost of one
// copy_* the kernel skips. Every step is a set the kernel accepts: SIGHAND
// comes after VM (SIGHAND needs VM) and THREAD after SIGHAND (THREAD needs
// SIGHAND); THREAD drops the exit signal, as a thread-group member has none.
// The first step drops glibc's CHILD_SETTID (one store into the child), and
// CHILD_CLEARTID stays throughout so every step ends the way the thread set
// does; the last step is exactly rawclone.ThreadFlags.
func cloneSweep() []rawclone.Flags {
	f := rawclone.ForkFlags
	out := []rawclone.Flags{f}
	for _, next := range []func(rawclone.Flags) rawclone.Flags{
		func(f rawclone.Flags) rawclone.Flags { return f &^ rawclone.CloneChildSetTID }, // SIGCHLD (+CHILD_CLEARTID)
		func(f rawclone.Flags) rawclone.Flags { return f | rawclone.CloneVM },           // no copy_mm
		func(f rawclone.Flags) rawclone.Flags { return f | rawclone.CloneFS },           // no copy_fs
		func(f rawclone.Flags) rawclone.Flags { return f | rawclone.CloneFiles },        // no copy_files
		func(f rawclone.Flags) rawclone.Flags { return f | rawclone.CloneSighand },      // no copy_sighand
		func(f rawclone.Flags) rawclone.Flags { // same thread group, no exit signal
			return f&^rawclone.SignalMask | rawclone.CloneThread
		},
		func(f rawclone.Flags) rawclone.Flags { return f | rawclone.CloneSysVSem },
		func(f rawclone.Flags) rawclone.Flags { return f | rawclone.CloneSetTLS },
		func(f rawclone.Flags) rawclone.Flags { return f | rawclone.CloneParentSetTID },
	} {
		f = next(f)
		out = append(out, f)
	}
	return out
}

// inQuickSweep reports whether step i of a sweep of n is in the quick
// suite: both ends and the step that drops copy_mm.
func inQuickSweep(i, n int) bool { return i == 0 || i == 2 || i == n-1 }

// rssSizes and fdCounts are the CreateRSS and CreateFDs grids.
var (
	rssSizes = []rowspec.Size{0, 16 * rowspec.MiB, 64 * rowspec.MiB, 256 * rowspec.MiB, rowspec.GiB}
	fdCounts = []int{0, 1024, 16384}
)

func init() {
	fork := rawSpec{Flags: rawclone.ForkFlags}
	thread := rawSpec{Flags: rawclone.ThreadFlags, Opt: rawclone.Options{Stack: rawclone.StackCached}}
	fresh := rawSpec{Flags: rawclone.ThreadFlags, Opt: rawclone.Options{Stack: rawclone.StackFresh}}
	vfork := rawSpec{Flags: rawclone.VforkFlags}

	// Create: one row per way of making a task.
	// The headline rows run at cpu=same, where a figure is the kernel's
	// and not also the scheduler's; fork and thread also at cpu=any in the
	// quick suite, which is how every creation row ran before cpu= existed.
	register(placed(rawRow(createSpec(rowspec.StyleFork), fork,
		"raw clone(fork flags) from one locked thread, child exit_groups at once, parent reaps with wait4"), bothCPUs...)...)
	register(placed(Row{
		Spec:  createSpec(rowspec.StyleForkMinimal),
		Needs: Needs{Linux: true},
		Doc: "fork's floor: a fork-style raw child unmaps every mapping it inherited from the Go process but the loop's code, " +
			"a shared result page and a small stack, then forks (clone with fork flags), the grandchild exit_groups at once and it reaps with wait4, " +
			"op after op in one assembly loop: the kernel's fork+wait for a minimal process, the figure a small C program's fork+waitpid compares with",
		Run: runForkMinimal,
	}, rowspec.CPUSame)...)
	register(placed(rawRow(createSpec(rowspec.StyleThread), thread,
		"raw clone(thread flags) on a cached stack from one locked thread, child exits at once, parent joins on the clear-tid futex"), bothCPUs...)...)
	register(placed(rawRow(createSpec(rowspec.StyleThreadFreshStack), fresh,
		"raw clone(thread flags) on a fresh mmap'd stack with a guard page (unmapped after the join), child exits, parent joins on the clear-tid futex"), rowspec.CPUSame)...)
	register(placed(rawRow(createSpec(rowspec.StyleVfork), vfork,
		"raw clone(VM|VFORK|SIGCHLD): parent sleeps until the child exit_groups, then reaps it with wait4"), rowspec.CPUSame)...)
	for _, r := range cgoCreateRows() {
		register(placed(r, rowspec.CPUSame)...)
	}
	// The Go scheduler's and os/exec's rows run where the runtime puts
	// them: pinning one thread says nothing about either.
	register(
		Row{
			Spec:   rowspec.Spec{Family: rowspec.Create, Style: rowspec.StyleGoroutine, CPU: rowspec.CPUAny},
			Suites: Quick | Full,
			Doc:    "go f() and wait for it on a sync.WaitGroup: user-space creation by the Go scheduler, no clone; for contrast; unpinned",
			Run:    runGoroutine,
		},
		Row{
			Spec:   rowspec.Spec{Family: rowspec.Create, Style: rowspec.StyleSpawn, CPU: rowspec.CPUAny},
			Suites: Quick | Full,
			Doc:    "exec.Command(true).Run(): os/exec's clone(VM|VFORK|PIDFD|SIGCHLD) + execve of a tiny binary + wait; unpinned",
			Run:    runSpawn,
			SkipReason: func() string {
				if _, err := spawnPath(); err != nil {
					return err.Error()
				}
				return ""
			},
		},
	)

	// CloneFlags: the sweep, in order. Names are Flags.String(), which
	// ParseFlags reads back; benchfmt and benchstat take the '|' as is, but
	// in a -bench pattern it is regexp alternation: write it as '\|'.
	sweep := cloneSweep()
	for i, f := range sweep {
		spec := rawSpec{Flags: f}
		var quick []rowspec.CPU
		if inQuickSweep(i, len(sweep)) {
			quick = append(quick, rowspec.CPUSame)
		}
		join := "parent reaps with wait4"
		if f.Has(rawclone.CloneThread) {
			join = "parent joins on the clear-tid futex"
		}
		register(placed(rawRow(rowspec.Spec{Family: rowspec.CloneFlags, Flags: spec.Flags.String()}, spec,
			fmt.Sprintf("raw clone(%s) from one locked thread (sweep step %d of %d), child exits at once, %s",
				f, i+1, len(sweep), join)), quick...)...)
	}

	// CreateRSS: what the parent owns, and whether it is in huge pages.
	for _, st := range []struct {
		style rowspec.Style
		spec  rawSpec
	}{{rowspec.StyleFork, fork}, {rowspec.StyleThread, thread}, {rowspec.StyleVfork, vfork}} {
		for _, thp := range []bool{false, true} {
			for _, sz := range rssSizes {
				sp := rowspec.Spec{Family: rowspec.CreateRSS, Style: st.style, THP: thp, RSS: sz}
				var quick []rowspec.CPU
				if !thp && st.style != rowspec.StyleVfork && sz <= 16*rowspec.MiB {
					quick = append(quick, rowspec.CPUSame)
				}
				register(placed(rssRow(sp, st.spec), quick...)...)
			}
		}
	}

	// CreateFDs: the size of the fd table copy_files duplicates.
	for _, st := range []struct {
		style rowspec.Style
		spec  rawSpec
	}{{rowspec.StyleFork, fork}, {rowspec.StyleThread, thread}} {
		for _, nfd := range fdCounts {
			var quick []rowspec.CPU
			if nfd != 1024 {
				// Both ends, so the quick report has a per-fd slope.
				quick = append(quick, rowspec.CPUSame)
			}
			register(placed(fdRow(rowspec.Spec{Family: rowspec.CreateFDs, Style: st.style, FDs: nfd}, st.spec), quick...)...)
		}
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// bothCPUs are the placements of the rows whose cpu=any twin is in the
// quick suite too.
var bothCPUs = []rowspec.CPU{rowspec.CPUSame, rowspec.CPUAny}

// placed makes r's cpu=same and cpu=any rows, both in the full suite and
// those listed in quick also in the quick suite. cpu=same pins the creating
// thread (and so every child, which inherits its mask) to one CPU and moves
// the process's other threads (the Go runtime's) off it for the op loop;
// cpu=any leaves both to the scheduler.
func placed(r Row, quick ...rowspec.CPU) []Row {
	var out []Row
	for _, cpu := range []rowspec.CPU{rowspec.CPUSame, rowspec.CPUAny} {
		p := r
		p.Spec.CPU = cpu
		p.Suites = Full
		if slices.Contains(quick, cpu) {
			p.Suites |= Quick
		}
		if cpu == rowspec.CPUSame {
			p.Doc += "; parent and child pinned to one CPU, the Go runtime's threads moved off it"
			run := r.Run
			p.Run = func(n int) (Result, error) { return onOneCPU(func() (Result, error) { return run(n) }) }
		} else {
			p.Doc += "; unpinned"
		}
		out = append(out, p)
	}
	return out
}

// createSpec is the Create row of one style.
func createSpec(st rowspec.Style) rowspec.Spec {
	return rowspec.Spec{Family: rowspec.Create, Style: st}
}

// rawRow is a Create or CloneFlags row timing spec's clone+exit+reap.
func rawRow(sp rowspec.Spec, spec rawSpec, doc string) Row {
	return Row{
		Spec:  sp,
		raw:   &spec,
		Needs: Needs{Linux: true},
		Doc:   doc,
		Run:   func(n int) (Result, error) { return runRaw(spec, n) },
	}
}

func rssRow(sp rowspec.Spec, spec rawSpec) Row {
	style, thp, size := sp.Style, sp.THP, int(sp.RSS)
	advice := "MADV_NOHUGEPAGE (4 KiB pages)"
	if thp {
		advice = "MADV_HUGEPAGE (2 MiB pages)"
	}
	doc := fmt.Sprintf("raw clone(%s flags)+exit+reap/join while the parent holds %d MiB of touched private anonymous memory, %s",
		style, size>>20, advice)
	r := Row{
		Spec:  sp,
		raw:   &spec,
		Needs: Needs{Linux: true, MemBytes: uint64(size)},
		Doc:   doc,
		Run: func(n int) (Result, error) {
			_, release, err := mapTouched(size, thp)
			if err != nil {
				return Result{}, fmt.Errorf("map %d MiB (thp=%s): %w", size>>20, onOff(thp), err)
			}
			res, err := runRaw(spec, n)
			return res, errors.Join(err, release())
		},
	}
	if thp {
		r.SkipReason = thpSkipReason
	}
	return r
}

func fdRow(sp rowspec.Spec, spec rawSpec) Row {
	style, nfd := sp.Style, sp.FDs
	return Row{
		Spec:  sp,
		raw:   &spec,
		Needs: Needs{Linux: true},
		Doc: fmt.Sprintf("raw clone(%s flags)+exit+reap/join while the parent holds %d extra open fds (dups of /dev/null)",
			style, nfd),
		Run: func(n int) (Result, error) {
			release, err := openFDs(nfd)
			if err != nil {
				return Result{}, fmt.Errorf("open %d fds: %w", nfd, err)
			}
			res, err := runRaw(spec, n)
			return res, errors.Join(err, release())
		},
	}
}

// timeOps runs op n times and times each call. Consecutive readings share
// one clock read, so the samples sum to Elapsed and the harness adds one
// time.Now per op.
func timeOps(n int, op func() error) (Result, error) {
	if n < 1 {
		return Result{}, fmt.Errorf("n=%d: need at least one op", n)
	}
	samples := make([]time.Duration, n)
	start := time.Now()
	prev := start
	for i := range samples {
		if err := op(); err != nil {
			return Result{}, fmt.Errorf("op %d of %d: %w", i+1, n, err)
		}
		now := time.Now()
		samples[i] = now.Sub(prev)
		prev = now
	}
	res := Result{N: n, Elapsed: prev.Sub(start), Unit: rowspec.UnitNsOp, Samples: samples}
	m, err := percentileMetrics(samples)
	if err != nil {
		return Result{}, err
	}
	res.Metrics = m
	return res, nil
}

// runRaw times n raw clones of spec from one Cloner (one locked OS thread
// with every signal blocked, as a C loop's thread would run).
//
// The clone → exit → join/reap loop runs in assembly (rawclone's Loop),
// which takes the per-op timestamps itself, so no Go code (scheduler,
// allocator, GC) runs between ops. StackFresh rows, whose per-op mmap and
// munmap are Go's, and hosts whose cycle counter the loop cannot trust
// (Loop says ErrUnsupported) time each op from Go instead: the op is the
// same, only the harness between ops differs.
//
// Besides the time, every sample records what disturbed the measuring
// thread (involuntary switches, migrations) and, for a fork-style clone,
// what the Go parent holds that fork copies.
func runRaw(spec rawSpec, n int) (Result, error) {
	return clonerSample(spec.Flags, n, func(cl *rawclone.Cloner) (Result, error) { return rawOps(cl, spec, n) })
}

// clonerSample runs one sample of n ops on a fresh Cloner, observed, with
// the parent's footprint for a fork-style flag set: what every raw
// creation row (clone and clone3 alike) records around its loop.
func clonerSample(flags rawclone.Flags, n int, ops func(*rawclone.Cloner) (Result, error)) (Result, error) {
	if n < 1 {
		return Result{}, fmt.Errorf("n=%d: need at least one op", n)
	}
	cl, err := rawclone.NewCloner()
	if err != nil {
		return Result{}, err
	}
	var footprint []Metric
	if !flags.Has(rawclone.CloneVM) {
		if footprint, err = parentFootprint(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
			return Result{}, errors.Join(err, cl.Close())
		}
	}
	res, err := observed(footprint, func() (Result, error) { return ops(cl) })
	if err = errors.Join(err, cl.Close()); err != nil {
		return Result{}, err
	}
	return res, nil
}

// observed runs one sample's op loop on the calling locked thread and adds
// what disturbed that thread meanwhile, and footprint, as metrics.
func observed(footprint []Metric, loop func() (Result, error)) (Result, error) {
	before, cerr := readThreadCounters()
	res, err := loop()
	after, cerr2 := readThreadCounters()
	if err != nil {
		return Result{}, err
	}
	if cerr == nil && cerr2 == nil {
		res.Metrics = append(res.Metrics, disturbance(before, after)...)
	}
	res.Metrics = append(res.Metrics, footprint...)
	return res, nil
}

// rawOps is runRaw's op loop: rawclone.Loop where it can, else Clone and
// Wait timed from Go.
func rawOps(cl *rawclone.Cloner, spec rawSpec, n int) (Result, error) {
	if spec.Opt.Stack != rawclone.StackFresh {
		lr, err := cl.Loop(spec.Flags, n, spec.Opt)
		if err == nil {
			return loopResult(lr)
		}
		if !errors.Is(err, errors.ErrUnsupported) {
			return Result{}, err
		}
	}
	body := rawclone.Body{Op: rawclone.OpExit, CPU: rawclone.NoCPU}
	res, err := timeOps(n, func() error {
		t, err := cl.Clone(spec.Flags, body, spec.Opt)
		if err != nil {
			return err
		}
		return t.Wait(0)
	})
	if spec.Flags.Has(rawclone.CloneThread) {
		// Each join returned before its thread's do_exit ended (a
		// timed join is pthread_join's); the row ends when they have.
		err = errors.Join(err, rawclone.SettleExiting(taskGoneGrace))
	}
	return res, err
}

// taskGoneGrace is how long a joined thread may take to finish do_exit.
const taskGoneGrace = 5 * time.Second

// loopResult turns an assembly loop's per-op readings into a Result.
func loopResult(lr rawclone.LoopResult) (Result, error) {
	res := Result{N: len(lr.Ops), Elapsed: lr.Elapsed, Unit: rowspec.UnitNsOp, Samples: lr.Ops}
	m, err := percentileMetrics(lr.Ops)
	if err != nil {
		return Result{}, err
	}
	res.Metrics = m
	return res, nil
}

// runForkMinimal times n forks from a process that holds next to nothing
// (rawclone's MinimalForkLoop). parent-maps is what that process kept,
// beside the Go parent's on the fork row.
func runForkMinimal(n int) (Result, error) {
	if n < 1 {
		return Result{}, fmt.Errorf("n=%d: need at least one op", n)
	}
	cl, err := rawclone.NewCloner()
	if err != nil {
		return Result{}, err
	}
	lr, fp, err := cl.MinimalForkLoop(n)
	if err = errors.Join(err, cl.Close()); err != nil {
		return Result{}, err
	}
	res, err := loopResult(lr)
	if err != nil {
		return Result{}, err
	}
	res.Metrics = append(res.Metrics, Metric{Value: float64(fp.Mappings), Unit: rowspec.UnitParentMaps})
	return res, nil
}

func runGoroutine(n int) (Result, error) {
	var wg sync.WaitGroup
	f := func() {}
	return timeOps(n, func() error {
		wg.Go(f)
		wg.Wait()
		return nil
	})
}

// spawnPath finds the tiny executable style=spawn starts.
func spawnPath() (string, error) {
	for _, p := range []string{"/bin/true", "/usr/bin/true"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("needs /bin/true or /usr/bin/true, found neither")
}

func runSpawn(n int) (Result, error) {
	path, err := spawnPath()
	if err != nil {
		return Result{}, err
	}
	return timeOps(n, func() error {
		if err := exec.Command(path).Run(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
}
