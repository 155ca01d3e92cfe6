package ab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(sctx, bin, "-test.run", "^$", "-test.bench", row.BenchPattern(), "-test.benchtime", benchtime, "-test.count", "1")
	ownGroup(cmd)
	// A grandchild holding the pipes must not hold the session.
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return resultfile.Line{}, 0, errStopped
	case sctx.Err() != nil:
		return resultfile.Line{}, 0, fmt.Errorf("timed out after %v", timeout)
	case err != nil:
		return resultfile.Line{}, 0, fmt.Errorf("%v: %s", err, reason(stdout.Bytes(), stderr.Bytes()))
	}
	f, err := resultfile.Parse(bytes.NewReader(stdout.Bytes()), bin)
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
	return resultfile.Line{}, 0, fmt.Errorf("no result for %s: %s", row.BenchName(), reason(stdout.Bytes(), stderr.Bytes()))
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
