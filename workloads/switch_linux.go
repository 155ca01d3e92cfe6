//go:build linux

package workloads

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/internal/topology"
	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
)

// switchPlacement returns the CPUs of the initiator and the responder:
// the first one or two CPUs this process may run on (CPU 0 on an
// unrestricted host, so cpu=same matches taskset -c 0), or NoCPU.
func switchPlacement(c switchCPU) (initCPU, respCPU int, err error) {
	if c == cpuAny {
		return rawclone.NoCPU, rawclone.NoCPU, nil
	}
	if c != cpuSame && c != cpuCross {
		return topologyPair(c)
	}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 0, 0, fmt.Errorf("cpu=%s: sched_getaffinity: %w", c, err)
	}
	cpus := firstCPUs(&set, 2)
	switch {
	case len(cpus) == 0:
		return 0, 0, fmt.Errorf("cpu=%s: empty affinity mask", c)
	case c == cpuSame:
		return cpus[0], cpus[0], nil
	case len(cpus) < 2:
		return 0, 0, fmt.Errorf("cpu=%s: needs 2 CPUs, affinity mask allows only CPU %d", c, cpus[0])
	}
	return cpus[0], cpus[1], nil
}

func (s switchSpec) flags() rawclone.Flags {
	if s.mode == modeProcess {
		return rawclone.ForkFlags
	}
	return rawclone.ThreadFlags
}

// switchRig owns everything one Run allocates — fds, futex words, working
// sets and tasks — so that release frees all of it on every path.
type switchRig struct {
	fds   []int
	words []*rawclone.Word
	maps  [][]byte
	lats  []*rawclone.Latency
	tasks []*rawclone.Task
	ended []bool // tasks[i] has been waited for or killed
}

func (r *switchRig) pipe() (rd, wr int, err error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return 0, 0, fmt.Errorf("pipe2: %w", err)
	}
	r.fds = append(r.fds, p[0], p[1])
	return p[0], p[1], nil
}

func (r *switchRig) eventfd() (int, error) {
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		return 0, fmt.Errorf("eventfd: %w", err)
	}
	r.fds = append(r.fds, fd)
	return fd, nil
}

func (r *switchRig) socketpair() (a, b int, err error) {
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, 0, fmt.Errorf("socketpair: %w", err)
	}
	r.fds = append(r.fds, sv[0], sv[1])
	return sv[0], sv[1], nil
}

func (r *switchRig) latency() (*rawclone.Latency, error) {
	l, err := rawclone.NewLatency()
	if err != nil {
		return nil, fmt.Errorf("latency histogram: %w", err)
	}
	r.lats = append(r.lats, l)
	return l, nil
}

func (r *switchRig) word() (*rawclone.Word, error) {
	w, err := rawclone.NewWord()
	if err != nil {
		return nil, fmt.Errorf("futex word: %w", err)
	}
	r.words = append(r.words, w)
	return w, nil
}

// workingSet maps size bytes and writes every page, so each side reads its
// own physical memory (an untouched private mapping reads as the one shared
// zero page, which would fit in any cache).
func (r *switchRig) workingSet(size int) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	b, err := rawclone.Map(size, false)
	if err != nil {
		return nil, fmt.Errorf("working set of %d bytes: %w", size, err)
	}
	r.maps = append(r.maps, b)
	for i := range b {
		b[i] = byte(i*7 + 1)
	}
	return b, nil
}

func (r *switchRig) clone(flags rawclone.Flags, body rawclone.Body) (*rawclone.Task, error) {
	t, err := rawclone.Clone(flags, body, rawclone.Options{})
	if err != nil {
		return nil, fmt.Errorf("clone %v: %w", flags, err)
	}
	r.tasks = append(r.tasks, t)
	r.ended = append(r.ended, false)
	return t, nil
}

