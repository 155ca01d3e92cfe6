package procfs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Mount is one line of a mountinfo file (proc_pid_mountinfo(5)), with the
// kernel's octal escapes undone.
type Mount struct {
	Root         string   // the mounted directory of its file system: "/" or a subtree
	Point        string   // where it is mounted
	FSType       string   // "cgroup2", "cgroup", "tmpfs", …
	SuperOptions []string // the file system's options: a cgroup v1 mount lists its controllers here
}

// ReadMountinfo reads a mountinfo file. A file that does not exist is no
// mounts: callers read it under a root that may be a bare directory.
//
// Unlike the live readers it is plain text, so it reads a fixture (a root
// of test files) on any system.
func ReadMountinfo(name string) ([]Mount, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ms, err := ParseMountinfo(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return ms, nil
}

// ParseMountinfo reads mountinfo text; a line without the " - " separator
// or with too few fields is passed over.
func ParseMountinfo(r io.Reader) ([]Mount, error) {
	var out []Mount
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		// id parent major:minor root mount-point options [optional…] - fstype source super-options
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 1 {
			continue
		}
		m := Mount{Root: unescapeMount(f[3]), Point: unescapeMount(f[4]), FSType: g[0]}
		if len(g) >= 3 {
			m.SuperOptions = strings.Split(g[2], ",")
		}
		out = append(out, m)
	}
	return out, sc.Err()
}

// unescapeMount undoes the kernel's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
