package topology

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// SysRoot is where Linux describes its CPUs.
const SysRoot = "/sys/devices/system/cpu"

// ErrPlacement is wrapped by every error saying the machine (or the
// affinity mask) cannot give a placement.
var ErrPlacement = errors.New("placement not available")

// CPU is one allowed CPU and where it sits.
type CPU struct {
	ID       int
	Package  int   // physical_package_id (socket)
	Die      int   // die_id, 0 where the kernel has none
	Core     int   // index into Topology's cores: CPUs with one Core are SMT siblings
	LLC      int   // index into Topology's LLCs, -1 if the caches are not described
	Node     int   // NUMA node, 0 where the kernel describes none
	Siblings []int // thread_siblings_list, every sibling (allowed or not), itself included
}

// Topology is the allowed CPUs of one machine.
type Topology struct {
	CPUs  []CPU // allowed CPUs, lowest ID first
	cores int   // distinct cores among the allowed CPUs
	llcs  int
	nodes int
	smt   bool // some core has two or more allowed threads
	// machineSMT: some core has two or more threads, allowed or not.
	machineSMT bool
	llcLevel   int // the cache level taken as the LLC, 0 if none
}

// Read reads the topology of the allowed CPUs from root (SysRoot on a live
// machine). A CPU without a topology directory (offline, or a kernel that
// does not describe it) is an error: placement would be guesswork.
func Read(root string, allowed []int) (*Topology, error) {
	if len(allowed) == 0 {
		return nil, fmt.Errorf("topology: empty set of allowed CPUs")
	}
	ids := slices.Clone(allowed)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	t := &Topology{}
	type coreKey struct{ pkg, die, core int }
	cores := map[coreKey]int{}
	llcs := map[string]int{}
	nodes := map[int]bool{}
	for _, id := range ids {
		dir := filepath.Join(root, "cpu"+strconv.Itoa(id))
		c := CPU{ID: id, LLC: -1}
		var err error
		if c.Package, err = readInt(filepath.Join(dir, "topology", "physical_package_id")); err != nil {
			return nil, fmt.Errorf("topology: cpu%d: %w", id, err)
		}
		core, err := readInt(filepath.Join(dir, "topology", "core_id"))
		if err != nil {
			return nil, fmt.Errorf("topology: cpu%d: %w", id, err)
		}
		if d, err := readInt(filepath.Join(dir, "topology", "die_id")); err == nil {
			c.Die = d
		}
		sib, err := readList(filepath.Join(dir, "topology", "thread_siblings_list"))
		if err != nil {
			return nil, fmt.Errorf("topology: cpu%d: %w", id, err)
		}
		c.Siblings = sib
		if len(sib) > 1 {
			t.machineSMT = true
		}
		k := coreKey{c.Package, c.Die, core}
		if _, ok := cores[k]; !ok {
			cores[k] = len(cores)
		}
		c.Core = cores[k]
		level, shared, err := readLLC(dir)
		if err != nil {
			return nil, fmt.Errorf("topology: cpu%d: %w", id, err)
		}
		if level > 0 {
			if t.llcLevel != 0 && level != t.llcLevel {
				return nil, fmt.Errorf("topology: cpu%d: last-level cache is L%d, cpu%d's is L%d", id, level, t.CPUs[0].ID, t.llcLevel)
			}
			t.llcLevel = level
			key := fmt.Sprint(shared)
			if _, ok := llcs[key]; !ok {
				llcs[key] = len(llcs)
			}
			c.LLC = llcs[key]
		}
		if c.Node, err = readNode(dir); err != nil {
			return nil, fmt.Errorf("topology: cpu%d: %w", id, err)
		}
		nodes[c.Node] = true
		t.CPUs = append(t.CPUs, c)
	}
	perCore := map[int]int{}
	for _, c := range t.CPUs {
		perCore[c.Core]++
		if perCore[c.Core] > 1 {
			t.smt = true
		}
	}
	t.cores, t.llcs, t.nodes = len(cores), len(llcs), len(nodes)
	return t, nil
}

// Allowed lists the allowed CPU IDs, lowest first.
func (t *Topology) Allowed() []int {
	out := make([]int, len(t.CPUs))
	for i, c := range t.CPUs {
		out[i] = c.ID
	}
	return out
}

// SMT reports whether two allowed CPUs share a core.
func (t *Topology) SMT() bool { return t.smt }

// Cores, LLCs and Nodes count those the allowed CPUs span. LLCs is 0 where
// sysfs describes no cache.
func (t *Topology) Cores() int { return t.cores }
func (t *Topology) LLCs() int  { return t.llcs }
func (t *Topology) Nodes() int { return t.nodes }

