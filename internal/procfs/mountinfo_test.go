package procfs

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseMountinfo(t *testing.T) {
	in := "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n" +
		"32 31 0:29 /docker/abc /sys/fs/cgroup/cpu rw shared:9 - cgroup cgroup rw,cpu,cpuacct\n" +
		`41 31 0:38 /a\040b /mnt/cg\040two rw shared:1 - cgroup2 none rw` + "\n" +
		"not a mountinfo line\n"
	ms, err := ParseMountinfo(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 {
		t.Fatalf("%d mounts, want 3: %+v", len(ms), ms)
	}
	if m := ms[1]; m.Root != "/docker/abc" || m.Point != "/sys/fs/cgroup/cpu" || m.FSType != "cgroup" || !slices.Equal(m.SuperOptions, []string{"rw", "cpu", "cpuacct"}) {
		t.Errorf("v1 mount: %+v", m)
	}
	if m := ms[2]; m.Root != "/a b" || m.Point != "/mnt/cg two" || m.FSType != "cgroup2" {
		t.Errorf("escaped mount: %+v", m)
	}
	if ms, err := ReadMountinfo(filepath.Join(t.TempDir(), "mountinfo")); ms != nil || err != nil {
		t.Errorf("missing file: %v, %v; want no mounts", ms, err)
	}
}
