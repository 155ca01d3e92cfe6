//go:build linux && (amd64 || arm64)

package rawclone

import "unsafe"

// Loop3 is Loop with clone3: n ops of clone3(c) → the child exits (after
// its ChildWrite, if any) → join or reap, in the same assembly loop with
// the same counter readings, so a Loop3 row and a Loop row with the same
// flags differ by the system call alone. Thread-style children run on the
// cached stack, passed as clone_args' stack and stack_size.
func (cl *Cloner) Loop3(c Clone3, n int) (LoopResult, error) {
	return cl.loop(c.Flags, n, Options{}, -1, 0, &c)
}

// fill writes c's clone_args into l, after loop has set l's stack, tls and
// tid word.
func (c *Clone3) fill(l *loopCtl) {
	l.sys3 = 1
	a := &l.cargs
	*a = cloneArgs{}
	a.flags = uint64(c.Flags &^ SignalMask)
	a.exitSignal = uint64(c.Flags & SignalMask)
	tid := uint64(uintptr(unsafe.Pointer(&l.tid)))
	if c.Flags&CloneParentSetTID != 0 {
		a.parentTID = tid
	}
	if c.Flags&(CloneChildSetTID|CloneChildClearTID) != 0 {
		a.childTID = tid
	}
	if c.Flags&ClonePidfd != 0 {
		a.pidfd = uint64(uintptr(unsafe.Pointer(&l.pidfd)))
		l.closePidfd = 1
	}
	if c.Flags&CloneSetTLS != 0 {
		a.tls = uint64(l.tls)
	}
	if l.stack != 0 {
		// clone3 wants the lowest address and the size; the child's
		// stack pointer starts at their sum, as clone's does at stack.
		const size = 4096
		a.stack = uint64(l.stack) - size
		a.stackSize = size
	}
	if c.IntoCgroup {
		a.flags |= cloneIntoCgroup
		a.cgroup = uint64(c.Cgroup)
	}
	if c.WaitPidfd {
		l.join = joinPidfd
	}
	if c.ChildWrite >= 0 {
		l.childWrite = 1
		l.childFD = int64(c.ChildWrite)
	}
	l.childByte = '0'
}
