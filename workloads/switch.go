package workloads

// The switch families: Switch, SwitchLibc, SwitchOverhead and SwitchPairs.
//
// Switch/mech=M/mode=P/cpu=C/ws=S times one round trip between two ready
// tasks. For mode=process and mode=thread both tasks are raw clones running
// the same assembly loop (rawclone.OpPingPong); only the clone flags differ
// (rawclone.ForkFlags or rawclone.ThreadFlags). The initiator takes the
// clock itself after the warm-up rounds, once both sides are running, and
// again after the last round trip, so creating the partners, mapping their
// working sets and joining them are outside the timed interval.
//
// Placement:
//   - cpu=same: both tasks pinned to one CPU, so every round trip is two
//     real context switches (the figure perf bench sched pipe and lmbench
//     lat_ctx report under taskset).
//   - cpu=cross: pinned to two different CPUs. Nothing is switched out for
//     the partner: each round trip is two cross-CPU wake-ups (an IPI or a
//     wake from idle on the other CPU), a different cost from a switch.
//   - cpu=any: unpinned; the scheduler decides, as it would for a real
//     program.
//
// mode=goroutine is for contrast and exists for two mechanisms only:
//   - mech=pipe: two goroutines, each locked to its own OS thread, doing
//     blocking syscall.Read/syscall.Write on raw pipe fds. These are real
//     kernel sleeps (entersyscall/exitsyscall around read(2)), not the
//     netpoller that os.Pipe would use, so the row shows what the Go
//     runtime adds to a thread switch.
//   - mech=chan: two goroutines passing a token over unbuffered channels:
//     the Go scheduler's user-space switch, no kernel sleep at all.
//
// Net figures follow lmbench: SwitchOverhead/mech=M runs the mechanism's
// signal+wait (e.g. write one byte to a pipe, read it back) in one task
// with no partner; every Switch row measures that overhead again in the
// same Run, on the initiator's CPU with the initiator's working set, and
// reports ns/switch-net = round trip/2 − overhead: a round trip is two
// signals, two waits, two working-set passes and two switches, and one
// overhead op is one signal, one wait and one pass.
//
// ctxsw/op counts every switch away from either task (voluntary and
// involuntary); see ctxswMetrics.
//
// Against perf bench sched pipe: the raw-clone loop issues each system call
// with an inline SYSCALL instruction, while perf calls glibc's read and
// write. On the 2-core KVM guest (kernel 6.18, SRSO "Safe RET" and RSB
// filling) a call/ret around each of the four system calls of a round trip
// costs about 0.25 µs after a switch, so perf reports about 1 µs more per
// round trip than this suite; a C copy of perf's loop with inline syscalls
// matches the mode=process and mode=thread cpu=same pipe rows. The
// SwitchLibc/mode=M/cpu=same rows are those pipe rows with every loop
// system call behind a call to a one-instruction stub and its return
// (rawclone.Body.CallRet), as glibc's read and write are: the figure to put
// next to taskset -c 0 perf bench sched pipe (-T for mode=thread). The
// difference between a SwitchLibc row and its Switch row is what that
// return costs after a switch on the machine at hand, plus rseq where the
// Switch row's tasks have no registration (below), not the kernel's switch.
//
// rseq: glibc registers a restartable-sequences area for every thread, and
// the kernel then updates it on every return to user after a switch; perf's
// own loop runs about 0.25 µs per round trip faster with
// GLIBC_TUNABLES=glibc.pthread.rseq=0. Switch rows register nothing
// themselves: forked (mode=process) partners inherit the registration of
// the Go thread that cloned them when the binary uses cgo (glibc made it),
// and have none in a CGO_ENABLED=0 build; thread-style partners never have
// one (CLONE_VM clears it). So expect up to that much more on Switch
// mode=process rows of cgo builds. SwitchLibc rows pay it in every case:
// each task registers an area (rawclone.Body.RSeq) or, forked from a
// registered thread, keeps the one it inherited, so both modes, in cgo and
// CGO_ENABLED=0 builds alike, are what a glibc program pays: on the 2-core
// guest SwitchLibc/mode=process and mode=thread come within 1-2% of
// taskset -c 0 perf bench sched pipe (-T), glibc's rseq on.

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/rowspec"
)

// The switch rows' keys are rowspec's; these short names keep the loops
// readable.
type (
	switchMech = rowspec.Mech
	switchMode = rowspec.Mode
	switchCPU  = rowspec.CPU
)

