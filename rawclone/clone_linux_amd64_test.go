//go:build linux && amd64

package rawclone

import (
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// childFSBase reads a stopped child's FS base (its TLS pointer on amd64)
// through ptrace.
func childFSBase(t *testing.T, tid int) uint64 {
	t.Helper()
	return childRegs(t, tid).Fs_base
}

// childRegs stops a child with ptrace, reads its registers and lets it go
// on. Every ptrace call must come from the tracer thread, so the goroutine
// stays locked throughout.
func childRegs(t *testing.T, tid int) unix.PtraceRegs {
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
	return regs
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

// With Body.CallRet the loop's blocking read is issued from callsys, one
// CALL deep: the blocked child's stack pointer is one return address below
// its stack top, and that address points back into rawClone's loop. Inline,
// the stack pointer is the top itself. A CLONE_VM child in its own thread
// group, so ptrace may stop it and its stack is ours to read.
func TestCallRetIssuesTheLoopSyscallsThroughACall(t *testing.T) {
	for _, cr := range callRets {
		t.Run("callret="+map[bool]string{false: "off", true: "on"}[cr.on], func(t *testing.T) {
			in, inW := pipe(t)
			_, out := pipe(t)
			task, err := Clone(CloneVM|SIGCHLD, Body{Op: OpPingPong, Mech: MechFD, In: in, Out: out, IOSize: 1,
				N: 1, CPU: NoCPU, CallRet: cr.on}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { task.Kill() })
			top := uint64(task.stack.top())
			// The child is the responder: it blocks in its first read. Wait
			// until it is asleep there, so the registers are the read's.
			deadline := time.Now().Add(waitTimeout)
			for procStatus(t, task.Tid())["State"][0] != 'S' {
				if time.Now().After(deadline) {
					t.Fatal("child never blocked in its read")
				}
				time.Sleep(time.Millisecond)
			}
			regs := childRegs(t, task.Tid())
			want := top
			if cr.on {
				want = top - 8
			}
			if regs.Rsp != want {
				t.Errorf("blocked child's SP %#x, stack top %#x: want %#x", regs.Rsp, top, want)
			}
			if cr.on && regs.Rsp == want {
				mem := task.stack.mem
				off := want - uint64(uintptr(unsafe.Pointer(&mem[0])))
				ret := *(*uint64)(unsafe.Pointer(&mem[off]))
				if f := runtime.FuncForPC(uintptr(ret)); f == nil || !strings.HasSuffix(f.Name(), ".rawClone") {
					t.Errorf("return address %#x on the child's stack is not in rawClone (%v)", ret, f)
				}
			}
			if _, err := unix.Write(inW, []byte{1}); err != nil {
				t.Fatal(err)
			}
			if err := task.Wait(waitTimeout); err != nil {
				t.Fatal(err)
			}
			if got := task.Result().Bytes; got != 1 {
				t.Errorf("child read %d bytes, want 1", got)
			}
		})
	}
}
