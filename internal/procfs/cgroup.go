package procfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Cgroup is the process's cgroup in one mounted hierarchy.
type Cgroup struct {
	V2          bool
	Controllers map[string]bool // v1: what the hierarchy controls
	Mount       string          // where the hierarchy's root as we see it is mounted, under root
	Rel         string          // the process's cgroup below the mount, "/"-separated
}

// Cgroups pairs /proc/self/cgroup's lines with the mounts of
// /proc/self/mountinfo. The v2 mount is not always /sys/fs/cgroup: hybrid
// hierarchies put it at /sys/fs/cgroup/unified, and containers anywhere.
// No /proc/self/cgroup (not Linux, a bare chroot) is no cgroup at all.
func Cgroups(root string) ([]Cgroup, error) {
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
	var dirs []Cgroup
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
			dirs = append(dirs, Cgroup{V2: v2, Controllers: ctl, Mount: filepath.Join(root, m.point), Rel: rel})
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
	all, err := ReadMountinfo(name)
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