const (
	mechPipe      = rowspec.MechPipe
	mechFutex     = rowspec.MechFutex
	mechEventfd   = rowspec.MechEventfd
	mechUnix      = rowspec.MechUnix
	mechYield     = rowspec.MechYield
	mechChan      = rowspec.MechChan
	modeProcess   = rowspec.ModeProcess   // rawclone.ForkFlags
	modeThread    = rowspec.ModeThread    // rawclone.ThreadFlags
	modeGoroutine = rowspec.ModeGoroutine // two goroutines
	cpuSame       = rowspec.CPUSame
	cpuCross      = rowspec.CPUCross
	cpuAny        = rowspec.CPUAny
)

// switchSpec is one Switch row.
type switchSpec struct {
	mech switchMech
	mode switchMode
	cpu  switchCPU
	ws   int // bytes each side touches between round trips
}

func (s switchSpec) spec() rowspec.Spec {
	return rowspec.Spec{Family: rowspec.Switch, Mech: s.mech, Mode: s.mode, CPU: s.cpu, WS: rowspec.Size(s.ws)}
}

func (s switchSpec) name() string { return s.spec().String() }

// switchWorkingSets are lmbench lat_ctx -s sizes: nothing, an L1-sized set,
// an L2-sized set and one that spills a typical L2.
var switchWorkingSets = []int{0, quickWorkingSet, 256 << 10, 1 << 20}

// quickWorkingSet is the working set of the quick suite's one ws point.
const quickWorkingSet = 16 << 10

// switchSpecs lists every Switch row. The full cross product is 5 mechs ×
// 2 modes × 3 placements × 4 sizes; the working-set sweep matters where the
// two sides evict each other's caches and TLB entries, i.e. on one CPU, so
// it runs at cpu=same for every mechanism and at every placement for pipe
// (the reference mechanism); the other placements run at ws=0.
func switchSpecs() []switchSpec {
	var out []switchSpec
	for _, mode := range []switchMode{modeProcess, modeThread} {
		for _, mech := range []switchMech{mechPipe, mechFutex, mechEventfd, mechUnix, mechYield} {
			for _, cpu := range []switchCPU{cpuSame, cpuCross, cpuAny} {
				if mech == mechYield && cpu != cpuSame {
					continue // sched_yield only hands over to a task on the same CPU
				}
				for _, ws := range switchWorkingSets {
					if ws != 0 && cpu != cpuSame && mech != mechPipe {
						continue
					}
					out = append(out, switchSpec{mech, mode, cpu, ws})
				}
			}
		}
	}
	out = append(out,
		switchSpec{mechPipe, modeGoroutine, cpuSame, 0},
		switchSpec{mechPipe, modeGoroutine, cpuAny, 0},
		switchSpec{mechChan, modeGoroutine, cpuAny, 0},
	)
	// The topology placements, added after the rows above existed: every
	// waking mechanism at ws=0 (sched_yield only hands over on one CPU).
	for _, mode := range []switchMode{modeProcess, modeThread} {
		for _, mech := range []switchMech{mechPipe, mechFutex, mechEventfd, mechUnix} {
			for _, cpu := range topologyCPUs {
				out = append(out, switchSpec{mech, mode, cpu, 0})
			}
		}
	}
	return out
}

// quick reports whether s is in the Quick suite: the pipe reference rows
// next to perf bench sched pipe, one futex row, the goroutine contrast, and
// the cheapest working-set point (an L1-sized set, pinned pipe) so that the
// default report has a working-set line for each mode.
func (s switchSpec) quick() bool {
	if s.ws == quickWorkingSet {
		return s.mech == mechPipe && s.cpu == cpuSame && s.mode != modeGoroutine
	}
	if s.ws != 0 {
		return false
	}
	switch s.mode {
	case modeGoroutine:
		return s.cpu == cpuAny
	case modeProcess, modeThread:
		return (s.mech == mechPipe && (s.cpu == cpuSame || s.cpu == cpuAny)) || (s.mech == mechFutex && s.cpu == cpuSame)
	}
	return false
}

