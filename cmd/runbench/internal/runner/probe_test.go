package runner

import (
	"testing"

	"github.com/clonebench/clonebench/workloads"
)

// -probe puts each raw creation row's twin right after it (or its skip
// with the reason); rows without a twin run alone.
func TestWithProbed(t *testing.T) {
	var plans []*plan
	for _, r := range workloads.Catalogue() {
		if r.Name == "Create/style=fork/cpu=same" || r.Name == "Create/style=goroutine/cpu=any" {
			plans = append(plans, &plan{row: r, name: r.Name, fn: r.Run})
		}
	}
	if len(plans) != 2 {
		t.Fatalf("found %d of the 2 rows", len(plans))
	}
	out, skips := withProbed(plans, nil)
	if len(out)+len(skips) != 3 {
		t.Fatalf("%d plans, %d skips; want the fork row's twin as one of them", len(out), len(skips))
	}
	twin := "Create/style=fork/cpu=same/probe=sched"
	switch {
	case len(skips) == 1:
		if skips[0].Name != twin || skips[0].Reason == "" {
			t.Errorf("skip %+v", skips[0])
		}
	case out[1].row.Name != twin || out[1].fn == nil || out[2].row.Name != "Create/style=goroutine/cpu=any":
		t.Errorf("order: %s, %s, %s", out[0].row.Name, out[1].row.Name, out[2].row.Name)
	}
}