// wait waits for every task at once; the first that fails gets every other
// task killed at once, so a dead partner never leaves its peer blocked in a
// read until the timeout.
func (r *switchRig) wait(timeout time.Duration) error {
	type done struct {
		i   int
		err error
	}
	ch := make(chan done, len(r.tasks))
	waiting := 0
	for i, t := range r.tasks {
		if r.ended[i] {
			continue
		}
		waiting++
		go func() { ch <- done{i, t.Wait(timeout)} }()
	}
	var errs []error
	var once sync.Once
	for range waiting {
		d := <-ch
		r.ended[d.i] = true
		if d.err == nil {
			continue
		}
		errs = append(errs, fmt.Errorf("tid %d: %w", r.tasks[d.i].Tid(), d.err))
		once.Do(func() {
			for j, t := range r.tasks {
				if j != d.i {
					go t.Kill() // the pending Wait above reports how it ended
				}
			}
		})
	}
	return errors.Join(errs...)
}

// release kills any task still running, waits until the kernel has
// released every task, then frees fds, words and maps.
func (r *switchRig) release() error {
	var errs []error
	for i, t := range r.tasks {
		if !r.ended[i] {
			if err := t.Kill(); err != nil {
				errs = append(errs, fmt.Errorf("kill tid %d: %w", t.Tid(), err))
			}
			r.ended[i] = true
		}
		if err := t.Gone(taskGoneGrace); err != nil {
			errs = append(errs, err)
		}
	}
	for _, fd := range r.fds {
		if err := unix.Close(fd); err != nil {
			errs = append(errs, fmt.Errorf("close fd %d: %w", fd, err))
		}
	}
	r.fds = nil
	for _, w := range r.words {
		if err := w.Free(); err != nil {
			errs = append(errs, fmt.Errorf("free futex word: %w", err))
		}
	}
	r.words = nil
	for _, m := range r.maps {
		if err := rawclone.Unmap(m); err != nil {
			errs = append(errs, fmt.Errorf("unmap working set: %w", err))
		}
	}
	r.maps = nil
	for _, l := range r.lats {
		if err := l.Free(); err != nil {
			errs = append(errs, err)
		}
	}
	r.lats = nil
	return errors.Join(errs...)
}

// releaseInto releases r and folds its error into *err.
func (r *switchRig) releaseInto(err *error) {
	if rerr := r.release(); rerr != nil {
		*err = errors.Join(*err, fmt.Errorf("cleanup: %w", rerr))
	}
}

// bodies builds the initiator's and responder's bodies for one pair,
// allocating the fds or word the mechanism needs.
func (r *switchRig) bodies(m switchMech, n, warm int) (ini, resp rawclone.Body, err error) {
	ini = rawclone.Body{Op: rawclone.OpPingPong, Initiator: true, N: n, Warmup: warm}
	resp = rawclone.Body{Op: rawclone.OpPingPong, N: n, Warmup: warm}
	switch m {
	case mechPipe:
		aR, aW, err := r.pipe() // initiator → responder
		if err != nil {
			return ini, resp, err
		}
		bR, bW, err := r.pipe() // responder → initiator
		if err != nil {
			return ini, resp, err
		}
		ini.Mech, ini.Out, ini.In, ini.IOSize = rawclone.MechFD, aW, bR, 1
		resp.Mech, resp.In, resp.Out, resp.IOSize = rawclone.MechFD, aR, bW, 1
	case mechEventfd:
		a, err := r.eventfd()
		if err != nil {
			return ini, resp, err
		}
		b, err := r.eventfd()
		if err != nil {
			return ini, resp, err
		}
		ini.Mech, ini.Out, ini.In, ini.IOSize = rawclone.MechFD, a, b, 8
		resp.Mech, resp.In, resp.Out, resp.IOSize = rawclone.MechFD, a, b, 8
	case mechUnix:
		a, b, err := r.socketpair()
		if err != nil {
			return ini, resp, err
		}
		ini.Mech, ini.In, ini.Out, ini.IOSize = rawclone.MechFD, a, a, 1
		resp.Mech, resp.In, resp.Out, resp.IOSize = rawclone.MechFD, b, b, 1
	case mechFutex, mechYield:
		w, err := r.word()
		if err != nil {
			return ini, resp, err
		}
		mech := rawclone.MechFutex
		if m == mechYield {
			mech = rawclone.MechYield
		}
		ini.Mech, ini.Word = mech, w
		resp.Mech, resp.Word = mech, w
	default:
		return ini, resp, fmt.Errorf("mech=%s: not a raw-clone mechanism", m)
	}
	return ini, resp, nil
}

