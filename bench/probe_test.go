package bench

import (
	"os"
	"testing"

	"github.com/clonebench/clonebench/workloads"
)

// probed is rows with each raw creation row's probe=sched twin after it
// when CLONEBENCH_PROBE=sched is set (workloads.ProbeEnv), else rows.
func probed(b *testing.B, rows []workloads.Row) []workloads.Row {
	on, err := workloads.ProbeSetting(os.Getenv(workloads.ProbeEnv))
	if err != nil {
		b.Fatal(err)
	}
	if on {
		return workloads.WithProbes(rows)
	}
	return rows
}
