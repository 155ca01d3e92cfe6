package comparison

import (
	"bytes"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/kprof"
	"github.com/clonebench/clonebench/resultfile"
)

const diffKallsyms = `ffffffff81000000 T copy_page_range
ffffffff81001000 T dup_mmap
ffffffff81002000 T zap_pte_range
ffffffff81003000 T finish_task_switch
`

// rowProfile is a profile of ops ops whose leaves spent ns in each
// function (by its kallsyms fixture address).
func rowProfile(t *testing.T, row string, ops int64, ns map[uint64]int64) resultfile.RowProfile {
	t.Helper()
	k, err := kprof.ParseKallsyms(strings.NewReader(diffKallsyms))
	if err != nil {
		t.Fatal(err)
	}
	var st []kprof.Stack
	for addr, v := range ns {
		st = append(st, kprof.Stack{Kernel: []uint64{addr + 8}, Count: v / 250, Period: v})
	}
	p := kprof.Build(st, kprof.Meta{Source: kprof.SourceCPUClock, Period: 250})
	kprof.Symbolize(p, k)
	return resultfile.RowProfile{Row: row, Ops: ops, Profile: p}
}

// Per op, not per profile: B ran twice the ops, so copy_page_range's
// doubled total is no move, zap_pte_range's quadrupled total is, and a
// function only B sampled is "new". A row profiled on one side only is
// left out.
func TestDiffProfiles(t *testing.T) {
	a := []resultfile.RowProfile{
		rowProfile(t, "Create/style=fork/cpu=any/pprof=cpu", 100, map[uint64]int64{0xffffffff81000000: 100_000, 0xffffffff81002000: 50_000, 0xffffffff81003000: 10_000}),
		rowProfile(t, "Create/style=thread/cpu=same/pprof=cpu", 100, map[uint64]int64{0xffffffff81003000: 10_000}),
	}
	b := []resultfile.RowProfile{
		rowProfile(t, "Create/style=fork/cpu=any/pprof=cpu", 200, map[uint64]int64{0xffffffff81000000: 200_000, 0xffffffff81002000: 200_000, 0xffffffff81001000: 20_000, 0xffffffff81003000: 20_000}),
	}
	diffs := DiffProfiles(a, b, 3)
	if len(diffs) != 1 {
		t.Fatalf("diffs %+v", diffs)
	}
	var buf bytes.Buffer
	if err := WriteProfileDiff(&buf, diffs); err != nil {
		t.Fatal(err)
	}
	want := `functions whose time per op moved most (flat, from each side's pprof sidecar):
Create/style=fork/cpu=any (100 ops → 200 ops)
  function             A ns/op  B ns/op  delta
  zap_pte_range [k]        500     1000   +500  +100%
  dup_mmap [k]               0      100   +100    new
  copy_page_range [k]     1000     1000     +0    +0%
`
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	n := buf.Len()
	if err := WriteProfileDiff(&buf, nil); err != nil || buf.Len() != n {
		t.Errorf("no diffs wrote something: %v", err)
	}
}
