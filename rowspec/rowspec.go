package rowspec

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ErrName is wrapped by every Parse error.
var ErrName = errors.New("rowspec: not a row name")

// Family is the Benchmark function a row belongs to: the part of its name
// before the first '/'.
type Family string

// The families, in catalogue order.
const (
	Create         Family = "Create"
	CloneFlags     Family = "CloneFlags"
	CreateRSS      Family = "CreateRSS"
	CreateFDs      Family = "CreateFDs"
	Switch         Family = "Switch"
	SwitchLibc     Family = "SwitchLibc"
	SwitchOverhead Family = "SwitchOverhead"
	SwitchPairs    Family = "SwitchPairs"

	// Containers' creation: clone3, namespaces, cgroups, pidfds.
	Clone3       Family = "Clone3"       // the seed flag sets through clone3
	CreateNS     Family = "CreateNS"     // fork-style clone with one CLONE_NEW* flag, or a runtime's set
	CreateCgroup Family = "CreateCgroup" // into a cgroup v2: CLONE_INTO_CGROUP or a write to cgroup.procs
	CreatePidfd  Family = "CreatePidfd"  // CLONE_PIDFD, reaped through the pidfd or with wait4

	// SwitchWake: wake-up latency (waker's wake call to the wakee in user
	// space), schbench's figure, per wake-up.
	SwitchWake Family = "SwitchWake"

	// How creation scales (issue 24): several creators at once, and a
	// parent that holds many threads or many mappings. Their names have no
	// cpu= key: CreatePar pins each creator to its own CPU (par=1 is the
	// op of Create/…/cpu=same), and CreateThreads and CreateMaps run
	// pinned as cpu=same rows do.
	CreatePar     Family = "CreatePar"     // N creators at once, each pinned to its own CPU
	CreateThreads Family = "CreateThreads" // creation while the process holds N idle threads
	CreateMaps    Family = "CreateMaps"    // fork while the parent holds N extra touched mappings
)

// Families lists every family in catalogue order.
func Families() []Family {
	return []Family{Create, CloneFlags, CreateRSS, CreateFDs, Switch, SwitchLibc, SwitchOverhead, SwitchPairs,
		Clone3, CreateNS, CreateCgroup, CreatePidfd, SwitchWake, CreatePar, CreateThreads, CreateMaps}
}

// Rank is f's position in Families, or len(Families()) for an unknown one.
func (f Family) Rank() int {
	if i := slices.Index(Families(), f); i >= 0 {
		return i
	}
	return len(Families())
}

// Creation reports whether f times create+exit+reap/join.
func (f Family) Creation() bool {
	return f == Create || f == CloneFlags || f == CreateRSS || f == CreateFDs || f.container() || f.Scaling()
}

// Scaling reports whether f is one of the families of how creation scales
// (CreatePar, CreateThreads, CreateMaps). They were born with their keys,
// so a name without cpu= is no legacy name; they have no probed twins
// and simkernel does not run them (workloads says why on each row).
func (f Family) Scaling() bool {
	return f == CreatePar || f == CreateThreads || f == CreateMaps
}

// container reports whether f is one of the clone3/namespace/cgroup/pidfd
// families, which simkernel does not run as rows (it models their flags'
// rules, not their costs).
func (f Family) container() bool {
	return f == Clone3 || f == CreateNS || f == CreateCgroup || f == CreatePidfd
}

// Simulated reports whether simkernel models f.
func (f Family) Simulated() bool {
	return f != SwitchLibc && f != SwitchWake && !f.container() && !f.Scaling() && f.Rank() < len(Families())
}

// Keys are f's keys, in the order its names write them.
func (f Family) Keys() []Key { return familyKeys[f] }

var familyKeys = map[Family][]Key{
	Create:         {KeyStyle, KeyCPU},
	CloneFlags:     {KeyFlags, KeyCPU},
	CreateRSS:      {KeyStyle, KeyTHP, KeyRSS, KeyCPU},
	CreateFDs:      {KeyStyle, KeyFDs, KeyCPU},
	Switch:         {KeyMech, KeyMode, KeyCPU, KeyWS},
	SwitchLibc:     {KeyMode, KeyCPU},
	SwitchOverhead: {KeyMech},
	SwitchPairs:    {KeyMode, KeyPairs, KeyCPU},
	Clone3:         {KeyStyle, KeyCPU},
	CreateNS:       {KeyNS, KeyCPU},
	CreateCgroup:   {KeyHow, KeyCPU},
	CreatePidfd:    {KeyWait, KeyCPU},
	SwitchWake:     {KeyMech, KeyMode, KeyCPU},
	CreatePar:      {KeyStyle, KeyPar},
	CreateThreads:  {KeyStyle, KeyThreads},
	CreateMaps:     {KeyStyle, KeyMaps},
}