// placeDoc says in words where a placement puts the two tasks.
func placeDoc(c switchCPU) string {
	var where string
	switch c {
	case cpuSame:
		where = "both pinned to one CPU (two context switches per round trip)"
	case cpuCross:
		where = "pinned to two CPUs (cross-CPU wake-ups, not switches on one CPU)"
	case cpuAny:
		where = "unpinned"
	case rowspec.CPUSMT:
		where = "pinned to two SMT siblings of one core"
	case rowspec.CPULLC:
		where = "pinned to two cores sharing a last-level cache"
	case rowspec.CPUXLLC:
		where = "pinned to two CPUs in different last-level caches (same NUMA node where there is one)"
	case rowspec.CPUXNode:
		where = "pinned to two CPUs on different NUMA nodes"
	}
	return where
}

func (s switchSpec) doc() string {
	where := placeDoc(s.cpu)
	var who string
	switch {
	case s.mech == mechChan:
		return "one round trip of a token over unbuffered channels between two goroutines (the Go scheduler's user-space switch), GOMAXPROCS as is"
	case s.mode == modeGoroutine:
		who = "two goroutines locked to OS threads doing blocking syscall.Read/Write on raw pipe fds"
	default:
		who = fmt.Sprintf("two raw-clone tasks created with %s flags running the same assembly loop", s.mode)
	}
	ws := ""
	if s.ws > 0 {
		ws = fmt.Sprintf(", each touching its own %s between round trips", rowspec.FormatSize(rowspec.Size(s.ws)))
	}
	return fmt.Sprintf("one %s round trip between %s, %s%s", s.mech, who, where, ws)
}

func (s switchSpec) row() Row {
	r := observedRow(Row{
		Spec:  s.spec(),
		Doc:   s.doc(),
		Needs: Needs{Linux: s.mech != mechChan},
	}, func(n int, started startedFunc) (Result, error) { return runSwitch(s, n, started) })
	r.Suites = Full
	if s.quick() {
		r.Suites |= Quick
	}
	if s.cpu.TwoCPUs() {
		r.Needs.CPUs = 2
	}
	if s.cpu != cpuSame && s.cpu != cpuCross && s.cpu != cpuAny {
		r.SkipReason = placementSkip(s.cpu)
	}
	return r
}

// switchLibcSpecs are the Switch specs that have a SwitchLibc twin: the
// pipe rows perf bench sched pipe runs under taskset -c 0.
func switchLibcSpecs() []switchSpec {
	return []switchSpec{
		{mech: mechPipe, mode: modeProcess, cpu: cpuSame},
		{mech: mechPipe, mode: modeThread, cpu: cpuSame},
	}
}

// switchLibcSpec names s's SwitchLibc twin: mech=pipe and ws=0 are implied.
func switchLibcSpec(s switchSpec) rowspec.Spec {
	return rowspec.Spec{Family: rowspec.SwitchLibc, Mode: s.mode, CPU: s.cpu}
}

func switchLibcRow(s switchSpec) Row {
	perf := "taskset -c 0 perf bench sched pipe"
	if s.mode == modeThread {
		perf += " -T"
	}
	return observedRow(Row{
		Spec: switchLibcSpec(s),
		Doc: fmt.Sprintf("one pipe round trip between two raw-clone tasks created with %s flags, both pinned to one CPU, "+
			"each read and write issued through a call to a one-instruction stub and its return, as a C program calling glibc's read/write does, "+
			"and each task registered for rseq as glibc registers every thread (overhead measured the same way): the figure comparable with `%s`. "+
			"It differs from %s only by those call/ret pairs (after a read that switched tasks the return mispredicts, "+
			"and with SRSO/RSB-filling mitigations that costs a fraction of a µs per system call) "+
			"and by rseq, whose update the kernel does on every return to user after a switch",
			s.mode, perf, s.name()),
		Suites: Full,
		Needs:  Needs{Linux: true},
	}, func(n int, started startedFunc) (Result, error) { return runSwitchLibc(s, n, started) })
}

// switchOverheadMechs are the mechanisms with a SwitchOverhead row.
var switchOverheadMechs = []switchMech{mechPipe, mechFutex, mechEventfd, mechUnix, mechYield, mechChan}

