package sysinfo

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/clonebench/clonebench/internal/procfs"
)

// CPULimit is the tightest CPU bandwidth limit on the process: cgroup v2
// cpu.max or v1 cpu.cfs_quota_us over cpu.cfs_period_us, on its own cgroup
// or any ancestor (a systemd slice, a container's cgroup). A throttled
// task sits out the rest of each period, so every row's figure grows with
// no change to the kernel's code.
type CPULimit struct {
	CPUs float64 // quota over period
	File string  // "cpu.max" or "cpu.cfs_quota_us"
	Dir  string  // the cgroup directory that sets it, whose cpu.stat counts the throttling
}

// String is the config line's value: "0.50 cpus (cpu.max at /sys/fs/cgroup/x)".
func (l CPULimit) String() string {
	return fmt.Sprintf("%.2f cpus (%s at %s)", l.CPUs, l.File, l.Dir)
}

// ReadCPULimit finds the tightest CPU limit under root ("/" on the live
// host); ok is false when there is none.
func ReadCPULimit(root string) (lim CPULimit, ok bool, err error) {
	cgs, err := procfs.Cgroups(root)
	if err != nil {
		return CPULimit{}, false, err
	}
	for _, cg := range cgs {
		if !cg.V2 && !cg.Controllers["cpu"] {
			continue
		}
		for rel := cg.Rel; ; rel = path.Dir(rel) {
			dir := filepath.Join(cg.Mount, filepath.FromSlash(rel))
			cpus, file, found := readQuota(dir, cg.V2)
			if found && (!ok || cpus < lim.CPUs) {
				lim, ok = CPULimit{CPUs: cpus, File: file, Dir: dir}, true
			}
			if rel == "/" || rel == "." {
				break
			}
		}
	}
	return lim, ok, nil
}

// readQuota reads one cgroup's quota; "max" (v2) and -1 (v1) are none.
func readQuota(dir string, v2 bool) (cpus float64, file string, ok bool) {
	if v2 {
		f := strings.Fields(readTrimFile(filepath.Join(dir, "cpu.max")))
		if len(f) != 2 || f[0] == "max" {
			return 0, "", false
		}
		q, err1 := strconv.ParseFloat(f[0], 64)
		p, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil || p <= 0 {
			return 0, "", false
		}
		return q / p, "cpu.max", true
	}
	q, err1 := strconv.ParseFloat(readTrimFile(filepath.Join(dir, "cpu.cfs_quota_us")), 64)
	p, err2 := strconv.ParseFloat(readTrimFile(filepath.Join(dir, "cpu.cfs_period_us")), 64)
	if err1 != nil || err2 != nil || q < 0 || p <= 0 {
		return 0, "", false
	}
	return q / p, "cpu.cfs_quota_us", true
}

// Throttling is a cgroup's cpu.stat counters (v1 and v2 name them alike).
type Throttling struct{ Periods, Throttled uint64 }

// ReadThrottling reads the cpu.stat in the limit's directory.
func (l CPULimit) ReadThrottling() (Throttling, error) {
	name := filepath.Join(l.Dir, "cpu.stat")
	b, err := os.ReadFile(name)
	if err != nil {
		return Throttling{}, err
	}
	var t Throttling
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, " ")
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "nr_periods":
			t.Periods = n
		case "nr_throttled":
			t.Throttled = n
		}
	}
	return t, nil
}

// Since is the throttling between an earlier reading and t, as a config
// value: "94 of 98 periods".
func (t Throttling) Since(before Throttling) string {
	return fmt.Sprintf("%d of %d periods", t.Throttled-before.Throttled, t.Periods-before.Periods)
}

func cpuLimitString() (string, error) {
	lim, ok, err := ReadCPULimit("/")
	if err != nil || !ok {
		return "none", err
	}
	return lim.String(), nil
}

func readTrimFile(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
