//go:build !linux

package sysinfo

import (
	"errors"
	"fmt"
	"runtime"
)

func unsupported(what string) error {
	return fmt.Errorf("sysinfo: %s on %s: %w", what, runtime.GOOS, errors.ErrUnsupported)
}

// CPUModel is the CPU model name.
func CPUModel() (string, error) { return "", unsupported("cpu model") }

// KernelRelease is the running kernel's release.
func KernelRelease() (string, error) { return "", unsupported("kernel release") }

// Virtualization names the hypervisor and container layers.
func Virtualization() (string, error) { return "", unsupported("virtualization") }

// Governor is the cpufreq scaling governor.
func Governor() (string, error) { return "", unsupported("cpufreq governor") }

// THP is the transparent huge page mode.
func THP() (string, error) { return "", unsupported("transparent huge pages") }

// Mitigations summarises the CPU vulnerability mitigations.
func Mitigations() (string, error) { return "", unsupported("mitigations") }

// LoadAvg is the 1, 5 and 15 minute load average.
func LoadAvg() ([3]float64, error) { return [3]float64{}, unsupported("load average") }

// MemState is the memory state creation rows depend on.
func MemState() (string, error) { return "", unsupported("memory state") }

// Reclaim names the background memory work beside a benchmark.
func Reclaim() (string, error) { return "", unsupported("reclaim state") }
