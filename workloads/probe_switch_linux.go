//go:build linux

package workloads

import (
	"errors"
	"fmt"

	"github.com/clonebench/clonebench/probe"
)

// probedSwitchRun runs a switch row's loop with the switch programs
// attached, tracking the pair the loop reports through started
// ([initiator, responder]) before passing the tids on to the caller's own
// started.
func probedSwitchRun(obs func(int, startedFunc) (Result, error), n int, started startedFunc) (Result, error) {
	s, err := probe.StartSwitch()
	if err != nil {
		return Result{}, err
	}
	defer s.Close() // a panicking run detaches too; after Stop a no-op
	var terr error
	tracked := false
	res, err := obs(n, func(tids []int) {
		if len(tids) != 2 {
			terr = fmt.Errorf("probe: a switch row reported %d partner tids, want 2", len(tids))
		} else if terr = s.Track(tids[0], tids[1]); terr == nil {
			tracked = true
		}
		started.call(tids)
	})
	tot, serr := s.Stop()
	if err = errors.Join(err, terr, serr); err != nil {
		return Result{}, err
	}
	if switchTotalsHook != nil {
		switchTotalsHook(tot)
	}
	if !tracked {
		return Result{}, errors.New("probe: the switch row reported no partners to track")
	}
	if !tot.Timed {
		// Tracking began after the initiator's timer started: its
		// creating thread was kept off a CPU for the whole warm-up.
		return Result{}, errors.New("probe: the programs did not see the initiator's whole timed interval (tracking began after its warm-up)")
	}
	m, err := switchPhaseMetrics(tot.Ns[:], int64(res.N))
	if err != nil {
		return Result{}, err
	}
	res.Metrics = append(res.Metrics, m...)
	return res, nil
}

// switchTotalsHook, set by tests, sees each run's totals.
var switchTotalsHook func(probe.SwitchTotals)