// Key is one key of a row name.
type Key string

const (
	KeyStyle   Key = "style"   // how a task is made: Style
	KeyFlags   Key = "flags"   // a clone flag set as rawclone.Flags.String prints it
	KeyTHP     Key = "thp"     // on or off
	KeyRSS     Key = "rss"     // Size the parent holds
	KeyFDs     Key = "fds"     // extra open descriptors, a count
	KeyMech    Key = "mech"    // Mech
	KeyMode    Key = "mode"    // Mode
	KeyCPU     Key = "cpu"     // CPU placement
	KeyWS      Key = "ws"      // Size each side touches per round trip
	KeyPairs   Key = "pairs"   // ping-pong pairs, a count ≥ 1
	KeyNS      Key = "ns"      // NS: the CLONE_NEW* flag of a CreateNS row
	KeyHow     Key = "how"     // How: how a CreateCgroup child gets into its cgroup
	KeyWait    Key = "wait"    // Wait: how a CreatePidfd child is reaped
	KeyPar     Key = "par"     // creators at once, a count ≥ 1
	KeyThreads Key = "threads" // idle threads the process holds beside the creator, a count
	KeyMaps    Key = "maps"    // extra touched mappings the parent holds, a count
	// KeyProbe is optional and last: a row run with BPF programs
	// attributing its time (probe=sched), never mixed with the plain row.
	KeyProbe Key = "probe"
	// KeyPprof is optional and last, like KeyProbe and never with it: a
	// row run under perf_event sampling (pprof=cpu, package kprof), its
	// ns/op kept apart from the plain row's so profiling's overhead is
	// the ratio of the two.
	KeyPprof Key = "pprof"
)

// PprofCPU is the pprof value of rows sampled on-CPU (package kprof).
const PprofCPU = "cpu"

// ProbeSched is the probe value of rows attributed from scheduler and
// syscall tracepoints (package probe).
const ProbeSched = "sched"

// Probed reports whether f's rows have probe= twins: the creation
// families, and the raw ping-pong switch families (workloads decides
// which of their rows: the cpu=same ones).
func (f Family) Probed() bool {
	return (f.Creation() && !f.Scaling()) || f == Switch || f == SwitchLibc
}

// Kind is what sort of value a key holds.
type Kind int

const (
	KindEnum  Kind = iota // one of Key.Values
	KindSize              // FormatSize's form
	KindCount             // a decimal count without sign or leading zeros
	KindFlags             // names joined by '|', as rawclone.Flags.String
	KindBool              // on or off
)

// Kind is the sort of value k holds.
func (k Key) Kind() Kind {
	switch k {
	case KeyRSS, KeyWS:
		return KindSize
	case KeyFDs, KeyPairs, KeyPar, KeyThreads, KeyMaps:
		return KindCount
	case KeyFlags:
		return KindFlags
	case KeyTHP:
		return KindBool
	}
	return KindEnum
}

