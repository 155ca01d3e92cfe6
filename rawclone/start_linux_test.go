//go:build linux && (amd64 || arm64)

package rawclone

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func monoNow(t *testing.T) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		t.Error(err)
	}
	return time.Duration(ts.Nano())
}

// TestLoopFrom: loops behind one start line run only once every one has
// arrived (none starts before the last caller reached LoopFrom), each on
// its own Cloner, and leave no task behind; a loop that fails before it
// starts still arrives, so the others run.
func TestLoopFrom(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags Flags
		bad   int // this loop asks for 0 ops and fails; -1: none
	}{
		{"fork", ForkFlags, -1},
		{"thread", ThreadFlags, -1},
		{"vfork", VforkFlags, -1},
		{"one fails", ThreadFlags, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := loopBaseline(t)
			const loops, ops = 3, 4
			st := NewStart(loops)
			var wg sync.WaitGroup
			called := make([]time.Duration, loops)
			res := make([]LoopResult, loops)
			errs := make([]error, loops)
			for i := range loops {
				wg.Add(1)
				go func() {
					defer wg.Done()
					cl, err := NewCloner()
					if err != nil {
						errs[i] = err
						st.Withdraw() // keep the others from spinning for ever
						return
					}
					defer cl.Close()
					if i == loops-1 {
						time.Sleep(20 * time.Millisecond) // the late one
					}
					n := ops
					if i == tc.bad {
						n = 0
					}
					called[i] = monoNow(t)
					res[i], errs[i] = cl.LoopFrom(st, tc.flags, n, Options{})
				}()
			}
			wg.Wait()
			if !st.Started() {
				t.Fatal("every loop arrived, yet the start flag is not set")
			}
			last := max(called[0], called[1], called[2])
			for i := range loops {
				if i == tc.bad {
					if errs[i] == nil {
						t.Errorf("loop %d: 0 ops, want an error", i)
					}
					continue
				}
				if errors.Is(errs[i], errors.ErrUnsupported) {
					t.Skip(errs[i])
				}
				if errs[i] != nil {
					t.Fatalf("loop %d: %v", i, errs[i])
				}
				r := res[i]
				if len(r.Ops) != ops || r.End <= r.Start || r.End-r.Start != r.Elapsed {
					t.Errorf("loop %d: %d ops, start %v end %v elapsed %v", i, len(r.Ops), r.Start, r.End, r.Elapsed)
				}
				if r.Start < last {
					t.Errorf("loop %d started at %v, before the last loop was called (%v)", i, r.Start, last)
				}
			}
			runtime.GC()
			noLoopTaskLeft(t, base)
		})
	}
}
