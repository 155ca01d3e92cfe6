//go:build linux

package kprof

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/google/pprof/profile"
	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/topology"
)

// Tuning. 4 kHz is perf record's default rate; 64 pages (256 KiB) per
// CPU hold about 0.2 s of deep callchains at that rate, ten times the
// drain interval.
const (
	clockPeriodNs = 250_000 // cpu-clock: one sample per 250 µs of CPU
	cyclesFreq    = 4000    // cycles: the kernel adjusts the period to 4 kHz
	ringPages     = 64
	drainEvery    = 20 * time.Millisecond
)

// Session samples one thread and the tasks it creates while it runs.
type Session struct {
	tid     int
	scope   Scope
	source  Source
	period  int64
	rings   []*ring
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	stacks  map[string]*tidStack
	forks   map[uint32]uint32 // child tid → creating tid (ScopeCPU)
	lost    int64
	start   time.Time
	elapsed time.Duration
	closed  bool
}

// tidStack is a Stack seen in one task.
type tidStack struct {
	Stack
	tid uint32
}

// ring is one CPU's event and its mapped buffer.
type ring struct {
	fd   int
	mem  []byte
	meta *unix.PerfEventMmapPage
	data []byte
}

// Start opens one inherited sampling event per online CPU on thread tid
// (the caller's, locked to it, so the tasks it clones inherit the events)
// and enables them. The error is the kernel's answer when perf events are
// refused. The caller must Stop or Close the session.
func Start(tid int) (*Session, error) {
	cpus, err := onlineCPUs()
	if err != nil {
		return nil, err
	}
	s := &Session{tid: tid, stacks: map[string]*tidStack{}, forks: map[uint32]uint32{}, stop: make(chan struct{}), done: make(chan struct{})}
	err = nil
	var first error
open:
	for _, scope := range []Scope{ScopeCPU, ScopeTask} {
		for _, src := range []Source{SourceCycles, SourceCPUClock} {
			err = s.open(scope, src, cpus)
			if err == nil {
				break open
			}
			s.release()
			if first == nil {
				first = err
			}
			// No PMU (a guest) is ENOENT or EOPNOTSUPP: try the timer. A
			// CPU-wide event refused (perf_event_paranoid above 0 without
			// CAP_PERFMON) is EACCES: try the task's own events.
		}
	}
	if err != nil {
		// The CPU-wide answer says most about what is refused.
		return nil, first
	}
	s.start = time.Now()
	for _, r := range s.rings {
		if err := unix.IoctlSetInt(r.fd, unix.PERF_EVENT_IOC_ENABLE, 0); err != nil {
			s.release()
			return nil, fmt.Errorf("perf_event enable: %w", err)
		}
	}
	go s.drainLoop()
	return s, nil
}

// Source is what the session samples.
func (s *Session) Source() Source { return s.source }

// Scope is which tasks' time the session sees.
func (s *Session) Scope() Scope { return s.scope }

