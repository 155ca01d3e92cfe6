package workloads

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/clonebench/clonebench/internal/procfs"
)

// cgroupResource names the files that hold one resource's limit and use in
// each cgroup version.
type cgroupResource struct {
	v1Controller   string // the v1 hierarchy that has the files
	v1Max, v1Cur   string
	v2Max, v2Cur   string
	v1NoLimitAbove uint64 // v1 writes "no limit" as a huge number, not "max"
}

var (
	memoryLimits = cgroupResource{
		v1Controller: "memory",
		v1Max:        "memory.limit_in_bytes", v1Cur: "memory.usage_in_bytes",
		v2Max: "memory.max", v2Cur: "memory.current",
		// The kernel's "unlimited" is PAGE_COUNTER_MAX pages, rounded to
		// a page: just under 2^63 on 64-bit.
		v1NoLimitAbove: 1 << 62,
	}
	pidsLimits = cgroupResource{
		v1Controller: "pids",
		v1Max:        "pids.max", v1Cur: "pids.current",
		v2Max: "pids.max", v2Cur: "pids.current",
		v1NoLimitAbove: math.MaxUint64,
	}
)

// cgroupLimit is what the tightest finite limit leaves free.
type cgroupLimit struct {
	file string // the limit's file name: "memory.max"
	free uint64
}

// cgroupHeadroom is the tightest of the limits that the process's cgroups,
// v2 and v1, put on res, read under root ("/" on the live host). ok is
// false when no limit is finite, or the host has no cgroup files at all.
// The ancestors count too: a limit on a parent (a systemd slice, the
// container's cgroup) binds a child whose own file says "max".
func cgroupHeadroom(root string, res cgroupResource) (lim cgroupLimit, ok bool, err error) {
	dirs, err := procfs.Cgroups(root)
	if err != nil {
		return cgroupLimit{}, false, err
	}
	for _, d := range dirs {
		maxName, curName, noLimitAbove := res.v2Max, res.v2Cur, uint64(math.MaxUint64)
		if !d.V2 {
			if !d.Controllers[res.v1Controller] {
				continue
			}
			maxName, curName, noLimitAbove = res.v1Max, res.v1Cur, res.v1NoLimitAbove
		}
		// Walk up to the mount's root: each level's limit applies.
		for rel := d.Rel; ; rel = path.Dir(rel) {
			dir := filepath.Join(d.Mount, filepath.FromSlash(rel))
			max, finite, err := readCgroupValue(filepath.Join(dir, maxName))
			if err != nil {
				return cgroupLimit{}, false, err
			}
			if finite && max <= noLimitAbove {
				cur, _, err := readCgroupValue(filepath.Join(dir, curName))
				if err != nil {
					return cgroupLimit{}, false, err
				}
				free := uint64(0)
				if cur < max {
					free = max - cur
				}
				if !ok || free < lim.free {
					lim, ok = cgroupLimit{file: maxName, free: free}, true
				}
			}
			if rel == "/" || rel == "." {
				break
			}
		}
	}
	return lim, ok, nil
}

// readCgroupValue reads a one-number cgroup file. A missing file is no
// limit (the root cgroup, a controller not enabled for this cgroup), as is
// "max".
func readCgroupValue(name string) (v uint64, finite bool, err error) {
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	s := strings.TrimSpace(string(b))
	if s == "max" {
		return 0, false, nil
	}
	v, err = strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %w", name, err)
	}
	return v, true, nil
}
