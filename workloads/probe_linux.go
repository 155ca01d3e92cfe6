//go:build linux

package workloads

import (
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/probe"
)

func probeSkipReason() string { return probe.SkipReason() }

// probedRun runs a raw creation row's Run with the programs attached to
// this thread, which Run's Cloner (and cpu=same's pinning) lock and use:
// the lock nests, so the thread that clones is the one the programs track.
func probedRun(run func(int) (Result, error), n int) (Result, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s, err := probe.Start(unix.Gettid())
	if err != nil {
		return Result{}, err
	}
	defer s.Close() // a panicking run detaches too; after Stop a no-op
	res, err := run(n)
	tot, serr := s.Stop()
	if err = errors.Join(err, serr); err != nil {
		return Result{}, err
	}
	if tot.Ops+tot.Incomplete != int64(res.N) || tot.Children != int64(res.N) {
		return Result{}, fmt.Errorf("probe: the programs closed %d ops (%d incomplete) and saw %d children; the loop ran %d",
			tot.Ops+tot.Incomplete, tot.Incomplete, tot.Children, res.N)
	}
	res.Metrics = append(res.Metrics, phaseMetrics(tot.Ns, tot.OtherNs, res.N)...)
	return res, nil
}
