//go:build linux && (amd64 || arm64)

package rawclone

// Waiting for a task: join (thread-group members), reap (the rest), kill.

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/procfs"
)

// Wait joins (thread-group members, through the CHILD_CLEARTID futex) or
// reaps (everything else, through wait4) the task. A task that died by a
// signal, exited non-zero or had a system call fail is an error naming its
// tid. With a timeout > 0 a task still running at the deadline is killed
// and the error wraps os.ErrDeadlineExceeded. Wait after Wait or Kill
// returns the first outcome again.
func (t *Task) Wait(timeout time.Duration) error {
	t.mu.Lock()
	if t.reaping {
		t.mu.Unlock()
		return t.waitOther(timeout)
	}
	t.reaping = true
	t.mu.Unlock()
	return t.finish(timeout, false)
}

// waitOther waits for another goroutine's Wait or Kill to finish the task.
func (t *Task) waitOther(timeout time.Duration) error {
	if timeout <= 0 {
		<-t.done
		return t.err
	}
	tm := time.NewTimer(timeout)
	defer tm.Stop()
	select {
	case <-t.done:
		return t.err
	case <-tm.C:
		t.Kill()
		<-t.done
		return fmt.Errorf("rawclone: task %d: %w", t.tid, os.ErrDeadlineExceeded)
	}
}

// Kill ends the task now and joins or reaps it. A task in its own thread
// group gets SIGKILL; a thread-group member (which SIGKILL would take the
// whole process down with) is asked through its abort word and woken. Kill
// is idempotent and returns nil once the task is gone, whatever its outcome.
func (t *Task) Kill() error {
	t.mu.Lock()
	select {
	case <-t.done:
		t.mu.Unlock()
		return nil
	default:
	}
	t.killed = true
	kerr := t.signalLocked()
	if t.reaping {
		t.mu.Unlock()
		<-t.done
		return kerr
	}
	t.reaping = true
	t.mu.Unlock()
	if err := t.finish(0, true); err != nil && t.leaked {
		return err
	}
	return kerr
}

// signalLocked asks a running task to end; t.mu is held and the task is not
// yet reaped, so its tid cannot have been reused.
func (t *Task) signalLocked() error {
	if !t.threadMember() {
		if err := unix.Kill(t.tid, unix.SIGKILL); err != nil && err != unix.ESRCH {
			return fmt.Errorf("rawclone: kill task %d: %w", t.tid, err)
		}
		return nil
	}
	c := t.c
	atomic.StoreInt32(&c.abort, 1)
	t.kick()
	return nil
}

// kick wakes a thread-group member blocked in its body's wait so that it
// sees the abort word.
func (t *Task) kick() {
	b := t.body
	switch {
	case b.Op == OpBlockRead || (b.Op == OpPingPong && b.Mech == MechFD) || (b.Op == OpLoopback && b.Mech == MechFD):
		kickFD(b.In, int(t.c.iosize))
	case b.Mech == MechFutex && b.Word != nil && b.Word.mem != nil:
		unix.Syscall6(unix.SYS_FUTEX, b.Word.addr(), futexWake, 1<<30, 0, 0, 0)
	}
	// MechYield spins and sees the abort word by itself.
}

// kickFD makes a read on fd return: a byte into a pipe (through a write end
// opened via /proc, since fd is the read end), shutdown for a socket, a
// count for an eventfd.
func kickFD(fd, size int) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return
	}
	buf := make([]byte, 8)
	buf[0] = 1
	if size < 1 || size > 8 {
		size = 8
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFIFO:
		w, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", fd), unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			return
		}
		unix.Write(w, buf[:size])
		unix.Close(w)
	case unix.S_IFSOCK:
		unix.Shutdown(fd, unix.SHUT_RD)
	default:
		unix.Write(fd, buf[:8])
	}
}

