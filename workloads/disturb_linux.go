//go:build linux

package workloads

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rowspec"
)

// threadCounters are the calling thread's own scheduler counts: how often
// it was switched out involuntarily (preempted: something else ran on its
// CPU) and how often it moved CPU. Read before and after a sample's op loop
// on its locked thread, their difference says whether the sample was
// disturbed.
type threadCounters struct {
	nivcsw, migrations int64
	haveMigrations     bool // /proc/thread-self/sched needs CONFIG_SCHED_DEBUG
}

func readThreadCounters() (threadCounters, error) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return threadCounters{}, fmt.Errorf("getrusage(RUSAGE_THREAD): %w", err)
	}
	c := threadCounters{nivcsw: ru.Nivcsw}
	if b, err := os.ReadFile("/proc/thread-self/sched"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == "se.nr_migrations" {
				if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
					c.migrations, c.haveMigrations = n, true
				}
			}
		}
	}
	return c, nil
}

// disturbance is what happened to the measuring thread between a and b,
// as per-sample metrics.
func disturbance(a, b threadCounters) []Metric {
	out := []Metric{{Value: float64(b.nivcsw - a.nivcsw), Unit: rowspec.UnitDisturbIctxsw}}
	if a.haveMigrations && b.haveMigrations {
		out = append(out, Metric{Value: float64(b.migrations - a.migrations), Unit: rowspec.UnitDisturbMigrations})
	}
	return out
}

// parentFootprint is what a fork from this process copies besides the op
// loop's needs: resident memory, page tables and the number of mappings
// (one vm_area_struct each), read from /proc/self.
func parentFootprint() ([]Metric, error) {
	status, err := procfs.ReadStatus("/proc/self/status")
	if err != nil {
		return nil, err
	}
	var out []Metric
	for _, f := range []struct{ key, unit string }{{"VmRSS", rowspec.UnitParentRSS}, {"VmPTE", rowspec.UnitParentPTE}} {
		kb, err := statusKB(status, f.key)
		if err != nil {
			return nil, err
		}
		out = append(out, Metric{Value: float64(kb << 10), Unit: f.unit})
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	out = append(out, Metric{Value: float64(bytes.Count(maps, []byte{'\n'})), Unit: rowspec.UnitParentMaps})
	return out, nil
}

func statusKB(status map[string]string, key string) (int64, error) {
	v, ok := status[key]
	if !ok {
		return 0, fmt.Errorf("/proc/self/status: no %s line", key)
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc/self/status: %s: %w", key, err)
	}
	return n, nil
}
