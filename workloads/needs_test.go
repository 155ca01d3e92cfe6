package workloads

import (
	"runtime"
	"strings"
	"testing"
)

// TestRowShortOfMemoryIsSkippedWithTheReason: a large rss row on a host
// without the memory is a skip naming what it needs and what is free, never
// a run that pushes the host into reclaim or the OOM killer.
func TestRowShortOfMemoryIsSkippedWithTheReason(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/meminfo")
	}
	avail, err := memAvailable()
	if err != nil {
		t.Fatal(err)
	}
	if avail == 0 {
		t.Fatal("MemAvailable is 0")
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
				t.Fatalf("Skip() = %q for %d MiB needed, %d MiB available; want skip=%v", reason, tt.need>>20, avail>>20, tt.wantSkip)
			}
			if tt.wantSkip && !strings.Contains(reason, "MemAvailable") {
				t.Errorf("Skip() = %q: want the reason to name MemAvailable", reason)
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
