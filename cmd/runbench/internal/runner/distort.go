package runner

import (
	"fmt"
	"io"

	"github.com/clonebench/clonebench/internal/sysinfo"
	"github.com/clonebench/clonebench/resultfile"
)

// watchDistortions warns, before measuring, of what inflates every row
// without being the code under test: a cgroup CPU quota and other tracing
// BPF programs (their config lines, cpu-limit and bpf-tracing, are in
// config already). The returned func, called after measuring, reads how
// often the quota throttled the run, warns if it did, and gives the
// cpu-throttled config line.
func watchDistortions(stderr io.Writer, config []resultfile.Config, sim bool) (after func() []resultfile.Config) {
	none := func() []resultfile.Config { return nil }
	if sim {
		return none // the simulated kernel's figures do not see the host
	}
	get := func(k string) string {
		for _, c := range config {
			if c.Key == k {
				return c.Value
			}
		}
		return ""
	}
	if v := get(sysinfo.KeyTracingBPF); v != "" && v != "0" && v != sysinfo.Unknown {
		fmt.Fprintf(stderr, "[runbench] warning: %s tracing BPF programs loaded by other processes run on the tracepoints every row crosses; expect inflated figures\n", v)
	}
	lim, ok, err := sysinfo.ReadCPULimit("/")
	if err != nil || !ok {
		return none
	}
	fmt.Fprintf(stderr, "[runbench] warning: CPU limit %s: a throttled row sits out the rest of each period; expect inflated figures\n", lim)
	before, err := lim.ReadThrottling()
	if err != nil {
		return none
	}
	return func() []resultfile.Config {
		now, err := lim.ReadThrottling()
		if err != nil {
			return nil
		}
		v := now.Since(before)
		if now.Throttled > before.Throttled {
			fmt.Fprintf(stderr, "[runbench] warning: the CPU limit throttled the run in %s\n", v)
		}
		return []resultfile.Config{{Key: sysinfo.KeyCPUThrottled, Value: v}}
	}
}
