//go:build linux

package workloads

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

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
		t.Logf("%s: %d distinct stacks; top kernel functions %v", p.Name, len(res.Profile.Sample), names)
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

// The profile's sampled time (samples × period) accounts for the CPU time
// of the measured tasks, the measuring thread's (RUSAGE_THREAD) and its
// reaped children's (RUSAGE_CHILDREN), within 20%: sampling sees the
// row's tasks and nothing else. Both sides count the same CPU time, so a
// busy machine stretches neither; no time is asserted, only their ratio.
func TestProfiledSamplesMatchCPUTime(t *testing.T) {
	if reason := ProfileSkipReason(); reason != "" {
		t.Skip(reason)
	}
	p, ok := Profiled(findRow(t, "Create/style=fork/cpu=same"))
	if !ok {
		t.Fatal("no profiled twin")
	}
	if reason := p.Skip(); reason != "" {
		t.Skip(reason)
	}
	runtime.LockOSThread() // RUSAGE_THREAD must be the thread the row clones from
	defer runtime.UnlockOSThread()
	var self0, kids0, self1, kids1 unix.Rusage
	unix.Getrusage(unix.RUSAGE_THREAD, &self0)
	unix.Getrusage(unix.RUSAGE_CHILDREN, &kids0)
	res, err := p.Run(300)
	unix.Getrusage(unix.RUSAGE_THREAD, &self1)
	unix.Getrusage(unix.RUSAGE_CHILDREN, &kids1)
	if err != nil {
		t.Error(err)
		return
	}
	cpu := func(r unix.Rusage) time.Duration {
		return time.Duration(r.Utime.Nano() + r.Stime.Nano())
	}
	used := cpu(self1) - cpu(self0) + cpu(kids1) - cpu(kids0)
	var samples int64
	for _, s := range res.Profile.Sample {
		samples += s.Value[0]
	}
	sampled := time.Duration(samples * res.Profile.Period)
	t.Logf("%d samples × %v = %v sampled; rusage %v (thread + reaped children); scope: %v", samples, time.Duration(res.Profile.Period), sampled, used, res.Profile.Comments)
	if samples < 200 {
		t.Skipf("only %d samples: too few to compare", samples)
	}
	if r := float64(sampled) / float64(used); r < 0.8 || r > 1.2 {
		t.Errorf("sampled/used CPU = %.2f, want within 20%% of 1", r)
	}
}
