//go:build linux && (amd64 || arm64)

package rawclone

// MinimalForkLoop: fork's floor, forked from a process that unmapped
// everything of Go but the loop.

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// minimal is a MinimalForkLoop in progress: the area and stack its child
// keeps, and the child.
type minimal struct {
	area     []byte // MAP_SHARED: loopCtl, gap list, ticks
	stack    []byte
	l        *loopCtl
	pid      int
	n        int
	ticksOff uintptr
	fp       Footprint
}

// Room for the gap list: one gap before each kept range and a few
// candidates for the last one.
const minMaxGaps = 64

// MinimalForkLoop measures the kernel's fork for a minimal process, the
// figure a C program's fork+waitpid is compared with: fork from the Go
// process copies Go's heap arenas and its hundred-odd mappings, which is
// Go's cost, not fork's. The Cloner clones (through a go-between, see
// minGoBetweenFlags) a fork-style child of ours whose assembly body munmaps everything it inherited except the loop's own text
// pages, one MAP_SHARED area (inputs, tick readings, status), a small
// stack and the kernel's special mappings ([vdso], [vvar], …: every
// process has them from exec and a C program's fork copies them too, so
// unmapping them would set a floor below any real program's). It then runs
// n ops of fork (ForkFlags) → grandchild exit_group → wait4 as Loop does,
// and exits; the parent reaps it and converts the readings. The child makes
// raw system calls only. It unmaps gaps between the kept ranges rather than
// a list of Go's mappings, so a mapping the runtime makes between the
// parent's look at /proc/self/maps and the clone goes too.
func (cl *Cloner) MinimalForkLoop(n int) (LoopResult, Footprint, error) {
	m, err := cl.startMinimal(n, -1)
	if err != nil {
		return LoopResult{}, Footprint{}, err
	}
	res, err := m.finish()
	return res, m.fp, err
}

func (cl *Cloner) startMinimal(n int, holdFD int) (*minimal, error) {
	return cl.startMinimalWith(n, holdFD, nil)
}