// Facts are the config lines a result file carries, in order:
// cpus-allowed (a cpulist, "0-3,8"), smt (on or off), cores, llcs, nodes.
func (t *Topology) Facts() [][2]string {
	smt := "off"
	if t.smt {
		smt = "on"
	}
	return [][2]string{
		{KeyCPUsAllowed, FormatList(t.Allowed())},
		{KeySMT, smt},
		{KeyCores, strconv.Itoa(t.cores)},
		{KeyLLCs, strconv.Itoa(t.llcs)},
		{KeyNodes, strconv.Itoa(t.nodes)},
	}
}

// The config keys of Facts: a contract, like sysinfo's keys.
const (
	KeyCPUsAllowed = "cpus-allowed"
	KeySMT         = "smt"
	KeyCores       = "cores"
	KeyLLCs        = "llcs"
	KeyNodes       = "nodes"
)

// FactKeys are the keys of Facts.
var FactKeys = []string{KeyCPUsAllowed, KeySMT, KeyCores, KeyLLCs, KeyNodes}

// Spread orders the allowed CPUs so that the first k of them are as far
// apart as the machine allows for any k: one thread of each core first,
// taking cores from each node and LLC in turn, then the second threads, and
// so on. SwitchPairs puts pair i on Spread()[i].
func (t *Topology) Spread() []int {
	// rank is a CPU's place among its core's allowed threads; within one
	// rank, CPUs are dealt from the (node, LLC) buckets in turn.
	rank := map[int]int{}
	type slot struct{ rank, bucket, pos, id int }
	buckets := map[[2]int]int{}
	var slots []slot
	pos := map[[2]int]int{} // (rank, bucket) → CPUs placed so far
	for _, c := range t.CPUs {
		r := rank[c.Core]
		rank[c.Core]++
		bk := [2]int{c.Node, c.LLC}
		b, ok := buckets[bk]
		if !ok {
			b = len(buckets)
			buckets[bk] = b
		}
		key := [2]int{r, b}
		slots = append(slots, slot{r, b, pos[key], c.ID})
		pos[key]++
	}
	sort.SliceStable(slots, func(i, j int) bool {
		a, b := slots[i], slots[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.pos != b.pos {
			return a.pos < b.pos
		}
		return a.bucket < b.bucket
	})
	out := make([]int, len(slots))
	for i, s := range slots {
		out[i] = s.id
	}
	return out
}

func readInt(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

func readList(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l, err := ParseList(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// readLLC finds the highest-level data or unified cache of a CPU and the
// CPUs sharing it; level 0 if the kernel describes no cache (some VMs).
func readLLC(dir string) (level int, shared []int, err error) {
	idx, _ := filepath.Glob(filepath.Join(dir, "cache", "index[0-9]*"))
	for _, d := range idx {
		typ, err := os.ReadFile(filepath.Join(d, "type"))
		if err != nil {
			return 0, nil, err
		}
		if strings.TrimSpace(string(typ)) == "Instruction" {
			continue
		}
		l, err := readInt(filepath.Join(d, "level"))
		if err != nil {
			return 0, nil, err
		}
		if l <= level {
			continue
		}
		s, err := readList(filepath.Join(d, "shared_cpu_list"))
		if err != nil {
			return 0, nil, err
		}
		level, shared = l, s
	}
	return level, shared, nil
}

// readNode reads the cpuN/nodeM entry; a kernel without NUMA has none and
// everything is node 0.
func readNode(dir string) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	for _, e := range ents {
		if rest, ok := strings.CutPrefix(e.Name(), "node"); ok {
			if n, err := strconv.Atoi(rest); err == nil {
				return n, nil
			}
		}
	}
	return 0, nil
}

// ParseList reads the kernel's cpulist format: "0-3,8,10-11".
func ParseList(s string) ([]int, error) {
	var out []int
	if s == "" {
		return nil, nil
	}
	for _, p := range strings.Split(s, ",") {
		lo, hi, rng := strings.Cut(p, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("cpulist %q: bad CPU %q", s, lo)
		}
		b := a
		if rng {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("cpulist %q: bad range %q", s, p)
			}
		}
		for i := a; i <= b; i++ {
			out = append(out, i)
		}
	}
	return out, nil
}

// FormatList writes ids (sorted) in the cpulist format.
func FormatList(ids []int) string {
	var b strings.Builder
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(ids[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(ids[j]))
		}
		i = j + 1
	}
	return b.String()
}
