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
	dirs, err := cgroupDirs(root)
	if err != nil {
		return cgroupLimit{}, false, err
	}
	for _, d := range dirs {
		maxName, curName, noLimitAbove := res.v2Max, res.v2Cur, uint64(math.MaxUint64)
		if !d.v2 {
			if !d.controllers[res.v1Controller] {
				continue
			}
			maxName, curName, noLimitAbove = res.v1Max, res.v1Cur, res.v1NoLimitAbove
		}
		// Walk up to the mount's root: each level's limit applies.
		for rel := d.rel; ; rel = path.Dir(rel) {
			dir := filepath.Join(d.mount, filepath.FromSlash(rel))
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

// cgroupDir is the process's cgroup in one mounted hierarchy.
type cgroupDir struct {
	v2          bool
	controllers map[string]bool // v1: what the hierarchy controls
	mount       string          // where the hierarchy's root as we see it is mounted, under root
	rel         string          // the process's cgroup below the mount, "/"-separated
}

// cgroupDirs pairs /proc/self/cgroup's lines with the mounts of
// /proc/self/mountinfo. The v2 mount is not always /sys/fs/cgroup: hybrid
// hierarchies put it at /sys/fs/cgroup/unified, and containers anywhere.
// No /proc/self/cgroup (not Linux, a bare chroot) is no cgroup at all.
func cgroupDirs(root string) ([]cgroupDir, error) {
	cgPath := filepath.Join(root, "proc/self/cgroup")
	cgFile, err := os.ReadFile(cgPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	mounts, err := cgroupMounts(filepath.Join(root, "proc/self/mountinfo"))
	if err != nil {
		return nil, err
	}
	var dirs []cgroupDir
	for _, line := range strings.Split(strings.TrimSpace(string(cgFile)), "\n") {
		// hierarchy-ID:controller-list:cgroup-path; the path may hold ':'.
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		v2 := parts[0] == "0" && parts[1] == ""
		ctl := map[string]bool{}
		for _, c := range strings.Split(parts[1], ",") {
			ctl[c] = true
		}
		for _, m := range mounts {
			if m.v2 != v2 || !v2 && !m.controls(ctl) {
				continue
			}
			// A mount of a subtree (a container without a cgroup
			// namespace) shows the cgroup below its own root.
			rel, ok := strings.CutPrefix(parts[2], m.root)
			if !ok || rel != "" && m.root != "/" && !strings.HasPrefix(rel, "/") {
				continue
			}
			if !strings.HasPrefix(rel, "/") {
				rel = "/" + rel
			}
			dirs = append(dirs, cgroupDir{v2: v2, controllers: ctl, mount: filepath.Join(root, m.point), rel: rel})
			break
		}
	}
	return dirs, nil
}

type cgroupMount struct {
	v2          bool
	controllers map[string]bool
	root, point string
}

// controls reports whether m is the v1 hierarchy of the controllers ctl.
func (m cgroupMount) controls(ctl map[string]bool) bool {
	for c := range ctl {
		if !m.controllers[c] {
			return false
		}
	}
	return len(ctl) > 0
}

// cgroupMounts reads the cgroup and cgroup2 mounts from a mountinfo file.
func cgroupMounts(name string) ([]cgroupMount, error) {
	all, err := procfs.ReadMountinfo(name)
	if err != nil {
		return nil, err
	}
	var mounts []cgroupMount
	for _, mi := range all {
		if mi.FSType != "cgroup" && mi.FSType != "cgroup2" {
			continue
		}
		m := cgroupMount{v2: mi.FSType == "cgroup2", root: mi.Root, point: mi.Point}
		if !m.v2 && mi.SuperOptions != nil {
			m.controllers = map[string]bool{}
			for _, o := range mi.SuperOptions {
				m.controllers[o] = true
			}
		}
		mounts = append(mounts, m)
	}
	return mounts, nil
}
