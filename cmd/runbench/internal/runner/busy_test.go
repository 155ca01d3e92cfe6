package runner

import (
	"runtime"
	"strings"
	"testing"
)

func TestBusyVerdict(t *testing.T) {
	// 2 CPUs, 200 ms at 100 Hz: 40 ticks in all.
	for _, tt := range []struct {
		name       string
		busy, self uint64
		want       bool
	}{
		{"idle", 1, 0, false},
		{"only us", 20, 20, false},
		{"5% of a CPU", 1, 0, false},
		{"a whole CPU", 20, 0, true},
		{"15% beside us", 23, 20, true},
	} {
		before := cpuTicks{busy: 1000, total: 5000, self: 7}
		after := cpuTicks{busy: before.busy + tt.busy, total: before.total + 40, self: before.self + tt.self}
		msg, busy := busyVerdict(before, after, 2)
		if busy != tt.want {
			t.Errorf("%s: busy=%v (%s), want %v", tt.name, busy, msg, tt.want)
		}
		if busy && !strings.Contains(msg, "of a CPU") {
			t.Errorf("%s: message %q", tt.name, msg)
		}
	}
	if _, busy := busyVerdict(cpuTicks{total: 5}, cpuTicks{total: 5}, 2); busy {
		t.Error("no ticks elapsed, yet busy")
	}
	if runtime.GOOS == "linux" {
		if _, err := readCPUTicks(); err != nil {
			t.Error(err)
		}
	}
}
