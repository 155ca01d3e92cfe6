package bench

import (
	"testing"

	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// runFamily runs every row of one catalogue family as a sub-benchmark.
func runFamily(b *testing.B, family rowspec.Family) {
	rows := profiled(b, probed(b, workloads.Family(family)))
	if len(rows) == 0 {
		b.Skipf("no rows in family %s on this build", family)
	}
	for _, row := range rows {
		var last workloads.Result
		b.Run(row.Sub(), func(b *testing.B) {
			if reason := row.Skip(); reason != "" {
				b.Skip(reason)
			}
			last = workloads.Result{} // an earlier b.N's profile is garbage before Settle, not after
			workloads.Settle()        // as runbench does before each sample
			res, err := row.Run(b.N)
			if err != nil {
				b.Fatalf("%s: %v", row.Name, err)
			}
			report(b, res)
			last = res
		})
		// The last call is the b.N go test reports: its profile is the row's.
		writeProfile(b, row.Name, last)
	}
}

// report replaces the testing package's own ns/op (which includes setup
// such as creating ping-pong partners) with the row's timed interval.
// go test -bench runs rows on the real kernel only (Row.Run, never Row.Sim),
// so the primary unit is always ns/op.
func report(b *testing.B, res workloads.Result) {
	b.ReportMetric(res.PerOp(), rowspec.UnitNsOp)
	for _, m := range res.Metrics {
		b.ReportMetric(m.Value, m.Unit)
	}
}

func BenchmarkCreate(b *testing.B)         { runFamily(b, rowspec.Create) }
func BenchmarkCloneFlags(b *testing.B)     { runFamily(b, rowspec.CloneFlags) }
func BenchmarkCreateRSS(b *testing.B)      { runFamily(b, rowspec.CreateRSS) }
func BenchmarkCreateFDs(b *testing.B)      { runFamily(b, rowspec.CreateFDs) }
func BenchmarkSwitch(b *testing.B)         { runFamily(b, rowspec.Switch) }
func BenchmarkSwitchLibc(b *testing.B)     { runFamily(b, rowspec.SwitchLibc) }
func BenchmarkSwitchOverhead(b *testing.B) { runFamily(b, rowspec.SwitchOverhead) }
func BenchmarkSwitchPairs(b *testing.B)    { runFamily(b, rowspec.SwitchPairs) }
func BenchmarkClone3(b *testing.B)         { runFamily(b, rowspec.Clone3) }
func BenchmarkCreateNS(b *testing.B)       { runFamily(b, rowspec.CreateNS) }
func BenchmarkCreateCgroup(b *testing.B)   { runFamily(b, rowspec.CreateCgroup) }
func BenchmarkCreatePidfd(b *testing.B)    { runFamily(b, rowspec.CreatePidfd) }
func BenchmarkSwitchWake(b *testing.B)     { runFamily(b, rowspec.SwitchWake) }
func BenchmarkCreatePar(b *testing.B)      { runFamily(b, rowspec.CreatePar) }
func BenchmarkCreateThreads(b *testing.B)  { runFamily(b, rowspec.CreateThreads) }
func BenchmarkCreateMaps(b *testing.B)     { runFamily(b, rowspec.CreateMaps) }

// TestEveryFamilyHasABenchmark ties the Benchmark functions above to the
// schema: a family rowspec adds needs its function here.
func TestEveryFamilyHasABenchmark(t *testing.T) {
	have := map[rowspec.Family]func(*testing.B){
		rowspec.Create: BenchmarkCreate, rowspec.CloneFlags: BenchmarkCloneFlags, rowspec.CreateRSS: BenchmarkCreateRSS,
		rowspec.CreateFDs: BenchmarkCreateFDs, rowspec.Switch: BenchmarkSwitch, rowspec.SwitchLibc: BenchmarkSwitchLibc,
		rowspec.SwitchOverhead: BenchmarkSwitchOverhead, rowspec.SwitchPairs: BenchmarkSwitchPairs,
		rowspec.Clone3: BenchmarkClone3, rowspec.CreateNS: BenchmarkCreateNS,
		rowspec.CreateCgroup: BenchmarkCreateCgroup, rowspec.CreatePidfd: BenchmarkCreatePidfd,
		rowspec.SwitchWake: BenchmarkSwitchWake,
		rowspec.CreatePar:  BenchmarkCreatePar, rowspec.CreateThreads: BenchmarkCreateThreads, rowspec.CreateMaps: BenchmarkCreateMaps,
	}
	for _, f := range rowspec.Families() {
		if have[f] == nil {
			t.Errorf("family %s has no Benchmark%s", f, f)
		}
	}
}
