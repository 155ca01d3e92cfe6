package runner

import (
	"errors"
	"runtime"
	"syscall"

	bpfprobe "github.com/clonebench/clonebench/probe"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/workloads"
)

// withProbed adds after each plan its row's probe=sched twin (run -probe),
// so the round-robin schedule alternates plain and probed samples of one
// row and their ratio is the probes' overhead. A twin that cannot run here
// is a skip with the reason; the plain row runs regardless.
func withProbed(plans []*plan, skips []resultfile.Skip) ([]*plan, []resultfile.Skip) {
	procs := runtime.GOMAXPROCS(0)
	var out []*plan
	for _, p := range plans {
		out = append(out, p)
		twin, ok := workloads.Probed(p.row)
		if !ok {
			continue
		}
		tp := &plan{row: twin, name: BenchName(twin.Name, procs), sim: p.sim}
		switch {
		case p.sim && twin.Sim == nil:
			skips = append(skips, resultfile.Skip{Name: twin.Name, Reason: "no simulated version of this row"})
			continue
		case p.sim:
			tp.fn = twin.Sim
		default:
			if reason := twin.Skip(); reason != "" {
				skips = append(skips, resultfile.Skip{Name: twin.Name, Reason: reason})
				continue
			}
			tp.fn = twin.Run
		}
		out = append(out, tp)
	}
	return out, skips
}

// fentryAnswer is the kernel's answer to the fentry program per-function
// attribution would need: "ok", or the errno it refused with, so a -probe
// run says why its rows carry no per-function figures.
func fentryAnswer() string {
	err := bpfprobe.FunctionsSupported()
	if err == nil {
		return "ok (not used yet: the rows report tracepoint phases only)"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return "refused by the kernel: " + errno.Error()
	}
	return "refused: " + err.Error()
}
