//go:build linux

package workloads

// The mode=goroutine pipe rows: two goroutines locked to OS threads doing
// blocking syscall.Read/Write on raw pipe fds, and their overhead.

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/rawclone"
)

// goSide is what one goroutine of a mode=goroutine pipe row recorded.
type goSide struct {
	start, end time.Time
	ru0, ru1   rusageCounts
	bytes      int64
	err        error
}

// runGoroutinePipe ping-pongs one byte over two pipes between two
// goroutines, each locked to its own OS thread, with blocking raw
// syscall.Read/Write: real kernel sleeps, not the netpoller.
func runGoroutinePipe(s switchSpec, n int) (res Result, err error) {
	initCPU, respCPU, err := switchPlacement(s.cpu)
	if err != nil {
		return res, err
	}
	var r switchRig
	defer r.releaseInto(&err)
	aR, aW, err := r.pipe()
	if err != nil {
		return res, err
	}
	bR, bW, err := r.pipe()
	if err != nil {
		return res, err
	}
	warm := switchWarmup(n)
	// If one side fails, the other must not stay blocked in read.
	var abort sync.Once
	stop := func() { abort.Do(func() { goPipeAbort(aW, bW) }) }
	var ini, resp goSide
	var wg sync.WaitGroup
	wg.Add(2)
	go goPingPongSide(&wg, &resp, false, aR, bW, respCPU, n, warm, stop)
	go goPingPongSide(&wg, &ini, true, bR, aW, initCPU, n, warm, stop)
	wg.Wait()
	if err := errors.Join(ini.err, resp.err); err != nil {
		return res, fmt.Errorf("%s: %w", s.name(), err)
	}
	for _, sd := range []struct {
		who string
		b   int64
	}{{"initiator", ini.bytes}, {"responder", resp.bytes}} {
		if want := int64(n + warm); sd.b != want {
			return res, fmt.Errorf("%s: %s read %d bytes, want %d", s.name(), sd.who, sd.b, want)
		}
	}
	ov, err := goPipeLoopback(switchLoopbackN(n), initCPU)
	if err != nil {
		return res, err
	}
	return switchResult(switchSides{
		n: n, elapsed: ini.end.Sub(ini.start),
		nvcsw:         ini.ru1.nvcsw - ini.ru0.nvcsw + resp.ru1.nvcsw - resp.ru0.nvcsw,
		nivcsw:        ini.ru1.nivcsw - ini.ru0.nivcsw + resp.ru1.nivcsw - resp.ru0.nivcsw,
		overheadPerOp: ov, overheadMeasure: true,
	})
}

// goPipeAbort wakes a goroutine blocked reading a pipe whose write end is
// fd: a pipe with no writer left reads as end of file. Closing fd would
// free its number for reuse by another goroutine while the peer may still
// write to it, so instead fd is re-pointed (dup3) at the read end of a
// fresh pipe: the number stays ours until release closes it, the real
// writer is gone, and a peer's write to it fails with EBADF.
func goPipeAbort(fds ...int) {
	for _, fd := range fds {
		var p [2]int
		if unix.Pipe2(p[:], unix.O_CLOEXEC) != nil {
			continue
		}
		unix.Dup3(p[0], fd, unix.O_CLOEXEC)
		unix.Close(p[0])
		unix.Close(p[1])
	}
}

// pinThread locks the calling goroutine to its OS thread and, unless cpu
// is NoCPU, pins the thread to cpu. The returned function puts the
// thread's affinity back and unlocks it; if the affinity cannot be put
// back the thread stays locked, so it exits with the goroutine rather than
// serve other goroutines pinned. (Threads are not left to exit needlessly:
// a forked rawclone child gets SIGKILL when the thread that cloned it
// exits.)
func pinThread(cpu int) (unpin func(), err error) {
	runtime.LockOSThread()
	if cpu == rawclone.NoCPU {
		return runtime.UnlockOSThread, nil
	}
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return func() {}, fmt.Errorf("pin to CPU %d: sched_getaffinity: %w", cpu, err)
	}
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return runtime.UnlockOSThread, fmt.Errorf("pin to CPU %d: %w", cpu, err)
	}
	return func() {
		if unix.SchedSetaffinity(0, &old) == nil {
			runtime.UnlockOSThread()
		}
	}, nil
}

// goPingPongSide is one goroutine of runGoroutinePipe, on a locked thread
// (so that getrusage(RUSAGE_THREAD) counts this side's switches alone).
func goPingPongSide(wg *sync.WaitGroup, sd *goSide, initiator bool, in, out, cpu, n, warm int, stop func()) {
	defer wg.Done()
	fail := func(err error) {
		sd.err = err
		stop()
	}
	unpin, err := pinThread(cpu)
	defer unpin()
	if err != nil {
		fail(err)
		return
	}
	who := "responder"
	if initiator {
		who = "initiator"
	}
	buf := []byte{1}
	for i := range n + warm {
		if i == warm {
			ru, err := threadRusage()
			if err != nil {
				fail(err)
				return
			}
			sd.ru0 = ru
			sd.start = time.Now()
		}
		if initiator {
			if err := goWrite(out, buf); err != nil {
				fail(fmt.Errorf("%s: round %d: %w", who, i, err))
				return
			}
		}
		m, err := goRead(in, buf)
		if err != nil {
			fail(fmt.Errorf("%s: round %d: %w", who, i, err))
			return
		}
		sd.bytes += int64(m)
		if !initiator {
			if err := goWrite(out, buf); err != nil {
				fail(fmt.Errorf("%s: round %d: %w", who, i, err))
				return
			}
		}
	}
	sd.end = time.Now()
	ru, err := threadRusage()
	if err != nil {
		fail(err)
		return
	}
	sd.ru1 = ru
}

// goRead is syscall.Read (a blocking read(2) between entersyscall and
// exitsyscall) retried on EINTR; end of file is an error.
func goRead(fd int, b []byte) (int, error) {
	for {
		m, err := syscall.Read(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("read fd %d: %w", fd, err)
		}
		if m == 0 {
			return 0, fmt.Errorf("read fd %d: partner gone (end of file)", fd)
		}
		return m, nil
	}
}

func goWrite(fd int, b []byte) error {
	for {
		_, err := syscall.Write(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("write fd %d: %w", fd, err)
		}
		return nil
	}
}

// goPipeLoopback is the goroutine pipe row's overhead: syscall.Write then
// syscall.Read of one byte on one pipe, on a locked thread pinned like the
// initiator.
func goPipeLoopback(n, cpu int) (perOp time.Duration, err error) {
	var r switchRig
	defer r.releaseInto(&err)
	rd, wr, err := r.pipe()
	if err != nil {
		return 0, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var unpin func()
		unpin, err = pinThread(cpu)
		defer unpin()
		if err != nil {
			err = fmt.Errorf("overhead: %w", err)
			return
		}
		buf := []byte{1}
		start := time.Now()
		for range n {
			if err = goWrite(wr, buf); err != nil {
				return
			}
			if _, err = goRead(rd, buf); err != nil {
				return
			}
		}
		perOp = time.Since(start) / time.Duration(n)
	}()
	<-done
	return perOp, err
}
