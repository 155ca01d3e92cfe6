//go:build linux

package workloads

import (
	"fmt"
	"os"
	"strings"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/rawclone"
)

// LatencyRecording reports whether switch rows record per-round-trip
// latency in this process, and if not, why.
func LatencyRecording() (bool, string) {
	if recordingOff() {
		return false, RecordEnv + "=off"
	}
	if err := rawclone.CounterCheck(); err != nil {
		return false, err.Error()
	}
	return true, ""
}

// clocksourcePath is where the kernel names its clocksource.
const clocksourcePath = "/sys/devices/system/clocksource/clocksource0/current_clocksource"

// crossCPUCounters refuses wake-up timing between two CPUs unless their
// TSCs are in step: the kernel keeps tsc as its clocksource only while it
// finds them synchronised (it falls back to hpet, acpi_pm or kvm-clock
// when it does not).
func crossCPUCounters() error {
	b, err := os.ReadFile(clocksourcePath)
	if err != nil {
		return fmt.Errorf("wake-up latency across CPUs needs TSCs in step, and reading the clocksource failed: %w", err)
	}
	if cs := strings.TrimSpace(string(b)); cs != "tsc" {
		return fmt.Errorf("wake-up latency across CPUs needs TSCs in step: the kernel's clocksource is %s, not tsc (%s)", cs, clocksourcePath)
	}
	return nil
}

// toNs turns a tick histogram into ns with a task's calibration.
func toNs(l *rawclone.Latency, r rawclone.Result) (*hist.Histogram, error) {
	f := r.NsPerTick()
	if f <= 0 {
		return nil, fmt.Errorf("no cycle-counter calibration (ticks %d..%d over %v)", r.TicksStart, r.TicksEnd, r.Elapsed())
	}
	return l.Ticks().Scale(f)
}
