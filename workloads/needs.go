package workloads

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// rawCloneSupported reports whether rawclone can run here.
func rawCloneSupported() bool {
	return runtime.GOOS == "linux" && (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64")
}

// host is where Skip reads the limits a row must fit in. Rows read the live
// host; tests point root at a tree of synthetic /proc and /sys files.
type host struct {
	root string // "/" on the live host
	// nproc is RLIMIT_NPROC's soft limit, ok false when it does not bind
	// (unlimited, or root, whom the kernel does not hold to it).
	nproc func() (limit uint64, ok bool, err error)
	uid   int // real uid: RLIMIT_NPROC counts the tasks of the real uid
}

func liveHost() host { return host{root: "/", nproc: nprocLimit, uid: os.Getuid()} }

// Skip returns why r cannot run on this host, or "" if it can.
func (r Row) Skip() string { return r.skipOn(liveHost()) }

func (r Row) skipOn(h host) string {
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
		// Keep a margin so the row never pushes the host into reclaim.
		want := r.Needs.MemBytes + r.Needs.MemBytes/4 + 256<<20
		free, err := h.memFree()
		if err != nil {
			return fmt.Sprintf("needs %d MiB free, cannot read free memory: %v", r.Needs.MemBytes>>20, err)
		}
		if free.bytes < want {
			return fmt.Sprintf("needs %d MiB free (with margin), %s %d MiB", want>>20, free.what, free.bytes>>20)
		}
	}
	if reason := r.taskSkip(h); reason != "" {
		return reason
	}
	if r.SkipReason != nil {
		return r.SkipReason()
	}
	return ""
}

// onlineCPUs is the number of CPUs this process may run on.
func onlineCPUs() int { return runtime.NumCPU() }

// headroom is how much of a resource is left and what set that figure, in
// words that finish "…, <what> <n> MiB".
type headroom struct {
	bytes uint64
	what  string
}

// memFree is the memory a row may still use: MemAvailable counts the whole
// host, but a memory cgroup OOM-kills the process at its own limit long
// before the host runs short, so the smaller of the two decides.
func (h host) memFree() (headroom, error) {
	avail, err := memAvailable(filepath.Join(h.root, "proc/meminfo"))
	if err != nil {
		return headroom{}, err
	}
	free := headroom{avail, "MemAvailable is"}
	cg, ok, err := cgroupHeadroom(h.root, memoryLimits)
	if err != nil {
		return headroom{}, err
	}
	if ok && cg.free < free.bytes {
		free = headroom{cg.free, fmt.Sprintf("the cgroup's %s leaves", cg.file)}
	}
	return free, nil
}

// memAvailable reads MemAvailable from a meminfo file, in bytes.
func memAvailable(path string) (uint64, error) {
	f, err := os.Open(path)
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
			return 0, fmt.Errorf("%s: MemAvailable: %w", path, err)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return 0, fmt.Errorf("%s: no MemAvailable line", path)
}
