//go:build linux && (amd64 || arm64)

package rawclone

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestSmoke(t *testing.T) {
	for _, f := range []Flags{ThreadFlags, ForkFlags, VforkFlags, CloneVM | SIGCHLD, CloneVM} {
		for _, st := range []StackMode{StackCached, StackFresh} {
			tk, err := Clone(f, Body{CPU: NoCPU}, Options{Stack: st})
			if err != nil {
				t.Fatalf("%v: %v", f, err)
			}
			if err := tk.Wait(5 * time.Second); err != nil {
				t.Fatalf("%v: wait: %v", f, err)
			}
		}
	}
	for _, f := range []Flags{ThreadFlags, ForkFlags} {
		var a, b [2]int
		unix.Pipe2(a[:], unix.O_CLOEXEC)
		unix.Pipe2(b[:], unix.O_CLOEXEC)
		t1, err := Clone(f, Body{Op: OpPingPong, In: a[0], Out: b[1], IOSize: 1, N: 1000, Warmup: 10, Initiator: true, CPU: NoCPU}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t2, err := Clone(f, Body{Op: OpPingPong, In: b[0], Out: a[1], IOSize: 1, N: 1000, Warmup: 10, CPU: NoCPU}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := t1.Wait(5 * time.Second); err != nil {
			t.Fatal(err)
		}
		if err := t2.Wait(5 * time.Second); err != nil {
			t.Fatal(err)
		}
		t.Logf("%v: %+v %v/round; %+v", f, t1.Result(), t1.Result().Elapsed()/1000, t2.Result())
	}
}
