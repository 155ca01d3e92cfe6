//go:build linux

package workloads

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/procfs"
)

// A test cgroup is an empty cgroup v2 made below ours for one CreateCgroup
// run. It never outlives the run: Run removes it on every path (remove),
// RemoveTestCgroups removes the live ones when runbench is stopped by a
// signal, and every new one first removes those a killed process left
// (their name carries the pid that made them).

const testCgroupPrefix = "clonebench-"

type testCgroup struct {
	path  string
	dir   int // O_PATH directory: CLONE_INTO_CGROUP's argument
	procs int // its cgroup.procs, open for writing
	once  sync.Once
	err   error
}

var (
	liveCgroups   sync.Map // *testCgroup → struct{}
	testCgroupSeq atomic.Int64
)

// cgroup2Dir is our own cgroup's directory in the cgroup v2 hierarchy,
// found through /proc/self/mountinfo (the cgroup2 mount, wherever it is:
// /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid
// one) and /proc/self/cgroup (our path in it, the "0::" line).
func cgroup2Dir() (string, error) {
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", fmt.Errorf("needs a cgroup v2 hierarchy: %w", err)
	}
	root, mnt, err := cgroup2Mount(string(mi))
	if err != nil {
		return "", err
	}
	cg, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", fmt.Errorf("needs a cgroup v2 hierarchy: %w", err)
	}
	var own string
	found := false
	for _, line := range strings.Split(string(cg), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			own, found = p, true
		}
	}
	if !found {
		return "", fmt.Errorf("needs a cgroup v2 hierarchy: /proc/self/cgroup has no 0:: line")
	}
	rel, err := filepath.Rel(root, own)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("needs our cgroup v2 %q inside the cgroup2 mount's root %q (at %s)", own, root, mnt)
	}
	return filepath.Join(mnt, rel), nil
}

// cgroup2Mount returns the root and mount point of the first cgroup2
// mount in a mountinfo text.
func cgroup2Mount(mountinfo string) (root, mnt string, err error) {
	ms, err := procfs.ParseMountinfo(strings.NewReader(mountinfo))
	if err != nil {
		return "", "", fmt.Errorf("needs a cgroup v2 hierarchy: /proc/self/mountinfo: %w", err)
	}
	for _, m := range ms {
		if m.FSType == "cgroup2" {
			return m.Root, m.Point, nil
		}
	}
	return "", "", errors.New("needs a cgroup v2 hierarchy: /proc/self/mountinfo has no cgroup2 mount")
}

// newTestCgroup makes an empty cgroup below ours and opens what the rows
// need of it.
func newTestCgroup() (*testCgroup, error) {
	parent, err := cgroup2Dir()
	if err != nil {
		return nil, err
	}
	removeStaleCgroups(parent)
	cg := &testCgroup{
		path: filepath.Join(parent, fmt.Sprintf("%s%d-%d", testCgroupPrefix, os.Getpid(), testCgroupSeq.Add(1))),
		dir:  -1, procs: -1,
	}
	if err := unix.Mkdir(cg.path, 0o755); err != nil {
		return nil, fmt.Errorf("needs a cgroup v2 we may make children in: mkdir %s: %w", cg.path, err)
	}
	liveCgroups.Store(cg, struct{}{})
	if cg.dir, err = unix.Open(cg.path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
		return nil, errors.Join(fmt.Errorf("open %s: %w", cg.path, err), cg.remove())
	}
	procs := filepath.Join(cg.path, "cgroup.procs")
	if cg.procs, err = unix.Open(procs, unix.O_WRONLY|unix.O_CLOEXEC, 0); err != nil {
		return nil, errors.Join(fmt.Errorf("open %s for writing: %w", procs, err), cg.remove())
	}
	return cg, nil
}

// remove closes cg's descriptors and removes it, once. Its tasks have all
// been reaped; rmdir may still see EBUSY for a moment while the last
// exiting task's css_set is released, so it retries for a second.
func (cg *testCgroup) remove() error {
	cg.once.Do(func() {
		for _, fd := range []int{cg.dir, cg.procs} {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
		for deadline := time.Now().Add(time.Second); ; time.Sleep(5 * time.Millisecond) {
			err := unix.Rmdir(cg.path)
			if err == nil || err == unix.ENOENT {
				break
			}
			if err != unix.EBUSY || time.Now().After(deadline) {
				cg.err = fmt.Errorf("rmdir %s: %w", cg.path, err)
				break
			}
		}
		liveCgroups.Delete(cg)
	})
	return cg.err
}

// RemoveTestCgroups removes every test cgroup a row still has: runbench
// calls it when a signal stops it in the middle of a row (the rows'
// children are killed and reaped first, which empties them).
func RemoveTestCgroups() error {
	var errs []error
	liveCgroups.Range(func(k, _ any) bool {
		errs = append(errs, k.(*testCgroup).remove())
		return true
	})
	return errors.Join(errs...)
}

// RemoveStaleCgroups removes the test cgroups that killed processes left
// below ours, and returns their paths: runbench calls it as every run
// starts, whatever rows it selects, so a SIGKILL during a CreateCgroup row
// leaves nothing past the next run. A host without cgroup v2 has none.
func RemoveStaleCgroups() ([]string, error) {
	parent, err := cgroup2Dir()
	if err != nil {
		return nil, nil
	}
	return removeStaleCgroups(parent)
}

// removeStaleCgroups removes the test cgroups in parent whose maker is
// gone (killed before it could remove them), returning those removed.
// Ones it cannot remove (a task still in one) are left, with an error
// naming them, and so are every live process's.
func removeStaleCgroups(parent string) ([]string, error) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return nil, nil
	}
	var removed []string
	var errs []error
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), testCgroupPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if unix.Kill(pid, 0) == unix.ESRCH {
			p := filepath.Join(parent, e.Name())
			if err := unix.Rmdir(p); err != nil && err != unix.ENOENT {
				errs = append(errs, fmt.Errorf("stale test cgroup: rmdir %s: %w", p, err))
				continue
			}
			removed = append(removed, p)
		}
	}
	return removed, errors.Join(errs...)
}
