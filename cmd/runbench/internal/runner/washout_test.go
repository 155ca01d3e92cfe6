package runner

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeClock is a washout's time: sleeping moves it on, and nothing else.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.t = c.t.Add(d)
	return nil
}

func TestWashoutWait(t *testing.T) {
	errRead := errors.New("read failed")
	counter := func(k int) (uint64, error) { return uint64(k), nil } // moves at every read
	for _, tc := range []struct {
		name string
		// count is the k-th read's count (k from 0, one read a poll);
		// the context is cancelled by the cancelAt-th read (1-based; 0
		// before the wait, -1 never).
		count     func(k int) (uint64, error)
		cancelAt  int
		waited    time.Duration
		quiet     bool
		err       error
		readsLeft int // reads allowed after the context is cancelled
	}{
		{"quiet from the start", func(int) (uint64, error) { return 7, nil }, -1, washoutQuiet, true, nil, 0},
		{"changes, then settles", func(k int) (uint64, error) { return uint64(min(k, 5)), nil }, -1, 5*washoutPoll + washoutQuiet, true, nil, 0},
		{"settles, then changes, then settles", func(k int) (uint64, error) {
			if k == 8 {
				return 1, nil
			}
			return 0, nil
		}, -1, 9*washoutPoll + washoutQuiet, true, nil, 0},
		{"never settles", counter, -1, washoutCap, false, nil, 0},
		{"cancelled before", counter, 0, 0, false, context.Canceled, 1},
		{"cancelled while waiting", counter, 3, 2 * washoutPoll, false, context.Canceled, 0},
		{"unreadable", func(int) (uint64, error) { return 0, errRead }, -1, 0, false, errRead, 0},
		{"fails while waiting", func(k int) (uint64, error) {
			if k == 4 {
				return 0, errRead
			}
			return uint64(k), nil
		}, -1, 4 * washoutPoll, false, errRead, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancelAt == 0 {
				cancel()
			}
			clock := &fakeClock{t: time.Unix(1e9, 0)}
			reads, readsCancelled := 0, 0
			w := newWashout(func() (uint64, error) { return 0, nil })
			w.now, w.sleep = clock.now, clock.sleep
			w.read = func() (uint64, error) {
				if ctx.Err() != nil {
					readsCancelled++
				}
				v, err := tc.count(reads)
				if reads++; reads == tc.cancelAt {
					cancel()
				}
				return v, err
			}
			waited, quiet, err := w.wait(ctx)
			if waited != tc.waited || quiet != tc.quiet || !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Errorf("wait = %v, quiet %v, %v; want %v, quiet %v, %v", waited, quiet, err, tc.waited, tc.quiet, tc.err)
			}
			if readsCancelled > tc.readsLeft {
				t.Errorf("%d reads after the context was cancelled, want ≤ %d", readsCancelled, tc.readsLeft)
			}
		})
	}
}

// TestWashoutCancelledPromptly: on the real clock, a cancelled run's wait
// ends at once, not at the cap.
func TestWashoutCancelledPromptly(t *testing.T) {
	k := uint64(0)
	w := newWashout(func() (uint64, error) { k++; return k, nil })
	w.limit = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	waited, quiet, err := w.wait(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || quiet || waited > time.Second {
		t.Errorf("wait = %v, quiet %v, %v; want the context's error within a second", waited, quiet, err)
	}
}

func TestNewWashout(t *testing.T) {
	if w := newWashout(func() (uint64, error) { return 1, nil }); w.read == nil || w.source != "rcu-softirq quiet=10ms cap=200ms; before a pair's later sample after a creation sample under 100µs/op, and after a worker's" {
		t.Errorf("readable count: source %q, on %v", w.source, w.read != nil)
	}
	w := newWashout(func() (uint64, error) { return 0, errors.New("open /proc/softirqs: no such file") })
	if w.read != nil || w.source != "none: open /proc/softirqs: no such file" {
		t.Errorf("unreadable count: source %q, on %v", w.source, w.read != nil)
	}
	if waited, _, err := w.wait(context.Background()); waited != 0 || err != nil {
		t.Errorf("no washout waited %v, %v", waited, err)
	}
}

func TestWashoutAhead(t *testing.T) {
	for _, tc := range []struct {
		name       string
		washed     time.Duration
		done, next int
		want       time.Duration
	}{
		{"no round done", 0, 0, 5, 0},
		{"none waited", 0, 3, 5, 0},
		{"at the rounds' rate", 300 * time.Millisecond, 3, 5, 500 * time.Millisecond},
		{"no round left", 300 * time.Millisecond, 3, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := washoutAhead(tc.washed, tc.done, tc.next); got != tc.want {
				t.Errorf("washoutAhead = %v, want %v", got, tc.want)
			}
		})
	}
}
