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

// addProfile keeps a sample's profile encoded (gzipped protobuf, some
// 20 KB), to be merged once measuring is done: decoded profiles held
// live, and the garbage of merging them sample by sample, stayed resident
// (≈1 MB) and moved the plain fork row's next samples by 12–60%, since
// fork copies what its parent has resident.
func (p *plan) addProfile(res workloads.Result) error {
	if res.Profile == nil {
		return nil
	}
	var buf bytes.Buffer
	if err := res.Profile.Write(&buf); err != nil {
		return fmt.Errorf("encoding its profile: %w", err)
	}
	p.profs, p.profOps = append(p.profs, buf.Bytes()), p.profOps+int64(res.N)
	return nil
}

// profile merges p's samples' profiles, or returns nil for a plan
// without any.
func (p *plan) profile() (*profile.Profile, error) {
	var ps []*profile.Profile
	for _, data := range p.profs {
		one, err := profile.ParseData(data)
		if err != nil {
			return nil, fmt.Errorf("%s: reading back its profile: %w", p.row.Name, err)
		}
		ps = append(ps, one)
	}
	if len(ps) == 0 {
		return nil, nil
	}
	merged, err := profile.Merge(ps)
	if err != nil {
		return nil, fmt.Errorf("%s: merging its profile: %w", p.row.Name, err)
	}
	return merged, nil
}

// writeProfiles writes each profiled plan's sidecar beside the result
// file and prints its path on stdout after the result file's.
func writeProfiles(stdout io.Writer, result string, plans []*plan) error {
	var profs []*profile.Profile
	var profiled []*plan
	for _, p := range plans {
		prof, err := p.profile()
		if err != nil {
			return err
		}
		if prof != nil {
			profs, profiled = append(profs, prof), append(profiled, p)
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
	for i, p := range profiled {
		path, err := resultfile.WriteProfile(result, resultfile.RowProfile{Row: p.row.Name, Ops: p.profOps, Profile: profs[i]})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, path)
	}
	return nil
}