func (s *Session) open(scope Scope, src Source, cpus []int) error {
	attr := unix.PerfEventAttr{
		Size:        uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample_type: unix.PERF_SAMPLE_IP | unix.PERF_SAMPLE_TID | unix.PERF_SAMPLE_PERIOD | unix.PERF_SAMPLE_CALLCHAIN,
		Bits:        unix.PerfBitDisabled | unix.PerfBitExcludeHv,
	}
	pid := s.tid
	if scope == ScopeCPU {
		// Fork records name each new task and its creator.
		pid, attr.Bits = -1, attr.Bits|unix.PerfBitTask
	} else {
		attr.Bits |= unix.PerfBitInherit
	}
	s.scope = scope
	if src == SourceCycles {
		attr.Type, attr.Config = unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CPU_CYCLES
		attr.Sample, attr.Bits = cyclesFreq, attr.Bits|unix.PerfBitFreq
		s.period = 0 // varies: each sample carries its own
	} else {
		attr.Type, attr.Config = unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CPU_CLOCK
		attr.Sample = clockPeriodNs
		s.period = clockPeriodNs
	}
	s.source = src
	page := os.Getpagesize()
	for _, cpu := range cpus {
		fd, err := unix.PerfEventOpen(&attr, pid, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if err != nil {
			return fmt.Errorf("perf_event_open(%s, pid %d, cpu %d): %w (perf_event_paranoid %s)", src, pid, cpu, err, paranoid())
		}
		r := &ring{fd: fd}
		s.rings = append(s.rings, r)
		r.mem, err = unix.Mmap(fd, 0, (1+ringPages)*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		if err != nil {
			return fmt.Errorf("perf_event mmap (cpu %d): %w", cpu, err)
		}
		r.meta = (*unix.PerfEventMmapPage)(unsafe.Pointer(&r.mem[0]))
		r.data = r.mem[page:]
	}
	return nil
}

// Stop disables the events, drains what is left and returns the profile,
// its kernel frames unnamed until Symbolize.
// It releases everything; a second Stop or a later Close does nothing.
func (s *Session) Stop() (*profile.Profile, error) {
	if s.closed {
		return nil, errors.New("kprof: session already stopped")
	}
	var err error
	for _, r := range s.rings {
		if e := unix.IoctlSetInt(r.fd, unix.PERF_EVENT_IOC_DISABLE, 0); e != nil && err == nil {
			err = fmt.Errorf("perf_event disable: %w", e)
		}
	}
	s.elapsed = time.Since(s.start)
	s.closed = true
	close(s.stop)
	<-s.done
	s.drain() // what arrived after the last tick
	s.release()
	if err != nil {
		return nil, err
	}
	return Build(s.Stacks(), Meta{Source: s.source, Scope: string(s.scope), Period: s.nominalPeriod(), Lost: s.lost, Duration: s.elapsed.Nanoseconds()}), nil
}

// Close releases the session without a profile: for a deferred call on
// an error path.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.stop)
	<-s.done
	s.release()
	return nil
}

// nominalPeriod is the period the profile states: fixed for the timer,
// the mean for cycles (whose period the kernel adapts).
func (s *Session) nominalPeriod() int64 {
	if s.period > 0 {
		return s.period
	}
	var n, sum int64
	for _, st := range s.Stacks() {
		n += st.Count
		sum += st.Period
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

// Stacks are the distinct callchains of the thread's task tree so far.
func (s *Session) Stacks() []Stack {
	s.mu.Lock()
	defer s.mu.Unlock()
	ours := s.tree()
	merged := map[string]*Stack{}
	var out []Stack
	for _, st := range s.stacks {
		if !ours[st.tid] {
			continue
		}
		key := fmt.Sprint(st.Child, st.Kernel, st.User)
		if m, ok := merged[key]; ok {
			m.Count += st.Count
			m.Period += st.Period
			continue
		}
		c := st.Stack
		merged[key] = &c
	}
	for _, m := range merged {
		out = append(out, *m)
	}
	return out
}

// tree is the set of the thread and its descendants: under ScopeTask
// every sample is theirs, under ScopeCPU the fork records say which.
func (s *Session) tree() map[uint32]bool {
	ours := map[uint32]bool{uint32(s.tid): true}
	if s.scope == ScopeTask {
		for _, st := range s.stacks {
			ours[st.tid] = true
		}
		return ours
	}
	// Fork records arrive per CPU, in no order across CPUs: close the
	// set until nothing is added.
	for grew := true; grew; {
		grew = false
		for child, parent := range s.forks {
			if ours[parent] && !ours[child] {
				ours[child] = true
				grew = true
			}
		}
	}
	return ours
}

func (s *Session) release() {
	for _, r := range s.rings {
		if r.mem != nil {
			unix.Munmap(r.mem)
			r.mem, r.meta, r.data = nil, nil, nil
		}
		unix.Close(r.fd)
	}
	s.rings = nil
}

func (s *Session) drainLoop() {
	defer close(s.done)
	t := time.NewTicker(drainEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.drain()
		}
	}
}

func (s *Session) drain() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rings {
		s.read(r)
	}
}

// read consumes r's records: data_head is loaded with acquire semantics
// before the data it covers is read, and data_tail stored after, as
// perf_event_open(2) requires (Go's atomics are sequentially consistent).
func (s *Session) read(r *ring) {
	if r.meta == nil {
		return
	}
	head := atomic.LoadUint64(&r.meta.Data_head)
	tail := atomic.LoadUint64(&r.meta.Data_tail)
	size := uint64(len(r.data))
	var rec []byte
	for tail < head {
		hdr := r.copy(tail, 8, nil)
		typ := binary.NativeEndian.Uint32(hdr[0:])
		n := uint64(binary.NativeEndian.Uint16(hdr[6:]))
		if n < 8 || n > size {
			break // a corrupt header: give up on this buffer
		}
		rec = r.copy(tail, n, rec[:0])
		switch typ {
		case unix.PERF_RECORD_SAMPLE:
			s.sample(rec[8:])
		case unix.PERF_RECORD_FORK:
			// pid, ppid, tid, ptid: the new task and the one that made it.
			if len(rec) >= 24 {
				s.forks[binary.NativeEndian.Uint32(rec[16:])] = binary.NativeEndian.Uint32(rec[20:])
			}
		case unix.PERF_RECORD_LOST:
			if len(rec) >= 24 {
				s.lost += int64(binary.NativeEndian.Uint64(rec[16:]))
			}
		}
		tail += n
	}
	atomic.StoreUint64(&r.meta.Data_tail, tail)
}

// copy returns n bytes at ring offset off, unwrapped.
func (r *ring) copy(off, n uint64, buf []byte) []byte {
	size := uint64(len(r.data))
	for i := uint64(0); i < n; i++ {
		buf = append(buf, r.data[(off+i)%size])
	}
	return buf
}

// sample parses PERF_RECORD_SAMPLE for IP|TID|PERIOD|CALLCHAIN: ip, pid,
// tid, period, nr, ips[nr]. The callchain holds context markers
// (PERF_CONTEXT_KERNEL, _USER) before each part.
func (s *Session) sample(b []byte) {
	if len(b) < 32 {
		return
	}
	tid := binary.NativeEndian.Uint32(b[12:])
	if tid == 0 {
		return // the idle task
	}
	period := int64(binary.NativeEndian.Uint64(b[16:]))
	nr := binary.NativeEndian.Uint64(b[24:])
	b = b[32:]
	if uint64(len(b)) < nr*8 {
		return
	}
	var kernel, user []uint64
	ctx := uint64(0)
	for i := uint64(0); i < nr; i++ {
		ip := binary.NativeEndian.Uint64(b[i*8:])
		if int64(ip) < 0 && int64(ip) >= unix.PERF_CONTEXT_MAX { // a context marker, not an address
			ctx = ip
			continue
		}
		switch int64(ctx) {
		case unix.PERF_CONTEXT_KERNEL:
			kernel = append(kernel, ip)
		case unix.PERF_CONTEXT_USER:
			user = append(user, ip)
		}
	}
	key := fmt.Sprint(tid, kernel, user)
	st, ok := s.stacks[key]
	if !ok {
		st = &tidStack{Stack{Kernel: kernel, User: user, Child: tid != uint32(s.tid)}, tid}
		s.stacks[key] = st
	}
	st.Count++
	st.Period += period
}

func onlineCPUs() ([]int, error) {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, fmt.Errorf("kprof: online CPUs: %w", err)
	}
	cpus, err := topology.ParseList(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("kprof: online CPUs: %w", err)
	}
	return cpus, nil
}

func paranoid() string {
	b, err := os.ReadFile("/proc/sys/kernel/perf_event_paranoid")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// Supported reports why Start would fail here, opening and closing one
// event on the calling thread: nil when sampling works.
func Supported() error {
	s, err := Start(unix.Gettid())
	if err != nil {
		return err
	}
	return s.Close()
}

// StartThread is Start on the calling thread, which the caller has
// locked (runtime.LockOSThread) so the tasks it clones are the ones
// followed.
func StartThread() (*Session, error) { return Start(unix.Gettid()) }
