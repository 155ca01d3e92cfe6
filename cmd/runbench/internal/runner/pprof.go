package runner

import (
	"bytes"
	"fmt"
	"io"
	"os"
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

// addProfile spools a sample's profile, encoded, to an unlinked
// temporary file, to be merged once measuring is done. Held in the heap,
// decoded or even encoded (≈20 KB a sample, ≈1 MB by a run's end), the
// profiles moved the plain fork row by 12–60%: fork copies the page
// tables of everything its parent has resident, and the page cache is not
// that. Unlinked at once, the file is gone however the run ends.
func (p *plan) addProfile(res workloads.Result) error {
	if res.Profile == nil && res.EncodedProfile == nil {
		return nil
	}
	if p.spool == nil {
		f, err := os.CreateTemp("", "runbench-pprof-")
		if err != nil {
			return fmt.Errorf("spooling its profile: %w", err)
		}
		os.Remove(f.Name())
		p.spool = f
	}
	data := res.EncodedProfile
	if data == nil {
		var buf bytes.Buffer
		if err := res.Profile.Write(&buf); err != nil {
			return fmt.Errorf("encoding its profile: %w", err)
		}
		data = buf.Bytes()
	}
	if _, err := p.spool.Write(data); err != nil {
		return fmt.Errorf("spooling its profile: %w", err)
	}
	p.profLens, p.profOps = append(p.profLens, len(data)), p.profOps+int64(res.N)
	return nil
}

// profile merges p's spooled profiles and closes the spool, or returns
// nil for a plan without any.
func (p *plan) profile() (*profile.Profile, error) {
	if p.spool == nil {
		return nil, nil
	}
	defer p.closeSpool()
	if _, err := p.spool.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%s: reading back its profiles: %w", p.row.Name, err)
	}
	var ps []*profile.Profile
	for _, n := range p.profLens {
		data := make([]byte, n)
		if _, err := io.ReadFull(p.spool, data); err != nil {
			return nil, fmt.Errorf("%s: reading back its profiles: %w", p.row.Name, err)
		}
		one, err := profile.ParseData(data)
		if err != nil {
			return nil, fmt.Errorf("%s: reading back its profile: %w", p.row.Name, err)
		}
		ps = append(ps, one)
	}
	merged, err := profile.Merge(ps)
	if err != nil {
		return nil, fmt.Errorf("%s: merging its profile: %w", p.row.Name, err)
	}
	return merged, nil
}

// closeSpool closes p's profile spool, if any (a run that writes no
// profiles closes them all as it ends).
func (p *plan) closeSpool() {
	if p.spool != nil {
		p.spool.Close()
		p.spool = nil
	}
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