// loopbackBody builds a one-task body doing m's signal+wait with no
// partner: write to a pipe and read it back, and so on.
func (r *switchRig) loopbackBody(m switchMech, n int) (rawclone.Body, error) {
	b := rawclone.Body{Op: rawclone.OpLoopback, Initiator: true, N: n}
	switch m {
	case mechPipe:
		rd, wr, err := r.pipe()
		if err != nil {
			return b, err
		}
		b.Mech, b.In, b.Out, b.IOSize = rawclone.MechFD, rd, wr, 1
	case mechEventfd:
		fd, err := r.eventfd()
		if err != nil {
			return b, err
		}
		b.Mech, b.In, b.Out, b.IOSize = rawclone.MechFD, fd, fd, 8
	case mechUnix:
		a, c, err := r.socketpair()
		if err != nil {
			return b, err
		}
		b.Mech, b.Out, b.In, b.IOSize = rawclone.MechFD, a, c, 1
	case mechFutex, mechYield:
		w, err := r.word()
		if err != nil {
			return b, err
		}
		b.Mech, b.Word = rawclone.MechFutex, w
		if m == mechYield {
			b.Mech = rawclone.MechYield
		}
	default:
		return b, fmt.Errorf("mech=%s: not a raw-clone mechanism", m)
	}
	return b, nil
}

// checkSide verifies that a side did every round trip and, for fd
// mechanisms, read one message per round trip: the proof that the
// ping-pong really happened.
func checkSide(who string, body rawclone.Body, res rawclone.Result) error {
	want := body.N + body.Warmup
	if res.Rounds != want {
		return fmt.Errorf("%s completed %d round trips, want %d", who, res.Rounds, want)
	}
	if body.Mech == rawclone.MechFD {
		if wantB := int64(want) * int64(body.IOSize); res.Bytes != wantB {
			return fmt.Errorf("%s read %d bytes, want %d (%d rounds × %d)", who, res.Bytes, wantB, want, body.IOSize)
		}
	}
	return nil
}

// loopback runs the overhead op n times in one task and returns the time
// per op. libc sets rawclone.Body.CallRet and RSeq, as for a SwitchLibc
// side.
func loopback(flags rawclone.Flags, m switchMech, n, cpu int, ws []byte, libc bool) (perOp time.Duration, err error) {
	var r switchRig
	defer r.releaseInto(&err)
	body, err := r.loopbackBody(m, n)
	if err != nil {
		return 0, err
	}
	body.CPU, body.WorkingSet = cpu, ws
	body.CallRet, body.RSeq = libc, libc
	t, err := r.clone(flags, body)
	if err != nil {
		return 0, err
	}
	if err := r.wait(switchTimeout(n)); err != nil {
		return 0, fmt.Errorf("overhead task: %w", err)
	}
	res := t.Result()
	if res.Elapsed() <= 0 {
		return 0, fmt.Errorf("overhead task recorded no time for %d ops", n)
	}
	return res.Elapsed() / time.Duration(n), nil
}

func runLoopbackRow(m switchMech, n int) (Result, error) {
	n = max(n, 1)
	cpu, _, err := switchPlacement(cpuSame)
	if err != nil {
		return Result{}, err
	}
	var r switchRig
	body, err := r.loopbackBody(m, n)
	if err != nil {
		return Result{}, errors.Join(err, r.release())
	}
	body.CPU = cpu
	t, err := r.clone(rawclone.ThreadFlags, body)
	if err == nil {
		err = r.wait(switchTimeout(n))
	}
	if rerr := r.release(); err != nil || rerr != nil {
		return Result{}, errors.Join(err, rerr)
	}
	res := t.Result()
	if res.Elapsed() <= 0 {
		return Result{}, fmt.Errorf("overhead task recorded no time for %d ops", n)
	}
	return Result{N: n, Elapsed: res.Elapsed(), Unit: rowspec.UnitNsOp}, nil
}

