package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/clonebench/clonebench/internal/procfs"
)

// The washout's rule: the RCU softirq count unchanged for washoutQuiet,
// read every washoutPoll, waiting at most washoutCap. On a 2-vCPU guest
// the wait was ≈49 ms at the median; in a loop of fork and thread samples
// it removed the order gap (fork after thread −1.1% against +9.9%
// without), in default runs it about halved it (mean +4.7% against
// ≈+10%).
const (
	washoutQuiet = 10 * time.Millisecond
	washoutCap   = 200 * time.Millisecond
	washoutPoll  = time.Millisecond
)

// washout waits, before the later sample of a stated ratio's pair whose
// earlier sample churned through tasks (churns), and before the first
// sample after a worker's, for the kernel's deferred work that the
// earlier sample left to run. A
// thread-creation sample's ~3,000 exited threads are freed by RCU
// callbacks (rcu_do_batch → delayed_put_task_struct → free_task) for 4–8
// ms and more into whatever follows: fork right after the thread row was
// 6–10% dearer than after fork. Alternating the order keeps the ratio
// unbiased, but its two orders then form clusters ~10% apart that the
// interval spans. The RCU softirq going quiet is the sign those callbacks
// have run.
type washout struct {
	source string                 // resultfile.Rounds.Washout
	read   func() (uint64, error) // nil: no washout
	// quiet is how long the count must hold, limit the longest wait,
	// poll how often the count is read.
	quiet, limit, poll time.Duration
	now                func() time.Time
	sleep              func(context.Context, time.Duration) error
}

// rcuSoftirqs is the count the washout watches.
func rcuSoftirqs() (uint64, error) { return procfs.Softirq("RCU") }

// newWashout is the washout that reads the count with read, or none when
// read fails now: the run then takes its pairs without one, as before.
func newWashout(read func() (uint64, error)) *washout {
	if _, err := read(); err != nil {
		return &washout{source: "none: " + err.Error()}
	}
	return &washout{
		source: fmt.Sprintf("rcu-softirq quiet=%v cap=%v; before a pair's later sample after a creation sample under %v/op, and after a worker's", washoutQuiet, washoutCap, time.Duration(churnNs)),
		read:   read, quiet: washoutQuiet, limit: washoutCap, poll: washoutPoll,
		now: time.Now, sleep: sleepCtx,
	}
}

// wait returns once the count has held for quiet (quiet true) or limit
// has passed (quiet false), and how long it waited. A read that fails or
// ctx done ends it at once with the error: a stopped run must not wait
// out the cap of every pair left.
func (w *washout) wait(ctx context.Context) (waited time.Duration, quiet bool, err error) {
	if w.read == nil {
		return 0, false, nil
	}
	start := w.now()
	last, err := w.read()
	if err != nil {
		return 0, false, err
	}
	since := start
	for {
		now := w.now()
		switch {
		case now.Sub(since) >= w.quiet:
			return now.Sub(start), true, nil
		case now.Sub(start) >= w.limit:
			return now.Sub(start), false, nil
		}
		if err := w.sleep(ctx, w.poll); err != nil {
			return w.now().Sub(start), false, err
		}
		v, err := w.read()
		if err != nil {
			return w.now().Sub(start), false, err
		}
		if v != last {
			last, since = v, w.now()
		}
	}
}

// sleepCtx sleeps for d or until ctx is done, whichever is first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// washoutAhead is the washout the next rounds will wait, at the rate of
// the done rounds so far. It is kept out of the time the samples may
// take: a cost per pair that shrinking n does not cut, so folding it into
// the samples' actual/predicted ratio would shrink n too little.
func washoutAhead(washed time.Duration, done, next int) time.Duration {
	if done <= 0 || next <= 0 {
		return 0
	}
	return washed / time.Duration(done) * time.Duration(next)
}
