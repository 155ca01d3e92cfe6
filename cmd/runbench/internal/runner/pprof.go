package runner

import (
	"bytes"
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

// addProfile merges a sample's profile into its plan's, which is kept
// encoded (gzipped protobuf, tens of KB) between samples: decoded and
// merged profiles held live, and their garbage, grew the heap that the
// plain fork row's next sample copied, and moved it by 60%.
func (p *plan) addProfile(res workloads.Result) error {
	if res.Profile == nil {
		return nil
	}
	prof := res.Profile
	if p.prof != nil {
		earlier, err := profile.ParseData(p.prof)
		if err != nil {
			return fmt.Errorf("reading back its profile: %w", err)
		}
		if prof, err = profile.Merge([]*profile.Profile{earlier, prof}); err != nil {
			return fmt.Errorf("merging its profile: %w", err)
		}
	}
	var buf bytes.Buffer
	if err := prof.Write(&buf); err != nil {
		return fmt.Errorf("encoding its profile: %w", err)
	}
	p.prof, p.profOps = buf.Bytes(), p.profOps+int64(res.N)
	return nil
}

// writeProfiles writes each profiled plan's sidecar beside the result
// file and prints its path on stdout after the result file's.
func writeProfiles(stdout io.Writer, result string, plans []*plan) error {
	var profs []*profile.Profile
	var profiled []*plan
	for _, p := range plans {
		if p.prof == nil {
			continue
		}
		prof, err := profile.ParseData(p.prof)
		if err != nil {
			return fmt.Errorf("%s: reading back its profile: %w", p.row.Name, err)
		}
		profs, profiled = append(profs, prof), append(profiled, p)
	}
	if len(profs) == 0 {
		return nil
	}
	// Named only now, the measuring done: kallsyms parsed would grow the
	// heap every later fork copies.
	if err := kprof.SymbolizeLive(profs...); err != nil {
		return err
	}
	for i, p := range profiled {
		path, err := resultfile.WriteProfile(result, resultfile.RowProfile{Row: p.row.Name, Ops: p.profOps, Profile: profs[i]})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, path)
	}
	return nil
}
