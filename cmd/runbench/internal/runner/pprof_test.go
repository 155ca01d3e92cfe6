package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clonebench/clonebench/kprof"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/workloads"
)

// -pprof puts each raw row's twin right after it (or its skip with the
// kernel's answer); rows without a twin run alone.
func TestWithProfiled(t *testing.T) {
	var plans []*plan
	for _, r := range workloads.Catalogue() {
		if r.Name == "Create/style=fork/cpu=same" || r.Name == "Create/style=goroutine/cpu=any" {
			plans = append(plans, &plan{row: r, name: r.Name, fn: r.Run})
		}
	}
	if len(plans) != 2 {
		t.Fatalf("found %d of the 2 rows", len(plans))
	}
	out, skips := withProfiled(plans, nil)
	if len(out)+len(skips) != 3 {
		t.Fatalf("%d plans, %d skips; want the fork row's twin as one of them", len(out), len(skips))
	}
	twin := "Create/style=fork/cpu=same/pprof=cpu"
	switch {
	case len(skips) == 1:
		if skips[0].Name != twin || skips[0].Reason == "" {
			t.Errorf("skip %+v", skips[0])
		}
	case out[1].row.Name != twin || out[1].fn == nil || out[2].row.Name != "Create/style=goroutine/cpu=any":
		t.Errorf("order: %s, %s, %s", out[0].row.Name, out[1].row.Name, out[2].row.Name)
	}
}

// A row whose samples carry profiles gets one sidecar, its samples'
// profiles merged over all their ops, its path printed after the result
// file's.
func TestRunWritesProfileSidecar(t *testing.T) {
	dir, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the profiles are spooled, unlinked
	name := "Create/style=fork/cpu=same/pprof=cpu"
	row := workloads.Row{Name: name, Suites: workloads.Quick, Run: func(n int) (workloads.Result, error) {
		p := kprof.Build([]kprof.Stack{{Kernel: []uint64{0xffffffff81000000}, Count: 1, Period: 250}}, kprof.Meta{Source: kprof.SourceCPUClock, Period: 250})
		return workloads.Result{N: n, Elapsed: time.Duration(n) * time.Microsecond, Profile: p}, nil
	}}
	opts := testOptions(dir, row)
	opts.Count, opts.Benchtime = 3, time.Millisecond
	stdout, stderr, res, err := run(opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	want := resultfile.ProfilePath(res.Path, name)
	if !strings.Contains(stdout, want) {
		t.Errorf("stdout %q lacks %s", stdout, want)
	}
	rps, err := resultfile.ReadProfiles(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rps) != 1 || rps[0].Row != name || filepath.Base(rps[0].Path) != filepath.Base(want) {
		t.Fatalf("sidecars %+v", rps)
	}
	var ops int64
	for _, r := range readBack(t, res.Path) {
		ops += int64(r.Iters)
	}
	if rps[0].Ops != ops || kprof.Total(rps[0].Profile) != 3*250 {
		t.Errorf("sidecar ops %d total %d; want %d ops over 3 samples of 250", rps[0].Ops, kprof.Total(rps[0].Profile), ops)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the profile spool left %v in TMPDIR", left)
	}
}
