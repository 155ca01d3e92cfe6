//go:build linux && (amd64 || arm64)

package rawclone

import (
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A cgo-free test binary has no rseq registration on any thread unless a
// test makes one; under -race or external linking glibc registers one on
// every thread. A fork-style child inherits whatever its cloning thread
// has, so the tests ask the kernel (threadHasRSeq) rather than assume.

// threadHasRSeq reports whether the calling (locked) thread already has an
// rseq registration: registering a probe area then fails with EINVAL (the
// kernel's answer for "another area is registered"); if it succeeds, the
// probe is unregistered at once.
func threadHasRSeq(t *testing.T) bool {
	t.Helper()
	// A page of its own: rseq wants 32-byte alignment, and the probe must
	// not move while registered.
	mem, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	probe := (*rseqArea)(unsafe.Pointer(&mem[0]))
	probe.cpuID = rseqCPUIDUninit
	addr := uintptr(unsafe.Pointer(probe))
	_, _, e := unix.RawSyscall6(unix.SYS_RSEQ, addr, rseqLen, 0, rseqSig, 0, 0)
	switch e {
	case 0:
		const rseqFlagUnregister = 1
		if _, _, e := unix.RawSyscall6(unix.SYS_RSEQ, addr, rseqLen, rseqFlagUnregister, rseqSig, 0, 0); e != 0 {
			t.Fatalf("rseq unregister of the probe: %v", e)
		}
		return false
	case unix.EINVAL:
		return true
	}
	t.Fatalf("rseq probe: %v", e)
	return false
}

// sleepingInRead waits until task is asleep (blocked in its OpBlockRead), so
// every return to user it made before blocking is behind it.
func sleepingInRead(t *testing.T, task *Task) {
	t.Helper()
	for deadline := time.Now().Add(waitTimeout); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if strings.HasPrefix(procStatus(t, task.Tid())["State"], "S") {
			return
		}
	}
	t.Fatalf("task %d never blocked in its read", task.Tid())
}

func TestRSeqRegistersTheArea(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags Flags
		rseq  bool
	}{
		{"thread", ThreadFlags, true},
		{"process", ForkFlags, true},
		{"thread/no-rseq", ThreadFlags, false},
		{"process/no-rseq", ForkFlags, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			// A fork-style child keeps the cloning thread's registration
			// (its own rseq then says EINVAL); CLONE_VM clears it.
			inherits := tc.flags&CloneVM == 0 && threadHasRSeq(t)
			r, w := pipe(t)
			task, err := Clone(tc.flags, Body{Op: OpBlockRead, In: r, RSeq: tc.rseq, CPU: 0}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { task.Kill() })
			c := task.c
			// A registered area gets the task's CPU (0, where it is pinned)
			// in cpu_id on the return from rseq(2) itself; an unregistered
			// one is never written.
			sleepingInRead(t, task)
			got := atomic.LoadUint32(&c.rseq.cpuID)
			want := uint32(rseqCPUIDUninit)
			if tc.rseq && !inherits {
				want = 0
			}
			if got != want {
				t.Errorf("%v child with RSeq %v (inherits a registration: %v): area's cpu_id = %#x, want %#x", tc.flags, tc.rseq, inherits, got, want)
			}
			wantKept := int64(0)
			if tc.rseq && inherits {
				wantKept = -int64(unix.EINVAL)
			}
			if k := atomic.LoadInt64(&c.rseqKept); k != wantKept {
				t.Errorf("%v child (inherits a registration: %v): rseq returned %d, want %d", tc.flags, inherits, k, wantKept)
			}
			if _, err := unix.Write(w, []byte{1}); err != nil {
				t.Fatal(err)
			}
			if err := task.Wait(waitTimeout); err != nil {
				t.Fatalf("%v child: %v", tc.flags, err)
			}
		})
	}
}

