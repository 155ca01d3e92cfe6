//go:build linux && (amd64 || arm64)

package rawclone

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/hist"
)

// NewLatency maps a zeroed tick histogram.
func NewLatency() (*Latency, error) {
	mem, err := unix.Mmap(-1, 0, hist.Buckets*8, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("rawclone: mmap latency histogram: %w", err)
	}
	return &Latency{mem: mem}, nil
}

func (l *Latency) addr() uintptr { return uintptr(unsafe.Pointer(&l.mem[0])) }

func (l *Latency) counts() []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(&l.mem[0])), hist.Buckets)
}

// Ticks is what the loop recorded, in ticks; Scale it by
// Result.NsPerTick for nanoseconds. Read it only after the task ended.
func (l *Latency) Ticks() *hist.Histogram {
	h, _ := hist.FromCounts(l.counts()) // exactly Buckets counts: no error
	return h
}

// Reset zeroes the histogram for another run.
func (l *Latency) Reset() { clear(l.counts()) }

// Free unmaps the histogram. No task may still use it.
func (l *Latency) Free() error {
	if l == nil || l.mem == nil {
		return nil
	}
	err := unix.Munmap(l.mem)
	l.mem = nil
	if err != nil {
		return fmt.Errorf("rawclone: munmap latency histogram: %w", err)
	}
	return nil
}

// checkRecording refuses recording a loop cannot do.
func checkRecording(body Body) error {
	if body.RoundTrips == nil && body.Wake == nil {
		return nil
	}
	if body.Op != OpPingPong {
		return fmt.Errorf("rawclone: latency recording needs OpPingPong (got op %d)", body.Op)
	}
	if body.RoundTrips != nil && (!body.Initiator || body.RoundTrips.mem == nil) {
		return fmt.Errorf("rawclone: RoundTrips needs the initiator and a NewLatency histogram")
	}
	if body.Wake != nil {
		if body.Wake.mem == nil || body.WakeStamp == nil || body.WakeStamp.mem == nil {
			return fmt.Errorf("rawclone: Wake needs a NewLatency histogram and a WakeStamp word")
		}
		if body.Mech == MechYield {
			return fmt.Errorf("rawclone: Wake: sched_yield wakes nobody")
		}
	}
	return CounterCheck()
}

// CounterCheck reports whether this machine's cycle counter can time
// loop ops: on amd64 an invariant TSC (constant_tsc and nonstop_tsc in
// /proc/cpuinfo), or an error wrapping errors.ErrUnsupported saying which
// flag is missing; arm64's generic timer has a fixed rate by architecture.
func CounterCheck() error {
	if !recordingLoop {
		return fmt.Errorf("rawclone: latency recording is implemented in the amd64 loop only: %w", errors.ErrUnsupported)
	}
	return counterCheck()
}