func runSwitch(s switchSpec, n int, started startedFunc) (Result, error) {
	n = max(n, 1)
	switch {
	case s.mech == mechChan:
		return runChanPingPong(n)
	case s.mode == modeGoroutine:
		return runGoroutinePipe(s, n)
	}
	initCPU, respCPU, err := switchPlacement(s.cpu)
	if err != nil {
		return Result{}, err
	}
	sides, err := rawPingPong(s, false, n, initCPU, respCPU, started)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", s.name(), err)
	}
	return switchResult(sides)
}

// runSwitchLibc is runSwitch for a raw-clone spec with what a glibc program
// pays on top on every task, the overhead task's too: every loop system
// call issued through call/ret (rawclone.Body.CallRet) and an rseq
// registration (rawclone.Body.RSeq).
func runSwitchLibc(s switchSpec, n int, started startedFunc) (Result, error) {
	n = max(n, 1)
	initCPU, respCPU, err := switchPlacement(s.cpu)
	if err != nil {
		return Result{}, err
	}
	sides, err := rawPingPong(s, true, n, initCPU, respCPU, started)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", switchLibcSpec(s), err)
	}
	return switchResult(sides)
}

// rawPingPong runs one pair of raw-clone tasks, then the mechanism's
// overhead in one task on the initiator's CPU with the initiator's working
// set. libc sets rawclone.Body.CallRet and RSeq on all three.
func rawPingPong(s switchSpec, libc bool, n, initCPU, respCPU int, started startedFunc) (sides switchSides, err error) {
	var r switchRig
	defer r.releaseInto(&err)
	warm := switchWarmup(n)
	ini, resp, err := r.bodies(s.mech, n, warm)
	if err != nil {
		return sides, err
	}
	ini.CPU, resp.CPU = initCPU, respCPU
	ini.CallRet, resp.CallRet = libc, libc
	ini.RSeq, resp.RSeq = libc, libc
	// Separate memory per side, mapped before the clone so a forked child
	// has it too.
	if ini.WorkingSet, err = r.workingSet(s.ws); err != nil {
		return sides, err
	}
	if resp.WorkingSet, err = r.workingSet(s.ws); err != nil {
		return sides, err
	}
	if on, _ := LatencyRecording(); on {
		if ini.RoundTrips, err = r.latency(); err != nil {
			return sides, err
		}
	}
	// The responder first: it blocks until the initiator's first signal.
	rt, err := r.clone(s.flags(), resp)
	if err != nil {
		return sides, err
	}
	it, err := r.clone(s.flags(), ini)
	if err != nil {
		return sides, err
	}
	started.call([]int{it.Tid(), rt.Tid()})
	if err := r.wait(switchTimeout(n + warm)); err != nil {
		return sides, fmt.Errorf("ping-pong: %w", err)
	}
	ir, rr := it.Result(), rt.Result()
	if err := checkSide("initiator", ini, ir); err != nil {
		return sides, err
	}
	if err := checkSide("responder", resp, rr); err != nil {
		return sides, err
	}
	var rts *hist.Histogram
	if ini.RoundTrips != nil {
		if rts, err = toNs(ini.RoundTrips, ir); err != nil {
			return sides, fmt.Errorf("round-trip latency: %w", err)
		}
	}
	ov, err := loopback(s.flags(), s.mech, switchLoopbackN(n), initCPU, ini.WorkingSet, libc)
	if err != nil {
		return sides, err
	}
	return switchSides{
		n: n, elapsed: ir.Elapsed(),
		nvcsw: ir.Nvcsw + rr.Nvcsw, nivcsw: ir.Nivcsw + rr.Nivcsw,
		overheadPerOp: ov, overheadMeasure: true,
		roundTrips: rts,
	}, nil
}

