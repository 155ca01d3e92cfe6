package procfs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrNoSoftirq is wrapped when /proc/softirqs has no row of the name asked.
var ErrNoSoftirq = errors.New("procfs: no such row in /proc/softirqs")

// ParseSoftirq reads how many softirqs of one kind ("RCU", "TIMER", …)
// have run since boot, summed over CPUs, from /proc/softirqs text: a
// header of CPU names, then one "NAME:" row of per-CPU counts per kind.
// The kernel keeps each CPU's count in 32 bits, so the sum may wrap
// backwards: it says whether softirqs ran, not how many over a long span.
func ParseSoftirq(r io.Reader, name string) (uint64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] != name+":" {
			continue
		}
		if len(f) < 2 {
			return 0, fmt.Errorf("procfs: /proc/softirqs %s row has no counts", name)
		}
		var sum uint64
		for _, s := range f[1:] {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("procfs: /proc/softirqs %s row: %w", name, err)
			}
			sum += v
		}
		return sum, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%w: %s", ErrNoSoftirq, name)
}
