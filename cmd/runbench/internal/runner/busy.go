package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// warnIfBusy says so on stderr when the machine is not quiet: a busy
// machine widens the confidence intervals and can fake a regression. The
// load average is no guide (an idle 2-CPU guest sits near 0.6 from kernel
// threads and I/O wait), so it samples /proc/stat over a moment and counts
// only the CPU time other tasks used.
func warnIfBusy(stderr io.Writer) {
	before, err := readCPUTicks()
	if err != nil {
		return
	}
	time.Sleep(200 * time.Millisecond)
	after, err := readCPUTicks()
	if err != nil {
		return
	}
	if msg, busy := busyVerdict(before, after, runtime.NumCPU()); busy {
		fmt.Fprintf(stderr, "[runbench] warning: machine not quiet: %s; expect noisy figures\n", msg)
	}
}

// cpuTicks is a /proc/stat reading: busy and total ticks of all CPUs, and
// our own process's user+system ticks.
type cpuTicks struct{ busy, total, self uint64 }

// busyOthers is the share of one CPU other tasks may use before a run is
// called noisy.
const busyOthers = 0.10

// busyVerdict reports whether other tasks used more than busyOthers of a
// CPU between two readings, and the reading in words.
func busyVerdict(before, after cpuTicks, ncpu int) (string, bool) {
	total := after.total - before.total
	if after.total <= before.total || ncpu < 1 {
		return "", false
	}
	busy := float64(after.busy-before.busy) - float64(after.self-before.self)
	others := max(busy, 0) / (float64(total) / float64(ncpu)) // in CPUs
	return fmt.Sprintf("other tasks used %.0f%% of a CPU (of %d) over 200 ms", others*100, ncpu), others > busyOthers
}

func readCPUTicks() (cpuTicks, error) {
	var t cpuTicks
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return t, err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return t, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return t, fmt.Errorf("/proc/stat: %w", err)
		}
		if i >= 8 { // guest and guest_nice are already in user and nice
			break
		}
		t.total += n
		if i != 3 && i != 4 { // idle and iowait are not work
			t.busy += n
		}
	}
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return t, err
	}
	// The command name may hold spaces; the fields after it do not.
	_, rest, ok := strings.Cut(string(self), ") ")
	sf := strings.Fields(rest)
	if !ok || len(sf) < 13 {
		return t, errors.New("/proc/self/stat: unexpected format")
	}
	for _, v := range sf[11:13] { // utime, stime
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return t, fmt.Errorf("/proc/self/stat: %w", err)
		}
		t.self += n
	}
	return t, nil
}