func runSwitchPairs(mode switchMode, pairs int, pin bool, n int, started startedFunc) (res Result, err error) {
	n = max(n, 1)
	per := (n + pairs - 1) / pairs
	// The warm-up must outlast creating the other pairs (a fork is up to a
	// millisecond), so that the timed intervals overlap.
	warm := min(max(per/4, 200), 2000)
	flags := switchSpec{mode: mode}.flags()
	var r switchRig
	defer r.releaseInto(&err)
	cpus := make([]int, pairs)
	for p := range cpus {
		cpus[p] = rawclone.NoCPU
	}
	if pin {
		if cpus, err = pairCPUs(pairs); err != nil {
			return res, err
		}
	}
	inis := make([]rawclone.Body, pairs)
	resps := make([]rawclone.Body, pairs)
	for p := range pairs {
		if inis[p], resps[p], err = r.bodies(mechPipe, per, warm); err != nil {
			return res, err
		}
		inis[p].CPU, resps[p].CPU = cpus[p], cpus[p]
	}
	tids := make([]int, 0, 2*pairs)
	tasks := make([]*rawclone.Task, 0, 2*pairs)
	for p := range pairs {
		rt, err := r.clone(flags, resps[p])
		if err != nil {
			return res, err
		}
		it, err := r.clone(flags, inis[p])
		if err != nil {
			return res, err
		}
		tids = append(tids, it.Tid(), rt.Tid())
		tasks = append(tasks, it, rt)
	}
	started.call(tids)
	if err := r.wait(switchTimeout(per + warm)); err != nil {
		return res, fmt.Errorf("%d pairs: %w", pairs, err)
	}
	// The system's interval runs from the first pair's timer start to the
	// last pair's end: a pair that starts late or ends early only makes the
	// figure conservative.
	var first, last time.Duration
	var nvcsw, nivcsw int64
	for p := range pairs {
		ir, rr := tasks[2*p].Result(), tasks[2*p+1].Result()
		if err := checkSide(fmt.Sprintf("pair %d initiator", p), inis[p], ir); err != nil {
			return res, err
		}
		if err := checkSide(fmt.Sprintf("pair %d responder", p), resps[p], rr); err != nil {
			return res, err
		}
		if p == 0 || ir.Start < first {
			first = ir.Start
		}
		last = max(last, ir.End)
		nvcsw += ir.Nvcsw + rr.Nvcsw
		nivcsw += ir.Nivcsw + rr.Nivcsw
	}
	total := per * pairs
	elapsed := last - first
	if elapsed <= 0 {
		return res, fmt.Errorf("%d pairs recorded no time", pairs)
	}
	return Result{N: total, Elapsed: elapsed, Unit: rowspec.UnitNsOp, Metrics: append([]Metric{
		{Value: float64(total) / elapsed.Seconds(), Unit: rowspec.UnitRoundTripsPerSec},
	}, ctxswMetrics(nvcsw, nivcsw, total)...)}, nil
}

// pairCPUs is the CPU of each SwitchPairs pair, both tasks on it, as
// will-it-scale binds each of its workers: the allowed CPUs in
// topology.Spread order (one thread of every core, dealt across nodes and
// LLCs, before any core's second thread), so k pairs are as far apart as
// the machine allows. More pairs than allowed CPUs wrap round.
func pairCPUs(pairs int) ([]int, error) {
	top, err := topology.Live()
	if err != nil {
		return nil, fmt.Errorf("%d pairs: %w", pairs, err)
	}
	order := top.Spread()
	out := make([]int, pairs)
	for p := range out {
		out[p] = order[p%len(order)]
	}
	return out, nil
}

// threadRusage reads the calling thread's context-switch counters.
func threadRusage() (rusageCounts, error) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return rusageCounts{}, fmt.Errorf("getrusage(RUSAGE_THREAD): %w", err)
	}
	return rusageCounts{int64(ru.Nvcsw), int64(ru.Nivcsw)}, nil
}

// processRusage reads the whole process's context-switch counters.
func processRusage() (rusageCounts, error) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return rusageCounts{}, fmt.Errorf("getrusage(RUSAGE_SELF): %w", err)
	}
	return rusageCounts{int64(ru.Nvcsw), int64(ru.Nivcsw)}, nil
}
