package sysinfo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadCPULimit finds the tightest CPU quota of a fake host's cgroups,
// v2 and v1, on the process's own cgroup or an ancestor, and the
// throttling its cpu.stat counts. (A 50% quota once went unrecorded while
// compare called its throttling "3 significant regressions".)
func TestReadCPULimit(t *testing.T) {
	const v2mi = "29 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
	const v1mi = "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	for _, tc := range []struct {
		name, cgroup, mountinfo string
		files                   map[string]string
		want                    string // "" for none
		throttled               string
	}{
		{"v2 none", "0::/a/b\n", v2mi, map[string]string{"a/b/cpu.max": "max 100000", "a/cpu.max": "max 100000"}, "", ""},
		{"v2 own", "0::/a/b\n", v2mi, map[string]string{"a/b/cpu.max": "50000 100000", "a/b/cpu.stat": "usage_usec 1\nnr_periods 98\nnr_throttled 94\n"},
			"0.50 cpus (cpu.max at ROOT/sys/fs/cgroup/a/b)", "94 of 98 periods"},
		{"v2 ancestor tighter", "0::/a/b\n", v2mi, map[string]string{"a/b/cpu.max": "150000 100000", "a/cpu.max": "25000 100000"},
			"0.25 cpus (cpu.max at ROOT/sys/fs/cgroup/a)", ""},
		{"v1", "4:cpu,cpuacct:/lim\n", v1mi, map[string]string{"lim/cpu.cfs_quota_us": "50000", "lim/cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1", "cpu.cfs_period_us": "100000",
			"lim/cpu.stat": "nr_periods 10\nnr_throttled 3\nthrottled_time 5\n"},
			"0.50 cpus (cpu.cfs_quota_us at ROOT/sys/fs/cgroup/cpu,cpuacct/lim)", "3 of 10 periods"},
		{"v1 unlimited", "4:cpu,cpuacct:/lim\n", v1mi, map[string]string{"lim/cpu.cfs_quota_us": "-1", "lim/cpu.cfs_period_us": "100000"}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write := func(name, text string) {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("proc/self/cgroup", tc.cgroup)
			write("proc/self/mountinfo", tc.mountinfo)
			base := "sys/fs/cgroup/"
			if tc.mountinfo == v1mi {
				base = "sys/fs/cgroup/cpu,cpuacct/"
			}
			for name, text := range tc.files {
				write(base+name, text)
			}
			lim, ok, err := ReadCPULimit(root)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if ok {
				got = lim.String()
			}
			want := strings.ReplaceAll(tc.want, "ROOT", root)
			if got != want {
				t.Errorf("limit %q, want %q", got, want)
			}
			if tc.throttled != "" {
				th, err := lim.ReadThrottling()
				if err != nil {
					t.Fatal(err)
				}
				if got := th.Since(Throttling{}); got != tc.throttled {
					t.Errorf("throttled %q, want %q", got, tc.throttled)
				}
			}
		})
	}
}
