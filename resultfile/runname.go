package resultfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// TimeLayout is the UTC start time in a run's file name.
const TimeLayout = "20060102T150405Z"

// ErrNotRunName is wrapped by ParseRunName for a file name runbench did not
// make: a reference file, a copy, a -o name.
var ErrNotRunName = errors.New("not a runbench run name (UTCTIME[-partial][-N].txt)")

// RunName is the name runbench gives a run's result file under
// results/HOST/: UTCTIME.txt, UTCTIME-partial.txt for an interrupted run,
// and -2, -3 … after either when a run of the same second took the name.
// It is the one owner of that layout: the runner writes with it (WriteRun),
// history orders by it, the nightly workflow asks runbench for it
// (runbench info -runpath).
type RunName struct {
	Time    time.Time // the run's start, UTC, to the second
	Partial bool      // the run was interrupted
	N       int       // 1 for the first name of that second, then 2, 3 …
}

// NewRunName is the first name of a run started at start.
func NewRunName(start time.Time, partial bool) RunName {
	return RunName{Time: start.UTC().Truncate(time.Second), Partial: partial, N: 1}
}

// String is the file name: UTCTIME[-partial][-N].txt.
func (r RunName) String() string {
	s := r.Time.UTC().Format(TimeLayout)
	if r.Partial {
		s += partialSuffix
	}
	if r.N > 1 {
		s += "-" + strconv.Itoa(r.N)
	}
	return s + ".txt"
}

const partialSuffix = "-partial"

// ParseRunName parses the base name of path as a RunName. Only names
// String makes are accepted (no -1, no leading zeros), so a name round-trips.
func ParseRunName(path string) (RunName, error) {
	base := filepath.Base(path)
	bad := fmt.Errorf("%s: %w", path, ErrNotRunName)
	s, ok := strings.CutSuffix(base, ".txt")
	if !ok || len(s) < len(TimeLayout) {
		return RunName{}, bad
	}
	t, err := time.Parse(TimeLayout, s[:len(TimeLayout)])
	if err != nil {
		return RunName{}, bad
	}
	r := RunName{Time: t, N: 1}
	rest := s[len(TimeLayout):]
	if strings.HasPrefix(rest, partialSuffix) {
		r.Partial = true
		rest = rest[len(partialSuffix):]
	}
	if rest != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(rest, "-"))
		if err != nil || n < 2 || !strings.HasPrefix(rest, "-") {
			return RunName{}, bad
		}
		r.N = n
	}
	if r.String() != base {
		return RunName{}, bad
	}
	return r, nil
}

// Compare orders run names: by time, then N (a -2 after the plain name of
// its second), then a plain run before a partial one of the same second
// and N. It returns -1, 0 or +1.
func (r RunName) Compare(o RunName) int {
	if c := r.Time.Compare(o.Time); c != 0 {
		return c
	}
	if r.N != o.N {
		if r.N < o.N {
			return -1
		}
		return 1
	}
	switch {
	case r.Partial == o.Partial:
		return 0
	case o.Partial:
		return -1
	}
	return 1
}

// maxRunN bounds the names WriteRun and FreeRunPath try in one second.
const maxRunN = 1000

// WriteRun writes a run's result file with WriteNew into dir under the
// first free name of a run started at start, and returns its path.
func WriteRun(dir string, start time.Time, partial bool, write func(io.Writer) error) (string, error) {
	name := NewRunName(start, partial)
	for ; name.N <= maxRunN; name.N++ {
		path := filepath.Join(dir, name.String())
		err := WriteNew(path, write)
		if err == nil {
			return path, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("%s: no free run name for %s", dir, start.UTC().Format(TimeLayout))
}

// FreeRunPath is the path WriteRun would write in dir now, for a caller
// that copies a run into place itself (the nightly workflow, through
// runbench info -runpath); another writer may take it first.
func FreeRunPath(dir string, start time.Time, partial bool) (string, error) {
	name := NewRunName(start, partial)
	for ; name.N <= maxRunN; name.N++ {
		path := filepath.Join(dir, name.String())
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			return path, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("%s: no free run name for %s", dir, start.UTC().Format(TimeLayout))
}

// PartialPath marks a result path given with -o as partial:
// x.txt → x-partial.txt.
func PartialPath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + partialSuffix + ext
}
