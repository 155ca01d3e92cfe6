package resultfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/clonebench/clonebench/hist"
)

// ReadSidecar reads the latency histograms stored beside the result file
// at path (hist.SidecarPath: UTCTIME.txt → UTCTIME.hist; the format is
// the hist package's). A result file without one has none: nil, nil. A
// sidecar that does not parse is an error naming it and the line.
func ReadSidecar(path string) ([]hist.Entry, error) {
	if path == "" {
		return nil, nil
	}
	sp := hist.SidecarPath(path)
	f, err := os.Open(sp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("histogram sidecar: %w", err)
	}
	defer f.Close()
	entries, err := hist.Read(f, sp)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return entries, nil
}