// startMinimalWith clones the minimal child; edit (a test hook) may change
// its inputs first.
func (cl *Cloner) startMinimalWith(n int, holdFD int, edit func(l *loopCtl, gaps [][3]uint64)) (*minimal, error) {
	if cl.closed {
		return nil, errors.New("rawclone: MinimalForkLoop on a closed Cloner")
	}
	if n <= 0 {
		return nil, fmt.Errorf("rawclone: MinimalForkLoop of %d ops: need at least one", n)
	}
	if err := counterCheck(); err != nil {
		return nil, err
	}
	text, err := loopText()
	if err != nil {
		return nil, err
	}
	page := uintptr(unix.Getpagesize())
	hdr := (unsafe.Sizeof(loopCtl{}) + 63) &^ 63
	gapsOff := hdr
	ticksOff := (gapsOff + minMaxGaps*24 + 63) &^ 63
	size := (ticksOff + uintptr(n+1)*8 + page - 1) &^ (page - 1)
	area, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("rawclone: MinimalForkLoop: mmap shared area: %w", err)
	}
	stk, err := unix.Mmap(-1, 0, 4*int(page), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_STACK)
	if err != nil {
		unix.Munmap(area)
		return nil, fmt.Errorf("rawclone: MinimalForkLoop: mmap stack: %w", err)
	}
	m := &minimal{area: area, stack: stk, n: n, ticksOff: ticksOff}
	base := uintptr(unsafe.Pointer(&area[0]))
	stackBase := uintptr(unsafe.Pointer(&stk[0]))
	keep := []Mapping{
		text,
		{base, base + size, "shared"},
		{stackBase, stackBase + uintptr(len(stk)), "stack"},
	}
	special, err := specialMappings()
	if err != nil {
		m.free()
		return nil, err
	}
	keep = append(keep, special...)
	gaps, err := gapsAround(keep, page)
	if err != nil {
		m.free()
		return nil, err
	}
	if len(gaps) > minMaxGaps {
		m.free()
		return nil, fmt.Errorf("rawclone: MinimalForkLoop: %d gaps to unmap, room for %d", len(gaps), minMaxGaps)
	}
	g := unsafe.Slice((*[3]uint64)(unsafe.Pointer(&area[gapsOff])), len(gaps))
	copy(g, gaps)
	m.fp.Kept = keep
	m.fp.Mappings = len(keep)
	for _, k := range keep {
		m.fp.Bytes += int64(k.End - k.Start)
	}

	// A page of the Go heap, which the child's unmaps take away.
	probe := new([2 * 4096]byte)
	probePage := (uintptr(unsafe.Pointer(&probe[0])) + page - 1) &^ (page - 1)

	l := (*loopCtl)(unsafe.Pointer(&area[0]))
	m.l = l
	l.mode = loopModeMinimal
	l.flags = uint64(ForkFlags)
	l.exitNr = sysExitGroup
	l.join = joinWait4
	l.n = int64(n)
	l.ticks = base + ticksOff
	l.failAt = -1
	l.minStack = (stackBase + uintptr(len(stk))) &^ 15
	l.gaps = base + gapsOff
	l.ngaps = int64(len(gaps))
	l.ppid = int64(os.Getpid())
	l.probe = probePage
	l.holdFD = int64(holdFD)
	l.textStart, l.textEnd = text.Start, text.End
	l.probeBefore, l.probeAfter = 1, 1
	if edit != nil {
		edit(l, g)
	}

	l.minPid = 0
	r := runLoop(base)
	runtime.KeepAlive(probe)
	if r < 0 {
		m.free()
		return nil, fmt.Errorf("rawclone: MinimalForkLoop: clone go-between (%v): %w", minGoBetweenFlags, unix.Errno(-r))
	}
	// The go-between has exited (VFORK): reap it.
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(r, &ws, unix.WALL, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			// The minimal child, if any, runs on: leave its area be.
			return nil, fmt.Errorf("rawclone: MinimalForkLoop: reap go-between %d: wait4: %w", r, err)
		}
		break
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		return nil, fmt.Errorf("rawclone: MinimalForkLoop: go-between %d ended with %s", r, waitStatusString(ws))
	}
	if l.minPid <= 0 {
		m.free()
		return nil, fmt.Errorf("rawclone: MinimalForkLoop: clone(%v): %w", minChildFlags, unix.Errno(-l.minPid))
	}
	m.pid = int(l.minPid)
	return m, nil
}

// finish reaps the minimal child and reads what it measured.
func (m *minimal) finish() (LoopResult, error) {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(m.pid, &ws, unix.WALL, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			// Not ours to reap any more: leave the area mapped, the
			// child may still write it.
			return LoopResult{}, fmt.Errorf("rawclone: MinimalForkLoop: reap child %d: wait4: %w", m.pid, err)
		}
		break
	}
	defer m.free()
	l := m.l
	if !ws.Exited() || ws.ExitStatus() != minExitOK {
		return LoopResult{}, m.childErr(ws)
	}
	if l.done != int64(m.n) {
		return LoopResult{}, fmt.Errorf("rawclone: MinimalForkLoop: child %d exited 0 after %d of %d ops", m.pid, l.done, m.n)
	}
	ticks := make([]uint64, m.n+1)
	copy(ticks, unsafe.Slice((*uint64)(unsafe.Pointer(&m.area[m.ticksOff])), m.n+1))
	return convertTicks(ticks, l.mono0, l.mono1)
}

