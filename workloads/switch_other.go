//go:build !linux

package workloads

// Raw-clone and raw-fd ping-pong need Linux; only the channel rows run
// here.

func runSwitch(s switchSpec, n int, _ startedFunc) (Result, error) {
	if s.mech == mechChan {
		return runChanPingPong(max(n, 1))
	}
	return Result{}, errSwitchUnsupported
}

func runSwitchLibc(s switchSpec, n int, _ startedFunc) (Result, error) {
	return Result{}, errSwitchUnsupported
}

func runLoopbackRow(m switchMech, n int) (Result, error) { return Result{}, errSwitchUnsupported }

func runSwitchPairs(mode switchMode, pairs int, _ bool, n int, _ startedFunc) (Result, error) {
	return Result{}, errSwitchUnsupported
}

// processRusage is not read here: getrusage's counters are Linux's.
func processRusage() (rusageCounts, error) { return rusageCounts{}, errSwitchUnsupported }
