package ab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// errStopped is a sample cut short because the session was stopped.
var errStopped = errors.New("stopped")

// sample runs row once in bin with benchtime (go test's: "200x" or a
// duration) and returns its benchmark line. An error is the row's failure,
// with the reason the executable gave.
func sample(ctx context.Context, bin string, row rowspec.Spec, benchtime string, timeout time.Duration) (resultfile.Line, float64, error) {
	stdout, stderr, err := execBench(ctx, bin, row.BenchPattern(), benchtime, timeout)
	if err != nil {
		return resultfile.Line{}, 0, err
	}
	f, err := resultfile.Parse(bytes.NewReader(stdout), bin)
	if err != nil && !errors.Is(err, resultfile.ErrNoResults) {
		return resultfile.Line{}, 0, err
	}
	if f != nil {
		for _, r := range f.Rows {
			// The pattern also selects deeper levels (a probe=sched
			// twin): the row is the line of its own name.
			if r.Name != row.String() {
				continue
			}
			s := r.Samples[0]
			ns, ok := s.Get(rowspec.UnitNsOp)
			if !ok {
				return resultfile.Line{}, 0, fmt.Errorf("no %s figure (a simulated row?)", rowspec.UnitNsOp)
			}
			return resultfile.Line{Name: r.Name, Iters: s.Iters, Values: s.Values}, ns, nil
		}
	}
	return resultfile.Line{}, 0, fmt.Errorf("no result for %s: %s", row.BenchName(), reason(stdout, stderr))
}

// execBench runs bin as go test would run one benchmark pattern for
// benchtime, in its own process group, within timeout; env is added to
// the environment. The error is errStopped when ctx ended, or says why
// the executable failed.
func execBench(ctx context.Context, bin, pattern, benchtime string, timeout time.Duration, env ...string) (stdout, stderr []byte, err error) {
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(sctx, bin, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", benchtime, "-test.count", "1")
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	ownGroup(cmd)
	// A grandchild holding the pipes must not hold the session.
	cmd.WaitDelay = time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	switch {
	case ctx.Err() != nil:
		return nil, nil, errStopped
	case sctx.Err() != nil:
		return nil, nil, fmt.Errorf("timed out after %v", timeout)
	case err != nil:
		return nil, nil, fmt.Errorf("%v: %s", err, reason(out.Bytes(), errOut.Bytes()))
	}
	return out.Bytes(), errOut.Bytes(), nil
}

// reason is what an executable said about a row it did not measure: go
// test's "--- SKIP:"/"--- FAIL:" block with its log lines, else the last
// lines it printed, on one line.
func reason(stdout, stderr []byte) string {
	lines := strings.Split(string(stdout)+"\n"+string(stderr), "\n")
	var out []string
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "--- SKIP:") && !strings.HasPrefix(t, "--- FAIL:") {
			continue
		}
		out = append(out, t)
		for _, m := range lines[i+1:] {
			if len(m) == 0 || (m[0] != ' ' && m[0] != '\t') {
				break
			}
			out = append(out, strings.TrimSpace(m))
		}
	}
	if len(out) == 0 {
		for _, l := range lines {
			switch t := strings.TrimSpace(l); {
			case t == "", t == "PASS", t == "FAIL", strings.HasPrefix(t, "exit status"):
			default:
				out = append(out, t)
			}
		}
		out = out[max(0, len(out)-3):]
	}
	if len(out) == 0 {
		return "no output"
	}
	s := strings.Join(out, "; ")
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}
