package rowspec

// StylePair is a ratio of two creation styles the report states: Num's
// time over Den's, at the most preferred placement both were measured at.
type StylePair struct {
	Num, Den Style
	What     string // what the ratio answers, for the report
}

// CreationRatios are the creation styles set against each other, in the
// order the report states them.
func CreationRatios() []StylePair {
	return []StylePair{
		{StyleFork, StyleThread, "the seeds' question: the same clone(2), fork-style vs thread-style flags"},
		{StyleLibcFork, StylePthread, "the same through glibc"},
		{StyleVfork, StyleThread, "vfork shares the address space too, but the parent waits for the child"},
		{StyleThreadFreshStack, StyleThread, "what a fresh mmap'd stack and guard page add to a thread"},
		{StyleSpawn, StyleVfork, "starting a program (os/exec's vfork + exec) against vfork alone"},
		{StyleThread, StyleGoroutine, "a kernel task against a user-space goroutine"},
	}
}

// RatioPair is a ratio the report states between two rows: Num's time per
// op over Den's. The run measures the two back to back in every round, so
// the ratio comes from its pairs: the host's drift between rounds moves
// both figures of a pair alike and cancels in their ratio.
type RatioPair struct {
	Num, Den Spec
}

// Headline reports whether rp is one of the ratios that answer the
// suite's own question, process against thread: fork over thread
// creation, and the pipe and futex process over thread switch, pinned.
// A run takes more pairs of these than of the others.
func (rp RatioPair) Headline() bool {
	n, d := rp.Num.Canonical(), rp.Den.Canonical()
	switch {
	case n.Family == Create && d.Family == Create:
		return n.Style == StyleFork && d.Style == StyleThread && n.CPU == CPUSame && d.CPU == CPUSame
	case n.Family == Switch:
		thread := n
		thread.Mode = ModeThread
		return (n.Mech == MechPipe || n.Mech == MechFutex) && n.Mode == ModeProcess && n.CPU == CPUSame && n.WS == 0 && d == thread
	}
	return false
}

// CreationPlacements are the creation placements in the order a ratio
// prefers them: pinned first, and a ratio never crosses placements (it
// would credit one style with the other's pinning).
func CreationPlacements() []CPU { return []CPU{CPUSame, CPUAny} }

// RatioPairs are the ratios the report states among rows, each once, in a
// fixed order: the creation styles of CreationRatios and fork against
// fork-minimal (at the most preferred placement both have), every creation
// style's cpu=any against its cpu=same, process against thread per switch
// mechanism (cpu=same, ws=0), and each step of the CloneFlags sweep (the
// rows in the order given, at one placement). Probed twins and names
// stored before cpu= take no part: a run never writes the latter, and the
// former are paired with their plain rows by -probe already.
//
// This is the one list of stated ratios: runbench's run measures each
// pair back to back, and the report reads each ratio from those pairs.
func RatioPairs(rows []Spec) []RatioPair {
	has := map[Spec]bool{}
	for _, s := range rows {
		if s.Probe == "" && !s.Legacy() {
			has[s] = true
		}
	}
	var out []RatioPair
	seen := map[[2]Spec]bool{}
	add := func(num, den Spec) {
		k := [2]Spec{num, den}
		if has[num] && has[den] && !seen[k] && !seen[[2]Spec{den, num}] {
			seen[k] = true
			out = append(out, RatioPair{num, den})
		}
	}
	create := func(st Style, cpu CPU) Spec { return Spec{Family: Create, Style: st, CPU: cpu} }
	styles := append(CreationRatios(), StylePair{Num: StyleFork, Den: StyleForkMinimal})
	for _, p := range styles {
		for _, cpu := range CreationPlacements() {
			if has[create(p.Num, cpu)] && has[create(p.Den, cpu)] {
				add(create(p.Num, cpu), create(p.Den, cpu))
				break
			}
		}
	}
	for _, st := range Styles() {
		add(create(st, CPUAny), create(st, CPUSame))
	}
	for _, m := range Mechs() {
		add(Spec{Family: Switch, Mech: m, Mode: ModeProcess, CPU: CPUSame},
			Spec{Family: Switch, Mech: m, Mode: ModeThread, CPU: CPUSame})
	}
	for _, cpu := range CreationPlacements() {
		var prev *Spec
		for _, s := range rows {
			if s.Family != CloneFlags || s.CPU != cpu || s.Probe != "" {
				continue
			}
			if prev != nil && prev.Flags != s.Flags {
				add(s, *prev)
			}
			prev = &s
		}
	}
	return out
}