// finish joins or reaps the task, records its outcome and releases its
// memory. Only one goroutine runs it (t.reaping).
func (t *Task) finish(timeout time.Duration, killing bool) error {
	var err error
	if t.threadMember() {
		err = t.join(timeout, killing)
	} else {
		err = t.reap(timeout)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err == nil {
		err = t.bodyErr()
	}
	if t.killed && !errors.Is(err, os.ErrDeadlineExceeded) && !t.leaked {
		// The caller asked for the end: its outcome is not a failure.
		err = nil
	}
	if !t.leaked {
		t.res = t.result()
		t.release()
	}
	t.err = err
	close(t.done)
	return err
}

// bodyErr turns what the body stored into an error.
func (t *Task) bodyErr() error {
	c := t.c
	if c == nil {
		return nil
	}
	if c.eof != 0 {
		return fmt.Errorf("rawclone: task %d: %s: end of file", t.tid, syscallName(c.failed))
	}
	if c.errno != 0 {
		return fmt.Errorf("rawclone: task %d: %s: %w", t.tid, syscallName(c.failed), unix.Errno(-c.errno))
	}
	if c.status == 0 {
		return fmt.Errorf("rawclone: task %d ended without finishing its body", t.tid)
	}
	return nil
}

func (t *Task) result() Result {
	c := t.c
	r := Result{
		Rounds: int(c.rounds),
		Bytes:  c.bytes,
	}
	if c.initiator != 0 && c.status == statusDone {
		r.Start = time.Duration(c.start[0])*time.Second + time.Duration(c.start[1])
		r.End = time.Duration(c.end[0])*time.Second + time.Duration(c.end[1])
		r.TicksStart, r.TicksEnd = c.tscStart, c.tscEnd
	}
	if c.status == statusDone && (c.op == int64(OpPingPong) || c.op == int64(OpLoopback)) {
		// ru_nvcsw and ru_nivcsw are the 17th and 18th longs of struct rusage.
		r.Nvcsw = c.ruEnd[16] - c.ruStart[16]
		r.Nivcsw = c.ruEnd[17] - c.ruStart[17]
	}
	return r
}

// join waits for a thread-group member's CHILD_CLEARTID word to be cleared
// (the kernel does it, with a futex wake, once the task no longer uses its
// memory).
func (t *Task) join(timeout time.Duration, killing bool) error {
	c := t.c
	if killing && timeout <= 0 {
		timeout = defaultKillGrace
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	if t.flags&CloneChildClearTID == 0 {
		return t.pollJoin(deadline)
	}
	addr := uintptr(unsafe.Pointer(&c.tid))
	for {
		v := atomic.LoadInt32(&c.tid)
		if v == 0 {
			return nil
		}
		var tsp uintptr
		var ts unix.Timespec
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return t.joinTimeout(deadline, killing)
			}
			ts = unix.NsecToTimespec(int64(left))
			tsp = uintptr(unsafe.Pointer(&ts))
		}
		// syscall.Syscall6, not Raw: this blocks, so the runtime must know.
		_, _, e := syscall.Syscall6(unix.SYS_FUTEX, addr, futexWait, uintptr(uint32(v)), tsp, 0, 0)
		switch e {
		case 0, unix.EAGAIN, unix.EINTR, unix.ETIMEDOUT:
		default:
			return fmt.Errorf("rawclone: join task %d: futex: %w", t.tid, e)
		}
	}
}

// joinTimeout handles a thread-group member still running at the deadline:
// ask it to abort and give it a grace period; if it still runs, its memory
// is leaked rather than reused under it.
func (t *Task) joinTimeout(deadline time.Time, killing bool) error {
	if !killing {
		t.mu.Lock()
		t.killed = true
		t.signalLocked()
		t.mu.Unlock()
		if err := t.join(defaultKillGrace, true); err == nil {
			return fmt.Errorf("rawclone: task %d: %w", t.tid, os.ErrDeadlineExceeded)
		}
	}
	t.mu.Lock()
	t.leaked = true
	t.mu.Unlock()
	return fmt.Errorf("rawclone: task %d (a thread of ours) did not end after abort; its stack and control block are leaked: %w", t.tid, os.ErrDeadlineExceeded)
}

// pollJoin joins a thread-group member cloned without CHILD_CLEARTID: no
// word tells us it is gone, so ask the kernel whether the tid still exists.
func (t *Task) pollJoin(deadline time.Time) error {
	err := released(t.tid, deadline)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return t.joinTimeout(deadline, t.killed)
	}
	return err
}

