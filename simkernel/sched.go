package simkernel

import (
	"fmt"

	"github.com/clonebench/clonebench/rowspec"
)

// The scheduler model for ping-pong: two tasks hand a turn back and forth
// over a mechanism, on one CPU or on two. Each hand-over is decided by the
// model's state, not by the row's name: a switch on one CPU pays for the
// switch, plus the mm switch and the TLB/cache refill when the CPU's loaded
// address space is not the next task's; a hand-over to another CPU pays a
// remote wake-up, and that CPU still holds its task's mm (idle keeps it
// lazily), so nothing is refilled.

// Placement says where the two ping-pong tasks run. Its values are a
// Switch row's cpu= values, so Placement(spec.CPU) is the row's placement.
type Placement string

const (
	SameCPU  = Placement(rowspec.CPUSame)  // both pinned to CPU 0
	CrossCPU = Placement(rowspec.CPUCross) // pinned to CPUs 0 and 1
	AnyCPU   = Placement(rowspec.CPUAny)   // unpinned: together for Profile.Colocated of the rounds, else apart
)

// PingPong is the outcome of a simulated ping-pong run.
type PingPong struct {
	Rounds     int
	Elapsed    float64 // virtual ns over the timed rounds
	Overhead   float64 // one signal+wait+working-set pass with no partner
	Nvcsw      float64 // voluntary switches of both tasks over the timed rounds
	Nivcsw     float64 // involuntary ones (sched_yield, wake-up preemption)
	BytesMoved int64   // bytes each side read (fd mechanisms)
}

type pingSide struct {
	t   *Task
	cpu int
}

// pingPongAny models an unpinned pair as the mix the scheduler makes of
// the two pinned placements: a Colocated share of the round trips with the
// wakee pulled onto its waker's CPU, the rest apart. Both are run and
// their figures blended, so the mix is exact for any n.
func (k *Kernel) pingPongAny(a, b *Task, mech rowspec.Mech, ws uint64, warmup, n int) (PingPong, error) {
	start := k.Clock
	together, err := k.PingPong(a, b, mech, SameCPU, ws, warmup, n)
	if err != nil {
		return PingPong{}, err
	}
	apart, err := k.PingPong(a, b, mech, CrossCPU, ws, warmup, n)
	if err != nil {
		return PingPong{}, err
	}
	phi := k.Profile.Colocated
	mix := func(x, y float64) float64 { return phi*x + (1-phi)*y }
	out := PingPong{
		Rounds:     n,
		Elapsed:    mix(together.Elapsed, apart.Elapsed),
		Overhead:   together.Overhead,
		Nvcsw:      mix(together.Nvcsw, apart.Nvcsw),
		Nivcsw:     mix(together.Nivcsw, apart.Nivcsw),
		BytesMoved: together.BytesMoved,
	}
	k.Clock = start + out.Elapsed
	return out, nil
}

// mechBytes is what one signal moves for the fd mechanisms.
var mechBytes = map[rowspec.Mech]int64{rowspec.MechPipe: 1, rowspec.MechUnix: 1, rowspec.MechEventfd: 8}

// PingPong runs warmup untimed and then n timed round trips between a and b
// over mech, each side touching ws bytes of its own working set per turn.
func (k *Kernel) PingPong(a, b *Task, mech rowspec.Mech, where Placement, ws uint64, warmup, n int) (PingPong, error) {
	p := &k.Profile
	ov, ok := p.Overhead[string(mech)]
	if !ok {
		return PingPong{}, fmt.Errorf("simkernel: profile has no overhead figure for mech=%s (no SwitchOverhead/mech=%s row in %s)", mech, mech, p.Source)
	}
	if a.State != Running || b.State != Running {
		return PingPong{}, ErrDead
	}
	if n < 1 {
		return PingPong{}, fmt.Errorf("simkernel: ping-pong needs at least one round trip, have %d", n)
	}
	sides := [2]pingSide{{a, 0}, {b, 0}}
	switch where {
	case SameCPU:
	case CrossCPU, AnyCPU:
		if mech == rowspec.MechYield {
			return PingPong{}, fmt.Errorf("simkernel: mech=yield hands over only on one CPU, have cpu=%s", where)
		}
		if p.CPUs < 2 {
			return PingPong{}, fmt.Errorf("simkernel: cpu=%s needs 2 CPUs, the profile models %d", where, p.CPUs)
		}
		if where == AnyCPU {
			return k.pingPongAny(a, b, mech, ws, warmup, n)
		}
		sides[1].cpu = 1
	default:
		return PingPong{}, fmt.Errorf("simkernel: unknown placement cpu=%q", where)
	}
	kib := float64(ws) / 1024
	// Each CPU's loaded mm: the initiator's on CPU 0, the responder's on
	// CPU 1 when it has one (idle keeps it lazily).
	loaded := make([]*MM, p.CPUs)
	for i := len(sides) - 1; i >= 0; i-- {
		loaded[sides[i].cpu] = sides[i].t.MM
	}
	// asleep[i]: side i is blocked in its wait (not merely preempted).
	// The responder starts blocked, waiting for the first signal.
	asleep := [2]bool{false, true}
	var out PingPong
	out.Overhead = ov + p.TouchPerKiB*kib
	var start float64
	for round := range warmup + n {
		if round == warmup {
			start = k.Clock
			out = PingPong{Overhead: out.Overhead}
		}
		for turn := range 2 {
			s, r := sides[turn], sides[1-turn]
			// The sender's half: touch its working set, signal, and
			// (after the hand-over) the syscall work of its wait.
			k.charge(ov + p.TouchPerKiB*kib)
			out.BytesMoved += mechBytes[mech]
			if s.cpu == r.cpu {
				// Who gives up the CPU, and how: a yield leaves the
				// sender runnable (involuntary). Otherwise a receiver
				// that was asleep preempts the sender at the wake-up
				// (involuntary); one that was only preempted finds the
				// sender blocking in its wait (voluntary) — so a
				// same-CPU round trip is one of each, as the kernel
				// counts them.
				switch {
				case mech == rowspec.MechYield:
					out.Nivcsw++
				case asleep[1-turn]:
					out.Nivcsw++
				default:
					out.Nvcsw++
				}
				asleep[turn] = mech != rowspec.MechYield && !asleep[1-turn]
				asleep[1-turn] = false
				k.charge(p.Switch + p.CacheRefillPerKiB*kib)
				if loaded[r.cpu] != r.t.MM {
					k.charge(p.SwitchMM + p.RefillPerKiB*kib)
					loaded[r.cpu] = r.t.MM
				}
				continue
			}
			// Another CPU: the sender blocks and its CPU idles; the
			// receiver's CPU leaves idle with its mm still loaded.
			out.Nvcsw++
			asleep[turn], asleep[1-turn] = true, false
			k.charge(p.RemoteWake)
			if loaded[r.cpu] != r.t.MM {
				k.charge(p.SwitchMM + p.RefillPerKiB*kib)
				loaded[r.cpu] = r.t.MM
			}
		}
		out.Rounds++
	}
	out.Elapsed = k.Clock - start
	out.BytesMoved /= 2
	return out, nil
}
