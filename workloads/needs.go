package workloads

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// rawCloneSupported reports whether rawclone can run here.
func rawCloneSupported() bool {
	return runtime.GOOS == "linux" && (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64")
}

// Skip returns why r cannot run on this host, or "" if it can.
func (r Row) Skip() string {
	if r.Needs.Linux && !rawCloneSupported() {
		return fmt.Sprintf("needs raw clone on linux/amd64 or linux/arm64, have %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	if r.Needs.Cgo && !cgoEnabled {
		return "needs cgo (built with CGO_ENABLED=0)"
	}
	if n := onlineCPUs(); r.Needs.CPUs > n {
		return fmt.Sprintf("needs %d CPUs, this host has %d usable", r.Needs.CPUs, n)
	}
	if r.Needs.MemBytes > 0 {
		avail, err := memAvailable()
		if err != nil {
			return fmt.Sprintf("needs %d MiB free, cannot read free memory: %v", r.Needs.MemBytes>>20, err)
		}
		// Keep a margin so the row never pushes the host into reclaim.
		if want := r.Needs.MemBytes + r.Needs.MemBytes/4 + 256<<20; avail < want {
			return fmt.Sprintf("needs %d MiB free (with margin), MemAvailable is %d MiB", want>>20, avail>>20)
		}
	}
	if r.SkipReason != nil {
		return r.SkipReason()
	}
	return ""
}

// onlineCPUs is the number of CPUs this process may run on.
func onlineCPUs() int { return runtime.NumCPU() }

// memAvailable reads MemAvailable from /proc/meminfo, in bytes.
func memAvailable() (uint64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != "MemAvailable" {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/meminfo: MemAvailable: %w", err)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("/proc/meminfo: %w", err)
	}
	return 0, fmt.Errorf("/proc/meminfo: no MemAvailable line")
}
