//go:build linux

package workloads

import (
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/probe"
)

// probedSwitchRun runs a switch row's loop with the switch programs
// attached, following the pair from its creation: the programs note the
// first two tasks this (locked) thread clones with the row's flags, which
// rawclone.Clone issues from the calling thread, and the started callback
// checks that they are the row's initiator and responder before passing
// the tids on to the caller's own started.
func probedSwitchRun(mode switchMode, obs func(int, startedFunc) (Result, error), n int, started startedFunc) (Result, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s, err := probe.StartSwitch(unix.Gettid(), uint64(switchSpec{mode: mode}.flags()))
	if err != nil {
		return Result{}, err
	}
	defer s.Close() // a panicking run detaches too; after Stop a no-op
	var perr error
	checked := false
	res, err := obs(n, func(tids []int) {
		if len(tids) != 2 {
			perr = fmt.Errorf("probe: a switch row reported %d partner tids, want 2", len(tids))
		} else if perr = s.Partners(tids[0], tids[1]); perr == nil {
			checked = true
		}
		started.call(tids)
	})
	tot, serr := s.Stop()
	if err = errors.Join(err, perr, serr); err != nil {
		return Result{}, err
	}
	if switchTotalsHook != nil {
		switchTotalsHook(tot)
	}
	if !checked {
		return Result{}, errors.New("probe: the switch row reported no partners")
	}
	if !tot.Timed {
		return Result{}, errors.New("probe: the programs did not see the initiator's timed interval open and close (its getrusage and clock_gettime)")
	}
	m, err := switchPhaseMetrics(tot.Ns, int64(res.N))
	if err != nil {
		return Result{}, err
	}
	res.Metrics = append(res.Metrics, m...)
	return res, nil
}

// switchTotalsHook, set by tests, sees each run's totals.
var switchTotalsHook func(probe.SwitchTotals)
