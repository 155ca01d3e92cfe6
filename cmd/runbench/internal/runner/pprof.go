package runner

import (
	"fmt"
	"io"
	"runtime"

	"github.com/google/pprof/profile"

	"github.com/clonebench/clonebench/kprof"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/workloads"
)

// withProfiled adds after each plan its row's pprof=cpu twin (run
// -pprof), so the round-robin schedule alternates plain and profiled
// samples of one row, as -probe does: profiled ns/op over plain is the
// sampling's overhead, and the plain samples never run under it. A twin
// that cannot run here (perf events refused) is a skip with the kernel's
// answer; the plain row runs regardless.
func withProfiled(plans []*plan, skips []resultfile.Skip) ([]*plan, []resultfile.Skip) {
	procs := runtime.GOMAXPROCS(0)
	var out []*plan
	for _, p := range plans {
		out = append(out, p)
		if p.sim {
			continue // the simulated kernel has no functions to sample
		}
		twin, ok := workloads.Profiled(p.row)
		if !ok {
			continue
		}
		if reason := twin.Skip(); reason != "" {
			skips = append(skips, resultfile.Skip{Name: twin.Name, Reason: reason})
			continue
		}
		out = append(out, &plan{row: twin, name: BenchName(twin.Name, procs), fn: twin.Run})
	}
	return out, skips
}

// addProfile merges a sample's profile into its plan's.
func (p *plan) addProfile(res workloads.Result) error {
	if res.Profile == nil {
		return nil
	}
	if p.prof == nil {
		p.prof, p.profOps = res.Profile, int64(res.N)
		return nil
	}
	merged, err := profile.Merge([]*profile.Profile{p.prof, res.Profile})
	if err != nil {
		return fmt.Errorf("merging its profile: %w", err)
	}
	p.prof, p.profOps = merged, p.profOps+int64(res.N)
	return nil
}

// writeProfiles writes each profiled plan's sidecar beside the result
// file and prints its path on stdout after the result file's.
func writeProfiles(stdout io.Writer, result string, plans []*plan) error {
	var profs []*profile.Profile
	for _, p := range plans {
		if p.prof != nil {
			profs = append(profs, p.prof)
		}
	}
	if len(profs) == 0 {
		return nil
	}
	// Named only now, the measuring done: kallsyms parsed would grow the
	// heap every later fork copies.
	if err := kprof.SymbolizeLive(profs...); err != nil {
		return err
	}
	for _, p := range plans {
		if p.prof == nil {
			continue
		}
		path, err := resultfile.WriteProfile(result, resultfile.RowProfile{Row: p.row.Name, Ops: p.profOps, Profile: p.prof})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, path)
	}
	return nil
}