// Gone waits, after Wait or Kill, until the kernel has released the task.
// A join ends when do_exit clears the CHILD_CLEARTID word (in exit_mm), as
// pthread_join's does; the task then still runs the rest of do_exit, so for
// a moment it is in /proc/self/task (state R, PF_EXITING). A reaped child
// is released by the wait4 that reaped it. Timed joins do not wait for
// this; a run's teardown does, so that no task of the run outlives it.
func (t *Task) Gone(timeout time.Duration) error {
	<-t.done
	if !t.threadMember() {
		return nil
	}
	if t.leaked {
		return fmt.Errorf("rawclone: task %d was leaked: it may still run", t.tid)
	}
	return released(t.tid, time.Now().Add(timeout))
}

// released waits until tid, a thread of ours, is released by the kernel:
// tgkill(2) with signal 0 says ESRCH once the task is unhashed, which is
// when /proc stops listing it. A zero deadline waits as long as it takes.
func released(tid int, deadline time.Time) error {
	pid := unix.Getpid()
	sleep := 10 * time.Microsecond
	for spin := 0; ; spin++ {
		err := unix.Tgkill(pid, tid, 0)
		if err == unix.ESRCH {
			return nil
		}
		if err != nil {
			return fmt.Errorf("rawclone: task %d: tgkill(0): %w", tid, err)
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			return fmt.Errorf("rawclone: task %d still exists: %w", tid, os.ErrDeadlineExceeded)
		}
		if spin < 100 {
			// An exiting thread has microseconds of do_exit left: yield
			// rather than sleep, so that the measuring thread is not
			// parked and moved.
			unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0)
			continue
		}
		time.Sleep(sleep)
		if sleep < 5*time.Millisecond {
			sleep *= 2
		}
	}
}

// SettleExiting waits until no thread of ours is in do_exit: threads are
// joined at their CHILD_CLEARTID word, so any of a batch may still be
// finishing do_exit when the batch's last join returns. Loop calls it for
// its threads; a caller that timed Clone and Wait itself calls it after.
func SettleExiting(timeout time.Duration) error {
	tids, err := procfs.Exiting()
	if err != nil {
		return fmt.Errorf("rawclone: settle exiting threads: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for _, tid := range tids {
		if err := released(tid, deadline); err != nil {
			return err
		}
	}
	return nil
}

// reap waits for a task with its own thread group with wait4(__WALL): __WALL
// because a CLONE_VM child may have no exit signal at all.
func (t *Task) reap(timeout time.Duration) error {
	var timedOut atomic.Bool
	if timeout > 0 {
		// A timer rather than polling keeps the common path one blocking
		// wait4, as cheap as the caller's own would be.
		tm := time.AfterFunc(timeout, func() {
			t.mu.Lock()
			defer t.mu.Unlock()
			select {
			case <-t.done:
				return
			default:
			}
			timedOut.Store(true)
			t.killed = true
			t.signalLocked()
		})
		defer tm.Stop()
	}
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(t.tid, &ws, unix.WALL, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			t.leaked = true
			return fmt.Errorf("rawclone: reap task %d: wait4: %w", t.tid, err)
		}
		break
	}
	if timedOut.Load() {
		return fmt.Errorf("rawclone: task %d: %w", t.tid, os.ErrDeadlineExceeded)
	}
	switch {
	case ws.Signaled():
		err := fmt.Errorf("rawclone: task %d killed by signal %v (%d)", t.tid, signalName(int(ws.Signal())), int(ws.Signal()))
		if be := t.bodyErr(); be != nil && t.c.status == 0 && (t.c.errno != 0 || t.c.eof != 0) {
			err = fmt.Errorf("%w (after %v)", err, be)
		}
		return err
	case ws.Exited() && ws.ExitStatus() != 0:
		if be := t.bodyErr(); be != nil {
			return fmt.Errorf("%w (exit status %d)", be, ws.ExitStatus())
		}
		return fmt.Errorf("rawclone: task %d exited with status %d", t.tid, ws.ExitStatus())
	}
	return nil
}
