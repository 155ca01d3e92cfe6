package workloads

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

// TestRowShortOfMemoryIsSkippedWithTheReason: a large rss row on a host
// without the memory is a skip naming what it needs and what is free, never
// a run that pushes the host into reclaim or the OOM killer.
func TestRowShortOfMemoryIsSkippedWithTheReason(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/meminfo")
	}
	free, err := liveHost().memFree()
	if err != nil {
		t.Fatal(err)
	}
	avail := free.bytes
	if avail == 0 {
		t.Fatalf("%s 0", free.what)
	}
	tests := []struct {
		name     string
		need     uint64
		wantSkip bool
	}{
		{"twice what is free", 2 * avail, true},
		{"all that is free, no margin left", avail, true},
		{"nothing", 0, false},
		{"one MiB", 1 << 20, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Row{Name: "CreateRSS/style=fork/thp=off/rss=huge", Needs: Needs{MemBytes: tt.need}}
			reason := r.Skip()
			if got := reason != ""; got != tt.wantSkip {
				t.Fatalf("Skip() = %q for %d MiB needed, %d MiB free (%s); want skip=%v", reason, tt.need>>20, avail>>20, free.what, tt.wantSkip)
			}
			if tt.wantSkip && !strings.Contains(reason, "MemAvailable") && !strings.Contains(reason, "the cgroup's memory.") {
				t.Errorf("Skip() = %q: want the reason to name MemAvailable or the cgroup's limit", reason)
			}
		})
	}
}

func TestRowNeedsAreReasons(t *testing.T) {
	tests := []struct {
		needs Needs
		want  string // substring of the reason, "" for no skip
	}{
		{Needs{CPUs: runtime.NumCPU() + 1}, "CPUs"},
		{Needs{CPUs: 1}, ""},
	}
	for _, tt := range tests {
		got := Row{Needs: tt.needs}.Skip()
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("Needs %+v: Skip() = %q, want %q", tt.needs, got, tt.want)
		}
	}
}

// fakeRoot writes files (path under the root → contents) into a fresh
// directory standing for "/".
func fakeRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const (
	meminfo16G = "MemTotal:       32000000 kB\nMemFree:        1000000 kB\nMemAvailable:   16777216 kB\n"
	// A hybrid hierarchy: v1 controllers beside a cgroup2 mount at
	// /sys/fs/cgroup/unified, the layout systemd's "hybrid" mode makes.
	mountinfoHybrid = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n" +
		"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
		"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n" +
		"33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n" +
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
	mountinfoV2 = "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n" +
		"30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
	// A container without a cgroup namespace: its v1 memory hierarchy is
	// a bind of its own cgroup, which /proc/self/cgroup names in full.
	mountinfoV1Subtree = "35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro,relatime - cgroup cgroup rw,memory\n"
)