// Values are the values an enum key allows, in the order reports list them;
// nil for other kinds.
func (k Key) Values() []string {
	switch k {
	case KeyStyle:
		return strs(Styles())
	case KeyMech:
		return strs(Mechs())
	case KeyMode:
		return strs(Modes())
	case KeyCPU:
		return strs(CPUs())
	case KeyTHP:
		return []string{"off", "on"}
	case KeyNS:
		return strs(NSs())
	case KeyHow:
		return strs(Hows())
	case KeyWait:
		return strs(Waits())
	case KeyProbe:
		return []string{ProbeSched}
	case KeyPprof:
		return []string{PprofCPU}
	}
	return nil
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Style is how a creation row makes its task.
type Style string

// The styles, in the order reports list them: processes, then threads, then
// the contrast.
const (
	StyleFork             Style = "fork"               // raw clone, glibc fork's flags
	StyleForkMinimal      Style = "fork-minimal"       // the same from a raw child that unmapped Go's address space
	StyleLibcFork         Style = "libc-fork"          // glibc fork()
	StyleVfork            Style = "vfork"              // raw clone(VM|VFORK|SIGCHLD)
	StyleSpawn            Style = "spawn"              // os/exec: vfork-style clone + execve
	StyleThread           Style = "thread"             // raw clone, pthread_create's flags, cached stack
	StyleThreadFreshStack Style = "thread-fresh-stack" // the same on a fresh mmap'd stack
	StylePthread          Style = "pthread"            // glibc pthread_create + join
	StyleGoroutine        Style = "goroutine"          // go f(), no clone
)

// Styles lists every style in report order.
func Styles() []Style {
	return []Style{StyleFork, StyleForkMinimal, StyleLibcFork, StyleVfork, StyleSpawn, StyleThread, StyleThreadFreshStack, StylePthread, StyleGoroutine}
}

// Kind is what a style makes: "process", "thread" or "goroutine".
func (s Style) Kind() string {
	switch s {
	case StyleFork, StyleForkMinimal, StyleLibcFork, StyleVfork, StyleSpawn:
		return "process"
	case StyleThread, StyleThreadFreshStack, StylePthread:
		return "thread"
	case StyleGoroutine:
		return "goroutine"
	}
	return ""
}

// Mech is a ping-pong mechanism.
type Mech string

const (
	MechPipe    Mech = "pipe"    // two pipes, one byte each way
	MechFutex   Mech = "futex"   // FUTEX_WAIT/FUTEX_WAKE on a shared word
	MechEventfd Mech = "eventfd" // two eventfds, 8 bytes each way
	MechUnix    Mech = "unix"    // AF_UNIX SOCK_STREAM socketpair, one byte
	MechYield   Mech = "yield"   // spin on a shared word with sched_yield
	MechChan    Mech = "chan"    // Go unbuffered channels (goroutine mode only)
)

// Mechs lists every mechanism in report order.
func Mechs() []Mech { return []Mech{MechPipe, MechFutex, MechEventfd, MechUnix, MechYield, MechChan} }

// Mode is how the two sides of a switch row are created.
type Mode string

const (
	ModeProcess   Mode = "process"   // fork-style clones
	ModeThread    Mode = "thread"    // thread-style clones
	ModeGoroutine Mode = "goroutine" // two goroutines
)

// Modes lists every mode in report order.
func Modes() []Mode { return []Mode{ModeProcess, ModeThread, ModeGoroutine} }

// CPU is where a row's tasks run.
type CPU string

const (
	CPUSame  CPU = "same"  // both on one CPU
	CPUCross CPU = "cross" // on two different CPUs
	CPUAny   CPU = "any"   // where the scheduler puts them
)

// The topology placements (internal/topology picks their CPUs): two
// different CPUs that share a core, share an LLC but not a core, sit in
// different LLCs, sit on different NUMA nodes.
const (
	CPUSMT   CPU = "smt"
	CPULLC   CPU = "llc"
	CPUXLLC  CPU = "xllc"
	CPUXNode CPU = "xnode"
)

// CPUs lists every placement in report order.
func CPUs() []CPU { return []CPU{CPUSame, CPUCross, CPUAny, CPUSMT, CPULLC, CPUXLLC, CPUXNode} }

// TwoCPUs reports whether c pins the two tasks of a row to two different
// CPUs.
func (c CPU) TwoCPUs() bool { return c != CPUSame && c != CPUAny && c != "" }

// NS is the namespace a CreateNS row's child gets new.
type NS string

const (
	NSUTS    NS = "uts"    // CLONE_NEWUTS
	NSIPC    NS = "ipc"    // CLONE_NEWIPC
	NSMnt    NS = "mnt"    // CLONE_NEWNS
	NSPID    NS = "pid"    // CLONE_NEWPID
	NSNet    NS = "net"    // CLONE_NEWNET
	NSUser   NS = "user"   // CLONE_NEWUSER
	NSCgroup NS = "cgroup" // CLONE_NEWCGROUP
	NSAll    NS = "all"    // a container runtime's set: mnt, uts, ipc, pid, net, cgroup
)

// NSs lists every namespace value in report order.
func NSs() []NS { return []NS{NSUTS, NSIPC, NSMnt, NSPID, NSNet, NSUser, NSCgroup, NSAll} }

// How is how a CreateCgroup child gets into the prepared cgroup.
type How string

const (
	HowInto    How = "into"    // clone3 with CLONE_INTO_CGROUP
	HowMigrate How = "migrate" // clone3 without it, then a write to cgroup.procs
)

// Hows lists every How in report order.
func Hows() []How { return []How{HowInto, HowMigrate} }

// Wait is how a CreatePidfd child is reaped.
type Wait string

const (
	WaitPidfd Wait = "pidfd" // waitid(P_PIDFD)
	WaitWait4 Wait = "wait4" // wait4(pid), the pidfd only closed
)

// Waits lists every Wait in report order.
func Waits() []Wait { return []Wait{WaitPidfd, WaitWait4} }

// Spec is a typed row name. Which fields a Spec uses is decided by its
// Family (Family.Keys); the others stay zero.
//
// Creation rows gained cpu= after results had been stored without it: a
// creation name without cpu= (written before the key existed, when every
// creation row ran unpinned) parses with CPU "" and prints back without
// it, and Canonical turns it into the cpu=any row it compares with.
type Spec struct {
	Family  Family
	Style   Style  // Create, CreateRSS, CreateFDs
	Flags   string // CloneFlags: rawclone.Flags.String's form
	THP     bool   // CreateRSS
	RSS     Size   // CreateRSS
	FDs     int    // CreateFDs
	Mech    Mech   // Switch, SwitchOverhead, SwitchWake
	Mode    Mode   // Switch, SwitchLibc, SwitchPairs, SwitchWake
	CPU     CPU    // Switch, SwitchLibc, SwitchWake; creation rows: same or any ("" in names stored before cpu=)
	WS      Size   // Switch
	Pairs   int    // SwitchPairs
	NS      NS     // CreateNS
	How     How    // CreateCgroup
	Wait    Wait   // CreatePidfd
	Par     int    // CreatePar: creators at once, ≥ 1
	Threads int    // CreateThreads: idle threads held
	Maps    int    // CreateMaps: extra mappings held
	Probe   string // "" for a plain row, ProbeSched for its probed twin (Family.Probed families)
	Pprof   string // "" for a plain row, PprofCPU for its profiled twin (Family.Probed families)
}

// Get returns the value of key k as the name writes it, and whether s's
// name has that key.
func (s Spec) Get(k Key) (string, bool) {
	if !slices.Contains(s.keys(), k) {
		return "", false
	}
	switch k {
	case KeyStyle:
		return string(s.Style), true
	case KeyFlags:
		return s.Flags, true
	case KeyTHP:
		if s.THP {
			return "on", true
		}
		return "off", true
	case KeyRSS:
		return s.RSS.String(), true
	case KeyFDs:
		return strconv.Itoa(s.FDs), true
	case KeyMech:
		return string(s.Mech), true
	case KeyMode:
		return string(s.Mode), true
	case KeyCPU:
		return string(s.CPU), true
	case KeyWS:
		return s.WS.String(), true
	case KeyPairs:
		return strconv.Itoa(s.Pairs), true
	case KeyNS:
		return string(s.NS), true
	case KeyHow:
		return string(s.How), true
	case KeyWait:
		return string(s.Wait), true
	case KeyPar:
		return strconv.Itoa(s.Par), true
	case KeyThreads:
		return strconv.Itoa(s.Threads), true
	case KeyMaps:
		return strconv.Itoa(s.Maps), true
	case KeyProbe:
		return s.Probe, true
	case KeyPprof:
		return s.Pprof, true
	}
	return "", false
}

// Value is Get without the flag: "" for a key s's family lacks.
func (s Spec) Value(k Key) string {
	v, _ := s.Get(k)
	return v
}

// String is the row name: "Family/key=value/…".
func (s Spec) String() string {
	var b strings.Builder
	b.WriteString(string(s.Family))
	for _, k := range s.keys() {
		v, _ := s.Get(k)
		b.WriteByte('/')
		b.WriteString(string(k))
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String()
}

// keys are the keys s's name writes: its family's, less cpu= for a
// creation name stored before that key existed.
func (s Spec) keys() []Key {
	keys := s.Family.Keys()
	if s.Legacy() {
		keys = keys[:len(keys)-1]
	}
	if s.Probe != "" {
		keys = append(slices.Clip(keys), KeyProbe)
	}
	if s.Pprof != "" {
		keys = append(slices.Clip(keys), KeyPprof)
	}
	return keys
}

// Plain is s without its probe or profile: the row a probed or profiled
// row is the twin of.
func (s Spec) Plain() Spec {
	s.Probe = ""
	s.Pprof = ""
	return s
}

// Legacy reports whether s is a creation or SwitchPairs name stored
// before those families had cpu=.
func (s Spec) Legacy() bool { return s.Family.trailingCPU() && s.CPU == "" }

// trailingCPU reports whether cpu= was appended to f's names after rows
// were stored without it, so a name lacking it is a legacy name.
func (f Family) trailingCPU() bool { return (f.Creation() && !f.Scaling()) || f == SwitchPairs }

// Canonical is the row s compares with: a legacy creation or SwitchPairs
// name is the cpu=any row, which runs as those rows ran before cpu=
// existed (the scheduler placing every task).
func (s Spec) Canonical() Spec {
	if s.Legacy() {
		s.CPU = CPUAny
	}
	return s
}

// BenchPrefix starts every benchmark name go test prints: the row name
// follows it.
const BenchPrefix = "Benchmark"

// BenchName is the benchmark name go test prints for a row name (Spec's
// form, or one rowspec does not know; a -N suffix stays as it is).
func BenchName(row string) string { return BenchPrefix + row }

// BenchName is s's benchmark name, as go test prints it less its -N.
func (s Spec) BenchName() string { return BenchName(s.String()) }

// BenchPattern is the go test -test.bench pattern that selects s's
// benchmark and no other: go test matches each '/'-separated level of a
// name against one level of the pattern, so each level is anchored (else
// style=fork would also run style=fork-minimal) and quoted (flags=VM|FS
// holds '|'). Levels below the pattern's match anything, so a probe=sched
// twin, a level deeper, is selected with its plain row when
// CLONEBENCH_PROBE is set: read the result by name.
func (s Spec) BenchPattern() string {
	levels := strings.Split(s.BenchName(), "/")
	for i, l := range levels {
		levels[i] = "^" + regexp.QuoteMeta(l) + "$"
	}
	return strings.Join(levels, "/")
}

// Sub is the name after the family: the b.Run name.
func (s Spec) Sub() string {
	_, sub, _ := strings.Cut(s.String(), "/")
	return sub
}

// Validate reports whether s is a name Parse would accept.
func (s Spec) Validate() error {
	_, err := Parse(s.String())
	if err != nil {
		return err
	}
	return nil
}

// set stores value v of key k in s, checking it against the key's kind.
func (s *Spec) set(k Key, v string) error {
	switch k.Kind() {
	case KindEnum:
		if !slices.Contains(k.Values(), v) {
			return fmt.Errorf("%s=%q: want one of %s", k, v, strings.Join(k.Values(), ", "))
		}
	case KindBool:
		if v != "on" && v != "off" {
			return fmt.Errorf("%s=%q: want on or off", k, v)
		}
	case KindSize:
		if _, err := ParseSize(v); err != nil {
			return fmt.Errorf("%s=%w", k, err)
		}
	case KindCount:
		if _, err := parseCount(v); err != nil {
			return fmt.Errorf("%s=%q: %w", k, v, err)
		}
	case KindFlags:
		if err := checkFlags(v); err != nil {
			return fmt.Errorf("%s=%q: %w", k, v, err)
		}
	}
	switch k {
	case KeyStyle:
		s.Style = Style(v)
	case KeyFlags:
		s.Flags = v
	case KeyTHP:
		s.THP = v == "on"
	case KeyRSS:
		s.RSS, _ = ParseSize(v)
	case KeyFDs:
		s.FDs, _ = parseCount(v)
	case KeyMech:
		s.Mech = Mech(v)
	case KeyMode:
		s.Mode = Mode(v)
	case KeyCPU:
		s.CPU = CPU(v)
	case KeyWS:
		s.WS, _ = ParseSize(v)
	case KeyPairs:
		n, _ := parseCount(v)
		if n < 1 {
			return fmt.Errorf("%s=%q: want at least 1", k, v)
		}
		s.Pairs = n
	case KeyNS:
		s.NS = NS(v)
	case KeyHow:
		s.How = How(v)
	case KeyWait:
		s.Wait = Wait(v)
	case KeyPar:
		n, _ := parseCount(v)
		if n < 1 {
			return fmt.Errorf("%s=%q: want at least 1", k, v)
		}
		s.Par = n
	case KeyThreads:
		s.Threads, _ = parseCount(v)
	case KeyMaps:
		s.Maps, _ = parseCount(v)
	case KeyProbe:
		s.Probe = v
	case KeyPprof:
		s.Pprof = v
	}
	return nil
}

// Parse reads a row name, with or without the "Benchmark" prefix and a
// trailing "-N" (GOMAXPROCS) as go test prints them. It accepts only the
// canonical spelling: the family's keys, each once, in order.
func Parse(name string) (Spec, error) {
	s := strings.TrimPrefix(name, BenchPrefix)
	s = trimProcs(s)
	parts := strings.Split(s, "/")
	sp := Spec{Family: Family(parts[0])}
	for _, k := range []Key{KeyProbe, KeyPprof} {
		if last := parts[len(parts)-1]; len(parts) > 1 && strings.HasPrefix(last, string(k)+"=") {
			if err := sp.set(k, strings.TrimPrefix(last, string(k)+"=")); err != nil {
				return Spec{}, fmt.Errorf("%w: %q: %w", ErrName, name, err)
			}
			parts = parts[:len(parts)-1]
			break
		}
	}
	keys, ok := familyKeys[sp.Family]
	if !ok {
		return Spec{}, fmt.Errorf("%w: %q: unknown family %q", ErrName, name, parts[0])
	}
	if sp.Family.trailingCPU() && len(parts)-1 == len(keys)-1 && !strings.HasPrefix(parts[len(parts)-1], string(KeyCPU)+"=") {
		keys = keys[:len(keys)-1] // a legacy name: no cpu=
	}
	if len(parts)-1 != len(keys) {
		return Spec{}, fmt.Errorf("%w: %q: %s rows have %d keys (%s), found %d", ErrName, name, sp.Family, len(keys), keyList(keys), len(parts)-1)
	}
	for i, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || Key(k) != keys[i] {
			return Spec{}, fmt.Errorf("%w: %q: part %d is %q, want %s=…", ErrName, name, i+1, kv, keys[i])
		}
		if err := sp.set(keys[i], v); err != nil {
			return Spec{}, fmt.Errorf("%w: %q: %w", ErrName, name, err)
		}
	}
	if err := sp.check(); err != nil {
		return Spec{}, fmt.Errorf("%w: %q: %w", ErrName, name, err)
	}
	return sp, nil
}

// MustParse is Parse for names written in code; it panics on error.
func MustParse(name string) Spec {
	s, err := Parse(name)
	if err != nil {
		panic(err)
	}
	return s
}

// check refuses combinations a family does not define.
func (s Spec) check() error {
	if s.Probe != "" && !s.Family.Probed() {
		return fmt.Errorf("probe=%s: %s rows have no probed twin", s.Probe, s.Family)
	}
	if s.Probe != "" && (s.Family == Switch || s.Family == SwitchLibc) &&
		(s.CPU != CPUSame || (s.Mode != ModeProcess && s.Mode != ModeThread) || s.Mech == MechYield) {
		// The switch programs tile one CPU's timeline and count a round
		// trip at the initiator's wake-up, which yield has none of.
		return fmt.Errorf("probe=%s: only cpu=same process or thread switch rows, mech other than yield, are probed", s.Probe)
	}
	if s.Pprof != "" && (s.Probe != "" || !s.Family.Probed() || s.Legacy()) {
		// The profiled twin follows the raw loop's thread and its
		// children, as the probes do, and is never probed as well: two
		// attributions at once would each charge the other's cost.
		return fmt.Errorf("pprof=%s: only a plain raw creation or switch row (cpu= named) has a profiled twin", s.Pprof)
	}
	if s.Probe != "" && s.Legacy() {
		return fmt.Errorf("probe=%s: a probed creation row says where it runs (cpu=)", s.Probe)
	}
	if s.Family.Creation() && s.CPU.TwoCPUs() {
		return fmt.Errorf("cpu=%s: a creation row runs parent and child on one CPU (same) or where the scheduler puts them (any)", s.CPU)
	}
	switch s.Family {
	case CreateRSS, CreateFDs:
		if s.Style.Kind() == "goroutine" {
			return fmt.Errorf("style=%s has no %s rows", s.Style, s.Family)
		}
	case Clone3:
		if s.Style != StyleFork && s.Style != StyleThread {
			return fmt.Errorf("style=%s has no %s rows (fork and thread only)", s.Style, s.Family)
		}
	case CreatePar:
		if s.Style != StyleFork && s.Style != StyleThread && s.Style != StyleVfork {
			return fmt.Errorf("style=%s has no %s rows (fork, thread and vfork only)", s.Style, s.Family)
		}
	case CreateThreads:
		if s.Style != StyleFork && s.Style != StyleThread {
			return fmt.Errorf("style=%s has no %s rows (fork and thread only)", s.Style, s.Family)
		}
	case CreateMaps:
		if s.Style != StyleFork {
			return fmt.Errorf("style=%s has no %s rows: only fork copies the mappings", s.Style, s.Family)
		}
	case SwitchWake:
		if s.Mode == ModeGoroutine {
			return fmt.Errorf("mode=%s has no %s rows", s.Mode, s.Family)
		}
		if s.Mech != MechPipe && s.Mech != MechFutex && s.Mech != MechEventfd {
			return fmt.Errorf("mech=%s has no %s rows: a wake-up is a pipe write, a FUTEX_WAKE or an eventfd write", s.Mech, s.Family)
		}
	case SwitchPairs:
		if s.CPU != "" && s.CPU != CPUSame && s.CPU != CPUAny {
			return fmt.Errorf("cpu=%s: SwitchPairs pins each pair to one CPU (same) or lets the scheduler place them (any)", s.CPU)
		}
		if s.Mode == ModeGoroutine {
			return fmt.Errorf("mode=%s has no %s rows", s.Mode, s.Family)
		}
	case SwitchLibc:
		if s.Mode == ModeGoroutine {
			return fmt.Errorf("mode=%s has no %s rows", s.Mode, s.Family)
		}
	}
	return nil
}

func keyList(keys []Key) string {
	return strings.Join(strs(keys), ", ")
}

// trimProcs removes go test's "-N" GOMAXPROCS suffix.
func trimProcs(s string) string {
	i := strings.LastIndexByte(s, '-')
	if i < 0 || i == len(s)-1 || strings.ContainsAny(s[i:], "/=") {
		return s
	}
	if _, err := strconv.ParseUint(s[i+1:], 10, 32); err != nil {
		return s
	}
	// "style=thread-fresh-stack" ends in a word, never digits, so a
	// numeric tail after '-' is go test's.
	return s[:i]
}

func parseCount(v string) (int, error) {
	if v == "" || (len(v) > 1 && v[0] == '0') {
		return 0, fmt.Errorf("want a count without leading zeros")
	}
	n, err := strconv.ParseUint(v, 10, 31)
	if err != nil {
		return 0, fmt.Errorf("want a count: %w", err)
	}
	return int(n), nil
}

// checkFlags accepts rawclone.Flags.String's form: upper-case names or a
// SIGnn/number joined by single '|', or "0".
func checkFlags(v string) error {
	if v == "0" {
		return nil
	}
	if v == "" {
		return fmt.Errorf("want flag names joined by |")
	}
	for _, p := range strings.Split(v, "|") {
		if p == "" {
			return fmt.Errorf("empty flag between |")
		}
		for _, r := range p {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
				return fmt.Errorf("flag %q: want upper-case names as rawclone.Flags.String prints", p)
			}
		}
	}
	return nil
}

// Headlines are the rows that stand for a machine: report's hosts.png
// compares them across machines, and history's exit code looks at them
// alone. A creation headline leaves CPU empty: it counts at every
// placement, since which one two machines share depends on the machines.
func Headlines() []Spec {
	var out []Spec
	for _, st := range []Style{StyleFork, StyleVfork, StyleSpawn, StyleThread, StylePthread, StyleGoroutine} {
		out = append(out, Spec{Family: Create, Style: st})
	}
	for _, m := range []Mech{MechPipe, MechFutex} {
		for _, mode := range []Mode{ModeProcess, ModeThread} {
			out = append(out, Spec{Family: Switch, Mech: m, Mode: mode, CPU: CPUSame})
		}
	}
	return out
}

// IsHeadline reports whether s is one of Headlines: a creation row of a
// headline style at any placement, or a headline switch row exactly.
func (s Spec) IsHeadline() bool {
	s = s.Canonical()
	for _, hl := range Headlines() {
		if hl.Family.Creation() {
			if s.Family == hl.Family && s.Style == hl.Style {
				return true
			}
			continue
		}
		if s == hl {
			return true
		}
	}
	return false
}