func switchOverheadRow(m switchMech) Row {
	doc := fmt.Sprintf("one %s signal+wait in a single thread-style raw-clone task pinned to one CPU, no partner and no switch (lmbench's overhead)", m)
	if m == mechChan {
		doc = "one send+receive on a one-slot buffered channel in a single goroutine, no partner and no switch"
	}
	r := Row{
		Spec:   rowspec.Spec{Family: rowspec.SwitchOverhead, Mech: m},
		Doc:    doc,
		Suites: Full,
		Needs:  Needs{Linux: m != mechChan},
		Run:    func(n int) (Result, error) { return runSwitchOverhead(m, n) },
	}
	if m == mechPipe || m == mechChan {
		r.Suites |= Quick
	}
	return r
}

// switchPairsRow: at cpu=same each pair is pinned to its own allowed CPU
// in topology order (cores before SMT siblings, spread over LLCs and
// nodes), as will-it-scale binds its workers; at cpu=any the scheduler
// places every task, as the rows named without cpu= always ran.
func switchPairsRow(mode switchMode, pairs int, cpu rowspec.CPU) Row {
	where := "each pair pinned to its own allowed CPU in topology order (cores before SMT siblings, spread over LLCs and nodes)"
	if cpu == rowspec.CPUAny {
		where = "unpinned: the scheduler places every task"
	}
	pin := cpu == rowspec.CPUSame
	return observedRow(Row{
		Spec: rowspec.Spec{Family: rowspec.SwitchPairs, Mode: mode, Pairs: pairs, CPU: cpu},
		Doc: fmt.Sprintf("%d pipe ping-pong pairs of %s-style raw-clone tasks at once, %s; ns/op is the whole system's time per round trip (will-it-scale context_switch1)",
			pairs, mode, where),
		Suites: Full,
		Needs:  Needs{Linux: true},
	}, func(n int, started startedFunc) (Result, error) { return runSwitchPairs(mode, pairs, pin, n, started) })
}

// startedFunc, if not nil, is called with the tids of every raw ping-pong
// task once all of them have been created, initiators and responders
// alternating: [init0, resp0, init1, resp1, …]. Tests pass one (through
// Row.observed) to find and kill the partners; Row.Run passes nil.
type startedFunc func(tids []int)

func (f startedFunc) call(tids []int) {
	if f != nil {
		f(tids)
	}
}

// observedRow sets r.Run and r.observed from one function, so the row a
// test observes is the row a run measures.
func observedRow(r Row, run func(n int, started startedFunc) (Result, error)) Row {
	r.observed = run
	r.Run = func(n int) (Result, error) { return run(n, nil) }
	return r
}

func init() {
	for _, s := range switchSpecs() {
		register(s.row())
	}
	for _, s := range switchLibcSpecs() {
		register(switchLibcRow(s))
	}
	for _, m := range switchOverheadMechs {
		register(switchOverheadRow(m))
	}
	for _, mode := range []switchMode{modeProcess, modeThread} {
		for p := 1; p <= runtime.NumCPU(); p++ {
			for _, cpu := range []rowspec.CPU{rowspec.CPUSame, rowspec.CPUAny} {
				register(switchPairsRow(mode, p, cpu))
			}
		}
	}
}

// switchWarmup is the number of untimed round trips before the timer
// starts: enough to fault in stacks and working sets and let the scheduler
// settle, small beside n.
func switchWarmup(n int) int { return min(max(n/8, 16), 1000) }

// switchLoopbackN is the number of overhead ops measured beside an n-round
// Switch run: as many as the run, within bounds that keep it cheap.
func switchLoopbackN(n int) int { return min(max(n, 100), 10000) }

// switchTimeout bounds a ping-pong run: generous (a 1 MiB working set on a
// busy host can take a millisecond per round trip), scaled by n, so that a
// lost wake-up fails the row instead of hanging it.
func switchTimeout(n int) time.Duration {
	return 30*time.Second + time.Duration(n)*2*time.Millisecond
}

// switchSides is what both ping-pong sides recorded over the timed
// interval.
type switchSides struct {
	n               int
	elapsed         time.Duration // initiator's End − Start
	nvcsw, nivcsw   int64         // both sides, summed
	initBytes       int64         // bytes read by each side (MechFD), -1 if not counted
	respBytes       int64
	noCtxsw         bool          // counters unavailable on this platform
	overheadPerOp   time.Duration // one signal+wait with no partner
	overheadMeasure bool
	roundTrips      *hist.Histogram // each timed round trip in ns, nil if not recorded
}

