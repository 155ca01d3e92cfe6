//go:build !linux

package workloads

func wakeSkip(switchCPU) string {
	return "wake-up latency needs the raw-clone loops of linux/amd64"
}

func runSwitchWake(s wakeSpec, n int, _ startedFunc) (Result, error) {
	return Result{}, errSwitchUnsupported
}
