//go:build linux && (amd64 || arm64)

package rawclone

import (
	"errors"
	"strings"
	"testing"
)

func needRecording(t *testing.T) {
	t.Helper()
	if err := CounterCheck(); errors.Is(err, errors.ErrUnsupported) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
}

func newLatency(t *testing.T) *Latency {
	t.Helper()
	l, err := NewLatency()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Free() })
	return l
}

// The initiator records exactly one value per timed round trip, none for
// the warm-up, and the recorded round trips add up to the calibrated span
// they tile (to within bucket error and the getrusage call before the
// first).
func TestRoundTripsRecordEveryTimedRound(t *testing.T) {
	needRecording(t)
	const n, warmup = 2000, 50
	for _, m := range modes {
		for _, ch := range channels {
			t.Run(m.name+"/"+ch.name, func(t *testing.T) {
				rt := newLatency(t)
				aIn, aOut, bIn, bOut := ch.open(t)
				a := Body{Op: OpPingPong, Mech: MechFD, In: aIn, Out: aOut, IOSize: ch.iosize, N: n, Warmup: warmup, CPU: NoCPU, RoundTrips: rt}
				b := Body{Op: OpPingPong, Mech: MechFD, In: bIn, Out: bOut, IOSize: ch.iosize, N: n, Warmup: warmup, CPU: NoCPU}
				ra, _ := pair(t, m.flags, a, b)
				h := rt.Ticks()
				if h.Count() != n {
					t.Fatalf("recorded %d round trips, want %d", h.Count(), n)
				}
				if ra.TicksEnd <= ra.TicksStart || ra.NsPerTick() <= 0 {
					t.Fatalf("ticks %d..%d, NsPerTick %g: no calibration", ra.TicksStart, ra.TicksEnd, ra.NsPerTick())
				}
				mean, _ := h.Mean()
				span := float64(ra.TicksEnd - ra.TicksStart)
				if sum := mean * n; sum > 1.05*span || sum < 0.5*span {
					t.Errorf("round trips sum to %.0f ticks, the calibrated span is %.0f", sum, span)
				}
				p50, _ := h.Quantile(0.5)
				p999, _ := h.Quantile(0.999)
				if p50 <= 0 || p999 < p50 {
					t.Errorf("p50 %g, p99.9 %g ticks", p50, p999)
				}
			})
		}
	}
}

// Each side records one wake-up per timed round: its wait returning after
// the partner's wake call.
func TestWakeRecordsEachSidesWakeUps(t *testing.T) {
	needRecording(t)
	const n, warmup = 1000, 20
	for _, m := range modes[:2] {
		for _, mech := range []Mech{MechFD, MechFutex} {
			t.Run(m.name+"/"+map[Mech]string{MechFD: "pipe", MechFutex: "futex"}[mech], func(t *testing.T) {
				stamp, err := NewWord()
				if err != nil {
					t.Fatal(err)
				}
				defer stamp.Free()
				wa, wb := newLatency(t), newLatency(t)
				a := Body{Op: OpPingPong, Mech: mech, N: n, Warmup: warmup, CPU: NoCPU, Wake: wa, WakeStamp: stamp}
				b := a
				b.Wake = wb
				if mech == MechFD {
					r1, w1 := pipe(t)
					r2, w2 := pipe(t)
					a.In, a.Out, a.IOSize = r2, w1, 1
					b.In, b.Out, b.IOSize = r1, w2, 1
				} else {
					w, err := NewWord()
					if err != nil {
						t.Fatal(err)
					}
					defer w.Free()
					a.Word, b.Word = w, w
				}
				pair(t, m.flags, a, b)
				for side, l := range map[string]*Latency{"initiator": wa, "responder": wb} {
					if c := l.Ticks().Count(); c != n {
						t.Errorf("%s recorded %d wake-ups, want %d", side, c, n)
					}
				}
			})
		}
	}
}

func TestRecordingRefused(t *testing.T) {
	needRecording(t)
	l := newLatency(t)
	w, err := NewWord()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Free()
	r, wr := pipe(t)
	for _, c := range []struct {
		body Body
		want string
	}{
		{Body{Op: OpPingPong, Mech: MechFD, In: r, Out: wr, IOSize: 1, CPU: NoCPU, RoundTrips: l}, "initiator"},
		{Body{Op: OpLoopback, Mech: MechFD, In: r, Out: wr, IOSize: 1, CPU: NoCPU, Initiator: true, RoundTrips: l}, "OpPingPong"},
		{Body{Op: OpPingPong, Mech: MechFutex, Word: w, CPU: NoCPU, Wake: l}, "WakeStamp"},
		{Body{Op: OpPingPong, Mech: MechYield, Word: w, CPU: NoCPU, Wake: l, WakeStamp: w}, "sched_yield"},
	} {
		task, err := Clone(ThreadFlags, c.body, Options{})
		if err == nil {
			task.Kill()
			t.Errorf("%+v: cloned, want an error naming %s", c.body, c.want)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error naming %s", c.body, err, c.want)
		}
	}
}