// switchResult turns the two sides' records into a Result.
func switchResult(s switchSides) (Result, error) {
	if s.n <= 0 {
		return Result{}, fmt.Errorf("switch: %d round trips", s.n)
	}
	if s.elapsed <= 0 {
		return Result{}, fmt.Errorf("switch: initiator recorded no time for %d round trips (start and end %v apart)", s.n, s.elapsed)
	}
	res := Result{N: s.n, Elapsed: s.elapsed, Unit: rowspec.UnitNsOp}
	rt := res.PerOp()
	res.Metrics = append(res.Metrics, Metric{Value: rt / 2, Unit: rowspec.UnitNsSwitch})
	if s.overheadMeasure {
		res.Metrics = append(res.Metrics, Metric{Value: rt/2 - float64(s.overheadPerOp.Nanoseconds()), Unit: rowspec.UnitNsSwitchNet})
	}
	if !s.noCtxsw {
		res.Metrics = append(res.Metrics, ctxswMetrics(s.nvcsw, s.nivcsw, s.n)...)
	}
	if s.roundTrips != nil {
		if got := s.roundTrips.Count(); got != uint64(s.n) {
			return Result{}, fmt.Errorf("switch: the initiator recorded %d round trips, want %d", got, s.n)
		}
		res.Metrics = append(res.Metrics, histMetrics(s.roundTrips)...)
		res.Latency = []Latency{{Kind: hist.KindRoundTrip, Hist: s.roundTrips}}
	}
	return res, nil
}

// ctxswMetrics reports the kernel's context-switch counts of both sides
// per round trip. ctxsw/op counts every switch away from either task,
// voluntary or not: on one CPU a woken partner often preempts the waker
// before the waker blocks (wake-up preemption), which turns one of the two
// switches of a round trip from voluntary into involuntary, and sched_yield
// switches are all involuntary; either way a round trip on one CPU is about
// 2. ictxsw/op is the involuntary share.
func ctxswMetrics(nvcsw, nivcsw int64, n int) []Metric {
	return []Metric{
		{Value: float64(nvcsw+nivcsw) / float64(n), Unit: rowspec.UnitCtxswOp},
		{Value: float64(nivcsw) / float64(n), Unit: rowspec.UnitICtxswOp},
	}
}

// errSwitchUnsupported is returned by rows that cannot run on this
// platform.
var errSwitchUnsupported = fmt.Errorf("switch workloads need linux/amd64 or linux/arm64: %w", errors.ErrUnsupported)

// runChanPingPong ping-pongs a token over two unbuffered channels between
// two goroutines, GOMAXPROCS as is. It runs everywhere.
func runChanPingPong(n int) (Result, error) {
	warm := switchWarmup(n)
	ping, pong := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range warm + n {
			<-ping
			pong <- struct{}{}
		}
	}()
	for range warm {
		ping <- struct{}{}
		<-pong
	}
	ru0, ruErr := processRusage()
	start := time.Now()
	for range n {
		ping <- struct{}{}
		<-pong
	}
	elapsed := time.Since(start)
	<-done
	ru1, err := processRusage()
	if err = errors.Join(ruErr, err); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return Result{}, err
	}
	ov := chanLoopback(switchLoopbackN(n))
	return switchResult(switchSides{
		n: n, elapsed: elapsed,
		// The whole process's counters: the channel switch itself never
		// enters the kernel, so this is about 0 unless the runtime parks
		// a thread.
		nvcsw: ru1.nvcsw - ru0.nvcsw, nivcsw: ru1.nivcsw - ru0.nivcsw,
		noCtxsw:       err != nil,
		overheadPerOp: ov, overheadMeasure: true,
	})
}

// chanLoopback is the channel's overhead: a send and a receive on a
// one-slot buffered channel in one goroutine, which never parks.
func chanLoopback(n int) time.Duration {
	c := make(chan struct{}, 1)
	start := time.Now()
	for range n {
		c <- struct{}{}
		<-c
	}
	return time.Since(start) / time.Duration(n)
}

func runSwitchOverhead(m switchMech, n int) (Result, error) {
	if m == mechChan {
		n = max(n, 1)
		c := make(chan struct{}, 1)
		start := time.Now()
		for range n {
			c <- struct{}{}
			<-c
		}
		return Result{N: n, Elapsed: time.Since(start), Unit: rowspec.UnitNsOp}, nil
	}
	return runLoopbackRow(m, n)
}

// rusageCounts are context-switch counters from getrusage.
type rusageCounts struct{ nvcsw, nivcsw int64 }
