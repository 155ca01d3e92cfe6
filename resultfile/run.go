package resultfile

import (
	"fmt"
	"io"
	"strings"
)

// ReadRun is Read for a file that must hold one run, as every runbench
// command reads its inputs: it also refuses a histogram sidecar given in
// place of its result file, and results of two machines in one file (two
// runs pasted together are two files).
func ReadRun(path string) (*File, error) {
	if strings.HasSuffix(path, ".hist") {
		// A glob like results/HOST/* picks up the sidecars too.
		return nil, fmt.Errorf("%s: a latency histogram sidecar, not a result file: pass its .txt, which brings the sidecar along", path)
	}
	if strings.HasSuffix(path, RoundsExt) {
		return nil, fmt.Errorf("%s: a rounds sidecar, not a result file: pass its .txt, which brings the sidecar along", path)
	}
	return oneRun(Read(path))
}

// ParseRun is ReadRun of data already in hand.
func ParseRun(r io.Reader, name string) (*File, error) { return oneRun(Parse(r, name)) }

func oneRun(f *File, err error) (*File, error) {
	if err != nil {
		return nil, err
	}
	if err := f.OneMachine(); err != nil {
		return nil, err
	}
	return f, nil
}
