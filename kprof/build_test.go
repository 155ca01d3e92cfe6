package kprof

import (
	"bytes"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// userPC is a PC inside this test binary's function of that name.
func userPC() uint64 {
	pc, _, _, _ := runtime.Caller(0)
	return uint64(pc)
}

// fixtureProfile is a fork-like profile: copy_page_range under dup_mmap,
// and a thread-like stack, with a user frame in this binary.
func fixtureProfile(t *testing.T) *profile.Profile {
	t.Helper()
	k, err := ParseKallsyms(strings.NewReader(fixtureKallsyms + "ffffffff81600000 T dup_mmap\n"))
	if err != nil {
		t.Fatal(err)
	}
	u := userPC()
	p := Build([]Stack{
		// leaf copy_page_range, called from dup_mmap (a return address
		// one past the call), from user code.
		{Kernel: []uint64{0xffffffff81602a00, 0xffffffff81600011}, User: []uint64{u}, Count: 3, Period: 750_000},
		{Kernel: []uint64{0xffffffff81382871}, User: []uint64{u}, Child: true, Count: 1, Period: 250_000},
	}, Meta{Source: SourceCPUClock, Scope: string(ScopeCPU), Period: 250_000, Duration: 1_000_000})
	Symbolize(p, k)
	return p
}

// Build, Symbolize, Write, Parse: the round trip keeps the sample types,
// the period, the function names and which frames are the kernel's.
func TestBuildRoundTrip(t *testing.T) {
	p := fixtureProfile(t)
	if err := p.CheckValid(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	q, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, st := range q.SampleType {
		types = append(types, st.Type+"/"+st.Unit)
	}
	if want := []string{"samples/count", "cpu/nanoseconds"}; !reflect.DeepEqual(types, want) {
		t.Errorf("sample types %v, want %v", types, want)
	}
	if q.Period != 250_000 || q.PeriodType.Type != "cpu" {
		t.Errorf("period %d %v", q.Period, q.PeriodType)
	}
	if !strings.Contains(strings.Join(q.Comments, "\n"), "cpu-clock") {
		t.Errorf("comments %q do not name the source", q.Comments)
	}
	fs := map[string]Func{}
	for _, f := range Functions(q) {
		fs[f.Name] = f
	}
	for name, want := range map[string]Func{
		"copy_page_range":  {Name: "copy_page_range", Kernel: true, Flat: 0.75, Cum: 0.75},
		"dup_mmap":         {Name: "dup_mmap", Kernel: true, Flat: 0, Cum: 0.75},
		"__x64_sys_getpid": {Name: "__x64_sys_getpid", Kernel: true, Flat: 0.25, Cum: 0.25},
	} {
		if got := fs[name]; got != want {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
	user := "github.com/clonebench/clonebench/kprof.userPC"
	if f, ok := fs[user]; !ok || f.Kernel || f.Cum != 1 {
		t.Errorf("user frame %s: %+v, %v", user, f, ok)
	}
	top := KernelTop(q, 1)
	if len(top) != 1 || top[0].Name != "copy_page_range" {
		t.Errorf("KernelTop = %+v", top)
	}
	if got := Total(q); got != 1_000_000 {
		t.Errorf("Total = %d", got)
	}
}

func TestSymbolizeHidden(t *testing.T) {
	p := Build([]Stack{{Kernel: []uint64{0xffffffff81382871}, Count: 1, Period: 1}}, Meta{Source: SourceCPUClock, Period: 1})
	Symbolize(p, &Kallsyms{Hidden: true})
	if len(p.Location[0].Line) != 0 {
		t.Error("a hidden table named a frame")
	}
	if !strings.Contains(strings.Join(p.Comments, "\n"), "hidden") {
		t.Errorf("comments %q do not say the addresses are hidden", p.Comments)
	}
}