// childErr says what stopped the minimal child.
func (m *minimal) childErr(ws unix.WaitStatus) error {
	l := m.l
	pre := fmt.Sprintf("rawclone: MinimalForkLoop: child %d", m.pid)
	if !ws.Exited() {
		return fmt.Errorf("%s ended with %s", pre, waitStatusString(ws))
	}
	switch ws.ExitStatus() {
	case minExitOrphan:
		return fmt.Errorf("%s: its parent died before PR_SET_PDEATHSIG took", pre)
	case minExitPrctl:
		return fmt.Errorf("%s: prctl(PR_SET_PDEATHSIG): %w", pre, unix.Errno(-l.errno))
	case minExitMunmap:
		return fmt.Errorf("%s: munmap(%#x, %#x): %w", pre, l.failArg[0], l.failArg[1], unix.Errno(-l.errno))
	case minExitHold:
		return fmt.Errorf("%s: read hold fd: %w", pre, unix.Errno(-l.errno))
	case minExitLoop:
		return l.loopErr(pre+": fork loop", m.n)
	}
	return fmt.Errorf("%s: exit status %d", pre, ws.ExitStatus())
}

func (m *minimal) free() {
	if m.area != nil {
		unix.Munmap(m.area)
		m.area = nil
	}
	if m.stack != nil {
		unix.Munmap(m.stack)
		m.stack = nil
	}
}

// loopText is the page-rounded range of loopAsm's code: the minimal child
// executes nothing else.
var loopText = sync.OnceValues(func() (Mapping, error) {
	entry := loopAsmPC()
	f := runtime.FuncForPC(entry)
	if f == nil || f.Entry() != entry {
		return Mapping{}, fmt.Errorf("rawclone: MinimalForkLoop: no function at loopAsm's entry %#x", entry)
	}
	end := entry
	for {
		g := runtime.FuncForPC(end)
		if g == nil || g.Entry() != entry {
			break
		}
		end++
	}
	page := uintptr(unix.Getpagesize())
	return Mapping{entry &^ (page - 1), (end + page - 1) &^ (page - 1), "text"}, nil
})

// specialMappings are the kernel's [vdso], [vvar] and kin in /proc/self/maps,
// which the minimal child keeps. [vsyscall] lies above user space, where
// munmap does not reach, so it is no gap's concern and not listed.
func specialMappings() ([]Mapping, error) {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil, fmt.Errorf("rawclone: MinimalForkLoop: %w", err)
	}
	var out []Mapping
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		name := f[5]
		if !strings.HasPrefix(name, "[v") || name == "[vsyscall]" {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		s, err1 := strconv.ParseUint(lo, 16, 64)
		e, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("rawclone: MinimalForkLoop: /proc/self/maps line %q", line)
		}
		out = append(out, Mapping{uintptr(s), uintptr(e), name})
	}
	return out, nil
}

// gapsAround lists the {start, len, einvalOK} ranges to munmap so that
// only keep is left: every gap between kept ranges from address 0 up, then
// from the last one to the top of user space. That top depends on the
// kernel (47- or 56-bit on amd64, 39 to 52 bits on arm64) and munmap says
// EINVAL past it, so the last gap is tried against each candidate top,
// highest first, with EINVAL accepted; the first that takes covers the rest.
func gapsAround(keep []Mapping, page uintptr) ([][3]uint64, error) {
	ks := append([]Mapping(nil), keep...)
	sort.Slice(ks, func(i, j int) bool { return ks[i].Start < ks[j].Start })
	var gaps [][3]uint64
	at := uintptr(0)
	for _, k := range ks {
		if k.Start%page != 0 || k.End%page != 0 || k.End <= k.Start {
			return nil, fmt.Errorf("rawclone: MinimalForkLoop: kept range %s %#x-%#x is not whole pages", k.Name, k.Start, k.End)
		}
		if k.Start > at {
			gaps = append(gaps, [3]uint64{uint64(at), uint64(k.Start - at), 0})
		}
		if k.End > at {
			at = k.End
		}
	}
	any := false
	for _, top := range userTops {
		if uint64(at) < top {
			gaps = append(gaps, [3]uint64{uint64(at), top - uint64(at), 1})
			any = true
		}
	}
	if !any {
		return nil, fmt.Errorf("rawclone: MinimalForkLoop: kept range ends at %#x, above every user-space top", at)
	}
	return gaps, nil
}
