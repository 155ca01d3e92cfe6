//go:build linux

package sysinfo

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
)

// tracingTypes are the BPF program types that run on the tracepoints and
// kprobes a creation or switch row crosses (sched_switch, sys_enter,
// task_newtask, …): every one attached there runs in each op.
var tracingTypes = map[ebpf.ProgramType]string{
	ebpf.Kprobe:                "kprobe",
	ebpf.TracePoint:            "tracepoint",
	ebpf.RawTracepoint:         "raw_tracepoint",
	ebpf.RawTracepointWritable: "raw_tracepoint",
	ebpf.Tracing:               "tracing",
	ebpf.PerfEvent:             "perf_event",
}

// TracingBPF counts the tracing BPF programs loaded on the machine, by
// type ("0", or "200 (raw_tracepoint 200)"). 200 programs of another
// process on sched_switch, sys_enter and task_newtask tripled thread
// creation; the kernel does not say where a program is attached without
// walking its links, so every loaded tracing program counts. Listing
// them needs CAP_SYS_ADMIN: without it the error says so.
func TracingBPF() (string, error) {
	byType := map[string]int{}
	n := 0
	var id ebpf.ProgramID
	for {
		next, err := ebpf.ProgramGetNextID(id)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("listing BPF programs: %w", err)
		}
		id = next
		p, err := ebpf.NewProgramFromID(id)
		if err != nil {
			continue // unloaded meanwhile
		}
		info, err := p.Info()
		p.Close()
		if err != nil {
			continue
		}
		if name, ok := tracingTypes[info.Type]; ok {
			byType[name]++
			n++
		}
	}
	if n == 0 {
		return "0", nil
	}
	var parts []string
	for k, v := range byType {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d (%s)", n, strings.Join(parts, ", ")), nil
}
