package runner

import "io"

// Lock takes the machine's run lock named name (DefaultLock unless a test
// names its own) for anything that measures: runbench run, and runbench
// ab, whose samples another run on the same CPUs would disturb as much.
// wait waits for a holder instead of refusing; release frees it.
func Lock(name string, wait bool, stderr io.Writer) (release func(), err error) {
	if name == "" {
		name = DefaultLock
	}
	return lockRun(name, wait, stderr)
}
