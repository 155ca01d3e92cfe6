//go:build linux

package workloads

import (
	"slices"
	"testing"

	"github.com/clonebench/clonebench/kprof"
)

// The Done-when check, with a short sample (a few hundred ops, well under
// 0.5 s): fork's profile names copy_page_range or dup_mmap among its top
// kernel functions, thread's does not. No timing is asserted.
func TestProfiledForkNamesCopyPageRange(t *testing.T) {
	if reason := ProfileSkipReason(); reason != "" {
		t.Skip(reason)
	}
	want := []string{"copy_page_range", "dup_mmap"}
	top := func(name string, n int) []string {
		p, ok := Profiled(findRow(t, name))
		if !ok {
			t.Fatalf("%s has no profiled twin", name)
		}
		if reason := p.Skip(); reason != "" {
			t.Skipf("%s: %s", p.Name, reason)
		}
		res, err := p.Run(n)
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		if res.Profile == nil || len(res.Profile.Sample) == 0 {
			t.Fatalf("%s: no samples", p.Name)
		}
		if err := kprof.SymbolizeLive(res.Profile); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range kprof.KernelTop(res.Profile, 15) {
			names = append(names, f.Name)
		}
		t.Logf("%s: %d samples; top kernel functions %v", p.Name, len(res.Profile.Sample), names)
		return names
	}
	fork := top("Create/style=fork/cpu=same", 300)
	if !slices.ContainsFunc(fork, func(s string) bool { return slices.Contains(want, s) }) {
		t.Errorf("fork's top kernel functions %v name neither of %v", fork, want)
	}
	thread := top("Create/style=thread/cpu=same", 3000)
	if slices.ContainsFunc(thread, func(s string) bool { return slices.Contains(want, s) }) {
		t.Errorf("thread's top kernel functions %v name %v", thread, want)
	}
}