// TestRSeqKeepsAnInheritedRegistration registers an area on the cloning
// thread, as glibc does on every thread of a cgo binary: a fork-style child
// inherits it, rseq(2) on its own area fails with EINVAL, and the child
// goes on with the inherited one, which the kernel keeps writing.
func TestRSeqKeepsAnInheritedRegistration(t *testing.T) {
	// MAP_SHARED, so that what the kernel writes into the child's copy is
	// what we read; page-aligned, so 32-byte aligned.
	mem, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	area := (*rseqArea)(unsafe.Pointer(&mem[0]))
	area.cpuID = rseqCPUIDUninit
	addr := uintptr(unsafe.Pointer(area))

	done := make(chan struct{})
	go func() {
		defer close(done)
		// Locked and never unlocked unless the registration is undone: the
		// thread dies with the goroutine otherwise, and its rseq with it.
		runtime.LockOSThread()
		if threadHasRSeq(t) {
			// glibc's registration (cgo, -race, external linking) is
			// the one the child inherits; we cannot read its area, so
			// check what the kernel says to the child's own rseq.
			defer runtime.UnlockOSThread()
			r, w := pipe(t)
			task, err := Clone(ForkFlags, Body{Op: OpBlockRead, In: r, RSeq: true, CPU: 0}, Options{})
			if err != nil {
				t.Error(err)
				return
			}
			defer task.Kill()
			sleepingInRead(t, task)
			if k := atomic.LoadInt64(&task.c.rseqKept); k != -int64(unix.EINVAL) {
				t.Errorf("child of a thread with glibc's registration: rseq returned %d, want %d (EINVAL)", k, -int64(unix.EINVAL))
			}
			if _, err := unix.Write(w, []byte{1}); err != nil {
				t.Error(err)
				return
			}
			if err := task.Wait(waitTimeout); err != nil {
				t.Error(err)
			}
			return
		}
		if _, _, e := unix.RawSyscall6(unix.SYS_RSEQ, addr, rseqLen, 0, rseqSig, 0, 0); e != 0 {
			t.Errorf("rseq register on the cloning thread: %v", e)
			return
		}
		r, w := pipe(t)
		task, err := Clone(ForkFlags, Body{Op: OpBlockRead, In: r, RSeq: true, CPU: 0}, Options{})
		// Our thread's registration goes now, so that from here only the
		// child writes the area.
		const rseqFlagUnregister = 1
		if _, _, e := unix.RawSyscall6(unix.SYS_RSEQ, addr, rseqLen, rseqFlagUnregister, rseqSig, 0, 0); e != 0 {
			t.Errorf("rseq unregister on the cloning thread: %v", e)
		} else {
			defer runtime.UnlockOSThread()
		}
		if err != nil {
			t.Error(err)
			return
		}
		defer task.Kill()
		sleepingInRead(t, task)
		c := task.c
		if k := atomic.LoadInt64(&c.rseqKept); k != -int64(unix.EINVAL) {
			t.Errorf("child with an inherited registration: rseq returned %d, want %d (EINVAL)", k, -int64(unix.EINVAL))
		}
		if got := atomic.LoadUint32(&c.rseq.cpuID); got != rseqCPUIDUninit {
			t.Errorf("child with an inherited registration: its own area's cpu_id = %#x, want it never written", got)
		}
		// The read's wake-up follows a switch, after which the kernel
		// rewrites cpu_id of the child's registered area.
		atomic.StoreUint32(&area.cpuID, rseqCPUIDUninit)
		if _, err := unix.Write(w, []byte{1}); err != nil {
			t.Error(err)
			return
		}
		if err := task.Wait(waitTimeout); err != nil {
			t.Errorf("child with an inherited registration: %v", err)
			return
		}
		if got := atomic.LoadUint32(&area.cpuID); got != 0 {
			t.Errorf("inherited area's cpu_id after the child ran on CPU 0 = %#x, want 0", got)
		}
	}()
	<-done
}

func TestRSeqRefusedIsAnError(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The filter stays on this thread, which dies with the goroutine.
		runtime.LockOSThread()
		// Refuse rseq, which the Go runtime of a cgo-free binary never calls.
		prog := []unix.SockFilter{
			{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // seccomp_data.nr
			{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: unix.SYS_RSEQ, Jt: 1, Jf: 0},
			{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
			{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
		}
		if err := seccompThisThread(prog); err != nil {
			t.Error(err)
			return
		}
		for _, flags := range []Flags{ThreadFlags, ForkFlags} {
			for _, rseq := range []bool{false, true} {
				task, err := Clone(flags, Body{RSeq: rseq, CPU: NoCPU}, Options{})
				if err != nil {
					t.Errorf("Clone(%v): %v", flags, err)
					continue
				}
				err = task.Wait(waitTimeout)
				switch {
				case !rseq && err != nil:
					t.Errorf("%v child without RSeq under a filter refusing rseq: %v", flags, err)
				case rseq && (!errors.Is(err, unix.EPERM) || !strings.Contains(err.Error(), "rseq")):
					t.Errorf("%v child with RSeq under a filter refusing rseq: Wait = %v, want an error naming rseq and wrapping EPERM", flags, err)
				}
			}
		}
	}()
	<-done
}
