package procfs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrNoSteal is wrapped when /proc/stat's aggregate cpu line has no steal
// column (kernels before 2.6.11 did not print it).
var ErrNoSteal = errors.New("procfs: /proc/stat has no steal column")

// UserHZ is the unit of /proc/stat's times: USER_HZ, 100 ticks a second on
// every architecture Linux exports to user space (sysconf(_SC_CLK_TCK)).
const UserHZ = 100

// ParseSteal reads the steal time, in USER_HZ ticks since boot summed
// over CPUs, from /proc/stat text: the eighth number of the aggregate
// "cpu" line (user nice system idle iowait irq softirq steal …). A guest
// whose hypervisor gives it no steal clock prints the column as 0 for
// ever; only the caller, seeing it never move, can say so.
func ParseSteal(r io.Reader) (uint64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] != "cpu" {
			continue
		}
		if len(f) < 9 {
			return 0, ErrNoSteal
		}
		v, err := strconv.ParseUint(f[8], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("procfs: /proc/stat steal column: %w", err)
		}
		return v, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("procfs: /proc/stat has no aggregate cpu line")
}
