package bench

import (
	"testing"

	"github.com/clonebench/clonebench/workloads"
)

// runFamily runs every row of one catalogue family as a sub-benchmark.
func runFamily(b *testing.B, family string) {
	rows := workloads.Family(family)
	if len(rows) == 0 {
		b.Skipf("no rows in family %s on this build", family)
	}
	for _, row := range rows {
		b.Run(row.Sub(), func(b *testing.B) {
			if reason := row.Skip(); reason != "" {
				b.Skip(reason)
			}
			res, err := row.Run(b.N)
			if err != nil {
				b.Fatalf("%s: %v", row.Name, err)
			}
			report(b, res)
		})
	}
}

// report replaces the testing package's own ns/op (which includes setup
// such as creating ping-pong partners) with the row's timed interval.
func report(b *testing.B, res workloads.Result) {
	unit := res.Unit
	if unit == "" {
		unit = "ns/op"
	}
	b.ReportMetric(res.PerOp(), unit)
	if unit != "ns/op" {
		b.ReportMetric(0, "ns/op") // a simulated row has no real time per op
	}
	for _, m := range res.Metrics {
		b.ReportMetric(m.Value, m.Unit)
	}
}

func BenchmarkCreate(b *testing.B)         { runFamily(b, "Create") }
func BenchmarkCloneFlags(b *testing.B)     { runFamily(b, "CloneFlags") }
func BenchmarkCreateRSS(b *testing.B)      { runFamily(b, "CreateRSS") }
func BenchmarkCreateFDs(b *testing.B)      { runFamily(b, "CreateFDs") }
func BenchmarkSwitch(b *testing.B)         { runFamily(b, "Switch") }
func BenchmarkSwitchLibc(b *testing.B)     { runFamily(b, "SwitchLibc") }
func BenchmarkSwitchOverhead(b *testing.B) { runFamily(b, "SwitchOverhead") }
func BenchmarkSwitchPairs(b *testing.B)    { runFamily(b, "SwitchPairs") }
