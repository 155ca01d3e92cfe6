package ab

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// profiles takes one profiled pass of each compared row on each side,
// after the rounds so that no paired sample ran under sampling: the row's
// pprof=cpu twin, run by the side's executable with CLONEBENCH_PPROF=cpu
// for the row's n ops, its profile written beside that side's result file
// (files[i]) as run -pprof writes it. It returns each side's profiles and
// one line per row and side saying where the profile went or why there is
// none (perf events refused, an executable that writes none).
func (s *session) profiles(files []string) (got [2][]resultfile.RowProfile, lines []string) {
	// Which rows have a twin is the catalogue's to say (workloads.Profiled).
	twins := map[string]rowspec.Spec{}
	for _, w := range workloads.Catalogue() {
		if p, ok := workloads.Profiled(w); ok {
			twins[w.Name] = p.Spec
		}
	}
	for _, r := range s.rows {
		twin, ok := twins[r.spec.String()]
		if r.failed != "" || r.n == 0 || !ok {
			continue
		}
		for i, side := range []string{"A", "B"} {
			if s.ctx.Err() != nil {
				return got, lines
			}
			if err := s.setSide(i); err != nil {
				return got, append(lines, "profiles: "+err.Error())
			}
			fmt.Fprintf(s.stderr, "[runbench] ab profile %s on %s\n", twin, side)
			rp, err := s.profile(s.bins[i], twin, r.n, files[i])
			if err != nil {
				lines = append(lines, fmt.Sprintf("profile of %s on %s: none: %v", r.spec, side, err))
				continue
			}
			got[i] = append(got[i], rp)
			lines = append(lines, fmt.Sprintf("profile of %s on %s: %s", r.spec, side, rp.Path))
		}
	}
	return got, lines
}

// profile runs twin for n ops in bin with sampling on and writes the
// profile it leaves as result's sidecar.
func (s *session) profile(bin string, twin rowspec.Spec, n int, result string) (resultfile.RowProfile, error) {
	tmp, err := os.MkdirTemp("", "clonebench-ab-pprof-")
	if err != nil {
		return resultfile.RowProfile{}, err
	}
	defer os.RemoveAll(tmp)
	stdout, stderr, err := execBench(s.ctx, bin, twin.BenchPattern(), strconv.Itoa(n)+"x", s.timeout(),
		workloads.PprofEnv+"="+rowspec.PprofCPU, workloads.PprofDirEnv+"="+tmp)
	if err != nil {
		return resultfile.RowProfile{}, err
	}
	paths, _ := filepath.Glob(filepath.Join(tmp, "*.pprof"))
	for _, p := range paths {
		rp, err := resultfile.ReadProfile(p)
		if err != nil {
			return resultfile.RowProfile{}, err
		}
		if rp.Row != twin.String() {
			continue
		}
		if rp.Path, err = resultfile.WriteProfile(result, rp); err != nil {
			return resultfile.RowProfile{}, err
		}
		return rp, nil
	}
	return resultfile.RowProfile{}, fmt.Errorf("the executable wrote no profile: %s", reason(stdout, stderr))
}