func TestMemFreeIsTheSmallerOfMemAvailableAndTheCgroupLimit(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name  string
		files map[string]string
		need  uint64
		want  string // substring of the reason, "" for no skip
	}{
		{
			name: "v2 limited, hybrid mount",
			files: map[string]string{
				"proc/meminfo":        meminfo16G,
				"proc/self/mountinfo": mountinfoHybrid,
				"proc/self/cgroup":    "4:memory:/\n2:cpu,cpuacct:/\n0::/bench.slice/run\n",
				"sys/fs/cgroup/unified/bench.slice/run/memory.max":     "209715200\n",
				"sys/fs/cgroup/unified/bench.slice/run/memory.current": "20971520\n",
			},
			need: 1024 * mib,
			want: "needs 1536 MiB free (with margin), the cgroup's memory.max leaves 180 MiB",
		},
		{
			name: "v2 max",
			files: map[string]string{
				"proc/meminfo":                                 meminfo16G,
				"proc/self/mountinfo":                          mountinfoV2,
				"proc/self/cgroup":                             "0::/bench.slice/run\n",
				"sys/fs/cgroup/bench.slice/run/memory.max":     "max\n",
				"sys/fs/cgroup/bench.slice/run/memory.current": "20971520\n",
				"sys/fs/cgroup/bench.slice/memory.max":         "max\n",
				"sys/fs/cgroup/bench.slice/memory.current":     "20971520\n",
			},
			need: 1024 * mib,
		},
		{
			name: "v2 max, parent limited",
			files: map[string]string{
				"proc/meminfo":                                 meminfo16G,
				"proc/self/mountinfo":                          mountinfoV2,
				"proc/self/cgroup":                             "0::/bench.slice/run\n",
				"sys/fs/cgroup/bench.slice/run/memory.max":     "max\n",
				"sys/fs/cgroup/bench.slice/run/memory.current": "20971520\n",
				"sys/fs/cgroup/bench.slice/memory.max":         "209715200\n",
				"sys/fs/cgroup/bench.slice/memory.current":     "41943040\n",
			},
			need: 1024 * mib,
			want: "the cgroup's memory.max leaves 160 MiB",
		},
		{
			name: "v1 limited",
			files: map[string]string{
				"proc/meminfo":        meminfo16G,
				"proc/self/mountinfo": mountinfoHybrid,
				"proc/self/cgroup":    "4:memory:/docker/abc\n0::/\n",
				"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "209715200\n",
				"sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes": "20971520\n",
				"sys/fs/cgroup/memory/memory.limit_in_bytes":            "9223372036854771712\n",
				"sys/fs/cgroup/memory/memory.usage_in_bytes":            "9000000000\n",
			},
			need: 1024 * mib,
			want: "the cgroup's memory.limit_in_bytes leaves 180 MiB",
		},
		{
			name: "v1 limited, subtree mount",
			files: map[string]string{
				"proc/meminfo":        meminfo16G,
				"proc/self/mountinfo": mountinfoV1Subtree,
				"proc/self/cgroup":    "4:memory:/docker/abc\n",
				"sys/fs/cgroup/memory/memory.limit_in_bytes": "209715200\n",
				"sys/fs/cgroup/memory/memory.usage_in_bytes": "20971520\n",
			},
			need: 1024 * mib,
			want: "the cgroup's memory.limit_in_bytes leaves 180 MiB",
		},
		{
			name: "v1 unlimited",
			files: map[string]string{
				"proc/meminfo":        meminfo16G,
				"proc/self/mountinfo": mountinfoHybrid,
				"proc/self/cgroup":    "4:memory:/docker/abc\n0::/\n",
				"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "9223372036854771712\n",
				"sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes": "20971520\n",
			},
			need: 1024 * mib,
		},
		{
			name:  "no cgroup files, MemAvailable enough",
			files: map[string]string{"proc/meminfo": meminfo16G},
			need:  1024 * mib,
		},
		{
			name:  "no cgroup files, MemAvailable short",
			files: map[string]string{"proc/meminfo": meminfo16G},
			need:  16 * 1024 * mib,
			want:  "MemAvailable is 16384 MiB",
		},
		{
			name: "cgroup above MemAvailable",
			files: map[string]string{
				"proc/meminfo":                     meminfo16G,
				"proc/self/mountinfo":              mountinfoV2,
				"proc/self/cgroup":                 "0::/run\n",
				"sys/fs/cgroup/run/memory.max":     "68719476736\n",
				"sys/fs/cgroup/run/memory.current": "0\n",
			},
			need: 16 * 1024 * mib,
			want: "MemAvailable is 16384 MiB",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := host{root: fakeRoot(t, tt.files)}
			r := Row{Name: "CreateRSS/style=fork/thp=off/rss=huge", Needs: Needs{MemBytes: tt.need}}
			got := r.skipOn(h)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("skip = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRowShortOfTasksIsSkippedWithTheReason(t *testing.T) {
	v2 := func(max, cur string) map[string]string {
		return map[string]string{
			"proc/self/mountinfo":              mountinfoV2,
			"proc/self/cgroup":                 "0::/run\n",
			"sys/fs/cgroup/run/pids.max":       max,
			"sys/fs/cgroup/run/pids.current":   cur,
			"sys/fs/cgroup/run/memory.max":     "max\n",
			"sys/fs/cgroup/run/memory.current": "0\n",
		}
	}
	procOf := func(files map[string]string, pid string, uid, threads string) {
		files["proc/"+pid+"/status"] = "Name:\tx\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid + "\nThreads:\t" + threads + "\n"
	}
	nprocFiles := func() map[string]string {
		f := map[string]string{}
		procOf(f, "1", "0", "1")
		procOf(f, "100", "1000", "30")
		procOf(f, "101", "1000", "10")
		procOf(f, "102", "1001", "500")
		return f
	}
	limit := func(n uint64) func() (uint64, bool, error) {
		return func() (uint64, bool, error) { return n, true, nil }
	}
	create := rowspec.Spec{Family: rowspec.Create, Style: rowspec.StyleFork}
	pairs16 := rowspec.Spec{Family: rowspec.SwitchPairs, Pairs: 16}
	tests := []struct {
		name  string
		files map[string]string
		nproc func() (uint64, bool, error)
		uid   int
		spec  rowspec.Spec
		want  string
	}{
		{name: "pids.max 8", files: v2("8\n", "3\n"), spec: create, want: "needs 16 free task slots, the cgroup's pids.max leaves 5"},
		{name: "pids.max max", files: v2("max\n", "3\n"), spec: create},
		{name: "pids.max roomy", files: v2("1000\n", "3\n"), spec: create},
		{name: "pids.max short for 16 pairs", files: v2("100\n", "60\n"), spec: pairs16, want: "needs 48 free task slots, the cgroup's pids.max leaves 40"},
		{name: "pids.max enough for no pairs", files: v2("100\n", "60\n"), spec: create},
		{
			name: "v1 pids",
			files: map[string]string{
				"proc/self/mountinfo":                       mountinfoHybrid,
				"proc/self/cgroup":                          "8:pids:/user/1000\n0::/\n",
				"sys/fs/cgroup/pids/user/1000/pids.max":     "100\n",
				"sys/fs/cgroup/pids/user/1000/pids.current": "90\n",
			},
			spec: create,
			want: "the cgroup's pids.max leaves 10",
		},
		{name: "no cgroup files", files: map[string]string{}, spec: pairs16},
		{name: "RLIMIT_NPROC short", files: nprocFiles(), nproc: limit(50), uid: 1000, spec: create, want: "RLIMIT_NPROC of 50 leaves uid 1000 10"},
		{name: "RLIMIT_NPROC, others' tasks do not count", files: nprocFiles(), nproc: limit(50), uid: 1002, spec: create},
		{name: "RLIMIT_NPROC roomy", files: nprocFiles(), nproc: limit(100), uid: 1000, spec: create},
		{name: "RLIMIT_NPROC not binding", files: nprocFiles(), nproc: func() (uint64, bool, error) { return 0, false, nil }, uid: 1000, spec: create},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := host{root: fakeRoot(t, tt.files), nproc: tt.nproc, uid: tt.uid}
			got := Row{Spec: tt.spec}.skipOn(h)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("skip = %q, want %q", got, tt.want)
			}
		})
	}
}
