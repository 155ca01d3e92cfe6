package topology

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/rowspec"
)

func span(lo, hi int) []int {
	var out []int
	for i := lo; i <= hi; i++ {
		out = append(out, i)
	}
	return out
}

// want is one placement's expected pair, or the words its skip reason must
// contain.
type want struct {
	a, b int
	skip string
}

func TestFixturePlacements(t *testing.T) {
	containerMask, err := os.ReadFile(filepath.Join("testdata", "container", "cpuset.cpus.effective"))
	if err != nil {
		t.Fatal(err)
	}
	cmask, err := ParseList(strings.TrimSpace(string(containerMask)))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		tree    string
		allowed []int
		facts   string
		place   map[rowspec.CPU]want
		spread  []int // a prefix of Spread()
	}{
		{
			name: "2-socket SMT Intel server", tree: "intel2s", allowed: span(0, 15),
			facts: "cpus-allowed=0-15 smt=on cores=8 llcs=2 nodes=2",
			place: map[rowspec.CPU]want{
				rowspec.CPUSame:  {a: 0, b: 0},
				rowspec.CPUCross: {a: 0, b: 1},
				rowspec.CPUSMT:   {a: 0, b: 8},
				rowspec.CPULLC:   {a: 0, b: 1},
				rowspec.CPUXLLC:  {a: 0, b: 4}, // the LLC is the socket's: the other socket
				rowspec.CPUXNode: {a: 0, b: 4},
			},
			spread: []int{0, 4, 1, 5, 2, 6, 3, 7, 8, 12},
		},
		{
			name: "chiplet EPYC, 8 LLCs per socket", tree: "epyc", allowed: span(0, 63),
			facts: "cpus-allowed=0-63 smt=on cores=32 llcs=16 nodes=2",
			place: map[rowspec.CPU]want{
				rowspec.CPUSame:  {a: 0, b: 0},
				rowspec.CPUCross: {a: 0, b: 1},
				rowspec.CPUSMT:   {a: 0, b: 32},
				rowspec.CPULLC:   {a: 0, b: 1},  // two cores of CCX 0
				rowspec.CPUXLLC:  {a: 0, b: 2},  // the neighbour CCX on the same socket, not the other socket
				rowspec.CPUXNode: {a: 0, b: 16}, // the other socket
			},
		},
		{
			name: "hybrid P/E laptop", tree: "hybrid", allowed: span(0, 15),
			facts: "cpus-allowed=0-15 smt=on cores=12 llcs=1 nodes=1",
			place: map[rowspec.CPU]want{
				rowspec.CPUSame:  {a: 0, b: 0},
				rowspec.CPUCross: {a: 0, b: 1},
				rowspec.CPUSMT:   {a: 0, b: 1}, // P-core threads are adjacent
				rowspec.CPULLC:   {a: 0, b: 2},
				rowspec.CPUXLLC:  {skip: "share one last-level cache (L3)"},
				rowspec.CPUXNode: {skip: "are on NUMA node 0"},
			},
			spread: []int{0, 2, 4, 6, 8, 9, 10, 11, 12, 13, 14, 15, 1, 3, 5, 7},
		},
		{
			name: "cgroup-restricted container", tree: "container", allowed: cmask,
			facts: "cpus-allowed=2-3,6 smt=on cores=2 llcs=1 nodes=1",
			place: map[rowspec.CPU]want{
				rowspec.CPUSame:  {a: 2, b: 2},
				rowspec.CPUCross: {a: 2, b: 3},
				rowspec.CPUSMT:   {a: 2, b: 6},
				rowspec.CPULLC:   {a: 2, b: 3},
				rowspec.CPUXLLC:  {skip: "(2-3,6) share one last-level cache"},
				rowspec.CPUXNode: {skip: "node 0"},
			},
			spread: []int{2, 3, 6},
		},
		{
			name: "container allowed one thread per core", tree: "container", allowed: []int{1, 2},
			facts: "cpus-allowed=1-2 smt=off cores=2 llcs=1 nodes=1",
			place: map[rowspec.CPU]want{
				rowspec.CPUSame:  {a: 1, b: 1},
				rowspec.CPUCross: {a: 1, b: 2},
				rowspec.CPUSMT:   {skip: "the machine has SMT, but the affinity mask (1-2) allows at most one thread of each core"},
				rowspec.CPULLC:   {a: 1, b: 2},
			},
		},
		{
			name: "taskset -c 1 on the server", tree: "intel2s", allowed: []int{1},
			facts: "cpus-allowed=1 smt=off cores=1 llcs=1 nodes=1",
			place: map[rowspec.CPU]want{
				rowspec.CPUSame:  {a: 1, b: 1},
				rowspec.CPUCross: {skip: "needs 2 CPUs, the affinity mask allows only CPU 1"},
				rowspec.CPUSMT:   {skip: "allows at most one thread of each core"},
				rowspec.CPULLC:   {skip: "no last-level cache (L3) holds two allowed CPUs of different cores (allowed: 1)"},
				rowspec.CPUXLLC:  {skip: "all allowed CPUs (1) share one last-level cache"},
				rowspec.CPUXNode: {skip: "all allowed CPUs (1) are on NUMA node 0"},
			},
		},
		{
			name: "server without SMT threads online", tree: "epyc", allowed: span(0, 31),
			facts: "cpus-allowed=0-31 smt=off cores=32 llcs=16 nodes=2",
			place: map[rowspec.CPU]want{
				rowspec.CPUSMT:   {skip: "allows at most one thread of each core"},
				rowspec.CPUXLLC:  {a: 0, b: 2},
				rowspec.CPUXNode: {a: 0, b: 16},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			top, err := Read(filepath.Join("testdata", c.tree, "cpu"), c.allowed)
			if err != nil {
				t.Fatal(err)
			}
			var facts []string
			for _, f := range top.Facts() {
				facts = append(facts, f[0]+"="+f[1])
			}
			if got := strings.Join(facts, " "); got != c.facts {
				t.Errorf("facts = %s, want %s", got, c.facts)
			}
			for p, w := range c.place {
				a, b, ok, err := top.Pair(p)
				if w.skip != "" {
					if err == nil || !errors.Is(err, ErrPlacement) || !strings.Contains(err.Error(), w.skip) {
						t.Errorf("cpu=%s: got (%d, %d, %v), want a placement error containing %q", p, a, b, err, w.skip)
					}
					continue
				}
				if err != nil || !ok || a != w.a || b != w.b {
					t.Errorf("cpu=%s: got (%d, %d, ok=%v, %v), want (%d, %d)", p, a, b, ok, err, w.a, w.b)
				}
				if !slices.Contains(c.allowed, a) || !slices.Contains(c.allowed, b) {
					t.Errorf("cpu=%s: pair (%d, %d) outside the allowed set %v", p, a, b, c.allowed)
				}
			}
			if _, _, ok, err := top.Pair(rowspec.CPUAny); ok || err != nil {
				t.Errorf("cpu=any: got ok=%v err=%v, want no pair and no error", ok, err)
			}
			sp := top.Spread()
			if len(sp) != len(top.CPUs) {
				t.Errorf("Spread has %d CPUs, want %d", len(sp), len(top.CPUs))
			}
			if c.spread != nil && !slices.Equal(sp[:len(c.spread)], c.spread) {
				t.Errorf("Spread = %v, want prefix %v", sp, c.spread)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	if _, err := Read(filepath.Join("testdata", "intel2s", "cpu"), nil); err == nil {
		t.Error("Read with no allowed CPUs: no error")
	}
	_, err := Read(filepath.Join("testdata", "intel2s", "cpu"), []int{0, 99})
	if err == nil || !strings.Contains(err.Error(), "cpu99") {
		t.Errorf("Read with an allowed CPU sysfs lacks: %v, want an error naming cpu99", err)
	}
}

func TestLists(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
		bad  bool
	}{
		{"0", []int{0}, false},
		{"0-3,8,10-11", []int{0, 1, 2, 3, 8, 10, 11}, false},
		{"", nil, false},
		{"3-1", nil, true},
		{"a", nil, true},
		{"1,", nil, true},
	} {
		got, err := ParseList(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("ParseList(%q) = %v, want an error", c.in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("ParseList(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if f := FormatList(got); f != c.in {
			t.Errorf("FormatList(%v) = %q, want %q", got, f, c.in)
		}
	}
}

func TestLiveMachine(t *testing.T) {
	top, err := Live()
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	allowed, _ := AllowedCPUs()
	if !slices.Equal(top.Allowed(), allowed) {
		t.Errorf("Allowed() = %v, sched_getaffinity says %v", top.Allowed(), allowed)
	}
	for _, p := range rowspec.CPUs() {
		a, b, ok, err := top.Pair(p)
		if err != nil {
			if !errors.Is(err, ErrPlacement) {
				t.Errorf("cpu=%s: %v does not wrap ErrPlacement", p, err)
			}
			continue
		}
		if ok && (!slices.Contains(allowed, a) || !slices.Contains(allowed, b)) {
			t.Errorf("cpu=%s: (%d, %d) outside the allowed set %v", p, a, b, allowed)
		}
	}
}

// TestFixtureCreators shows which CPUs each CreatePar par=N row uses on the
// fixture machines: one creator per CPU, cores before SMT siblings, spread
// over nodes and LLCs; more creators than allowed CPUs is a skip.
func TestFixtureCreators(t *testing.T) {
	containerMask, err := os.ReadFile(filepath.Join("testdata", "container", "cpuset.cpus.effective"))
	if err != nil {
		t.Fatal(err)
	}
	cmask, err := ParseList(strings.TrimSpace(string(containerMask)))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		tree    string
		allowed []int
		par     map[int][]int // nil: a skip
	}{
		{
			name: "2-socket SMT Intel server", tree: "intel2s", allowed: span(0, 15),
			par: map[int][]int{
				1:  {0},
				2:  {0, 4},                   // one core on each socket
				4:  {0, 4, 1, 5},             // two cores a socket
				8:  {0, 4, 1, 5, 2, 6, 3, 7}, // every core once, no SMT sibling yet
				16: {0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15},
				32: nil,
			},
		},
		{
			name: "chiplet EPYC, 8 LLCs per socket", tree: "epyc", allowed: span(0, 63),
			par: map[int][]int{
				1:   {0},
				2:   {0, 2}, // two CCXs: no two creators share an L3
				4:   {0, 2, 4, 6},
				16:  {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}, // one core of each of the 16 CCXs
				32:  {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31},
				128: nil,
			},
		},
		{
			name: "cgroup-restricted container", tree: "container", allowed: cmask,
			par: map[int][]int{
				1: {2},
				2: {2, 3}, // two cores before the SMT sibling 6
				4: nil,    // three CPUs allowed
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			top, err := Read(filepath.Join("testdata", c.tree, "cpu"), c.allowed)
			if err != nil {
				t.Fatal(err)
			}
			for n, want := range c.par {
				got, err := top.Creators(n)
				if want == nil {
					if err == nil || !errors.Is(err, ErrPlacement) || !strings.Contains(err.Error(), "one per creator") {
						t.Errorf("par=%d: got %v, %v; want a placement error", n, got, err)
					}
					continue
				}
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("par=%d: got %v, %v; want %v", n, got, err, want)
				}
				seen := map[int]bool{}
				for _, cpu := range got {
					if seen[cpu] || !slices.Contains(c.allowed, cpu) {
						t.Errorf("par=%d: CPU %d repeated or not allowed (%v)", n, cpu, got)
					}
					seen[cpu] = true
				}
			}
		})
	}
}
