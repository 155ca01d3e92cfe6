package bench

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/clonebench/clonebench/kprof"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/workloads"
)

// profiled is rows with each raw row's pprof=cpu twin after it when
// CLONEBENCH_PPROF=cpu is set (workloads.PprofEnv), else rows.
func profiled(b *testing.B, rows []workloads.Row) []workloads.Row {
	on, err := workloads.PprofSetting(os.Getenv(workloads.PprofEnv))
	if err != nil {
		b.Fatal(err)
	}
	if on {
		return workloads.WithProfiles(rows)
	}
	return rows
}

// pprofStart is this go test's UTCTIME, shared by its profiles as a
// runbench run's sidecars share their result file's.
var pprofStart = sync.OnceValue(func() string { return time.Now().UTC().Format("20060102T150405Z") })

// writeProfile writes a profiled row's last run (the b.N go test
// reports) as UTCTIME.ROW.pprof, named as runbench names its sidecars.
func writeProfile(b *testing.B, row string, res workloads.Result) {
	if res.Profile == nil {
		return
	}
	dir := os.Getenv(workloads.PprofDirEnv)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "clonebench-pprof")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Errorf("%s: %v", workloads.PprofDirEnv, err)
		return
	}
	if err := kprof.SymbolizeLive(res.Profile); err != nil {
		b.Errorf("%s: %v", row, err)
		return
	}
	result := filepath.Join(dir, pprofStart()+".txt")
	path, err := resultfile.WriteProfile(result, resultfile.RowProfile{Row: row, Ops: int64(res.N), Profile: res.Profile})
	if err != nil {
		b.Errorf("%s: %v", row, err)
		return
	}
	b.Logf("profile: %s", path)
}
