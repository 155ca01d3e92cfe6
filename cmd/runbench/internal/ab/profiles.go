package ab

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// profiles takes one profiled pass of each compared row on each side,
// after the rounds so that no paired sample ran under sampling: the row's
// pprof=cpu twin, run by the side's executable with CLONEBENCH_PPROF=cpu
// for the row's n ops, its profile written beside that side's result file
// (files[i]) as run -pprof writes it. It returns one line per row and side
// saying where the profile went or why there is none (a row without a
// twin, perf events refused, an executable that writes none).
func (s *session) profiles(files []string) []string {
	// Which rows have a twin is the catalogue's to say (workloads.Profiled).
	twins := map[string]rowspec.Spec{}
	for _, w := range workloads.Catalogue() {
		if p, ok := workloads.Profiled(w); ok {
			twins[w.Name] = p.Spec
		}
	}
	var out []string
	for _, r := range s.rows {
		twin, ok := twins[r.spec.String()]
		if r.failed != "" || r.n == 0 || !ok {
			continue
		}
		for i, side := range []string{"A", "B"} {
			if s.ctx.Err() != nil {
				return out
			}
			if s.knob != nil {
				if err := s.knob.set(s.knob.knob.Values[i]); err != nil {
					return append(out, fmt.Sprintf("profiles: -knob %s: %v", s.knob.knob.Path, err))
				}
			}
			fmt.Fprintf(s.stderr, "[runbench] ab profile %s on %s\n", twin, side)
			path, err := s.profile(s.bins[i], twin, r.n, files[i])
			if err != nil {
				out = append(out, fmt.Sprintf("profile of %s on %s: none: %v", r.spec, side, err))
				continue
			}
			out = append(out, fmt.Sprintf("profile of %s on %s: %s", r.spec, side, path))
		}
	}
	return out
}

// profile runs twin for n ops in bin with sampling on and writes the
// profile it leaves as result's sidecar.
func (s *session) profile(bin string, twin rowspec.Spec, n int, result string) (string, error) {
	tmp, err := os.MkdirTemp("", "clonebench-ab-pprof-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run", "^$", "-test.bench", twin.BenchPattern(),
		"-test.benchtime", strconv.Itoa(n)+"x", "-test.count", "1")
	cmd.Env = append(os.Environ(), workloads.PprofEnv+"="+rowspec.PprofCPU, workloads.PprofDirEnv+"="+tmp)
	ownGroup(cmd)
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%v: %s", err, reason(stdout.Bytes(), stderr.Bytes()))
	}
	paths, _ := filepath.Glob(filepath.Join(tmp, "*.pprof"))
	for _, p := range paths {
		rp, err := resultfile.ReadProfile(p)
		if err != nil {
			return "", err
		}
		if rp.Row != twin.String() {
			continue
		}
		return resultfile.WriteProfile(result, resultfile.RowProfile{Row: rp.Row, Ops: rp.Ops, Profile: rp.Profile})
	}
	return "", fmt.Errorf("the executable wrote no profile: %s", reason(stdout.Bytes(), stderr.Bytes()))
}
