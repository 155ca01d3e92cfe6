//go:build linux && amd64

package rawclone

import (
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// childFSBase reads a stopped child's FS base (its TLS pointer on amd64)
// through ptrace. Every ptrace call must come from the tracer thread, so the
// goroutine stays locked throughout.
func childFSBase(t *testing.T, tid int) uint64 {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.PtraceSeize(tid); err != nil {
		t.Fatalf("PTRACE_SEIZE %d: %v", tid, err)
	}
	if err := unix.PtraceInterrupt(tid); err != nil {
		t.Fatalf("PTRACE_INTERRUPT %d: %v", tid, err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(tid, &ws, unix.WALL, nil); err != nil || !ws.Stopped() {
		t.Fatalf("wait4 for the ptrace stop of %d: status %#x, %v", tid, ws, err)
	}
	var regs unix.PtraceRegs
	err := unix.PtraceGetRegs(tid, &regs)
	// Detaching resumes the child; its interrupted read restarts.
	if derr := unix.PtraceDetach(tid); derr != nil {
		t.Fatalf("PTRACE_DETACH %d: %v", tid, derr)
	}
	if err != nil {
		t.Fatalf("PTRACE_GETREGS %d: %v", tid, err)
	}
	return regs.Fs_base
}

// With CLONE_SETTLS the child's FS base is the TLS block Clone prepared
// (first word pointing at itself, as a TCB's does); without, it is not.
// Only children in their own thread group: ptrace refuses our own threads.
func TestSetTLSGivesTheChildItsTLSBlock(t *testing.T) {
	for _, flags := range []Flags{
		ForkFlags | CloneSetTLS, ForkFlags,
		CloneVM | CloneSetTLS | SIGCHLD, CloneVM | SIGCHLD,
	} {
		task, release := blocked(t, flags, Options{})
		block := &task.c.tls
		if task.stack != nil {
			block = task.stack.tlsBlock()
		}
		addr := uint64(uintptr(unsafe.Pointer(block)))
		if block[0] != addr {
			t.Errorf("%v: TLS block at %#x holds %#x, want a pointer to itself", flags, addr, block[0])
		}
		fs := childFSBase(t, task.Tid())
		if got := fs == addr; got != flags.Has(CloneSetTLS) {
			t.Errorf("%v: child's FS base %#x, TLS block %#x: equal %v", flags, fs, addr, got)
		}
		release()
	}
}
