package report

import (
	"slices"
	"sort"
	"strings"

	"github.com/clonebench/clonebench/rowspec"
)

// rowsOf returns the rows of one family on host h, in input order. Only rows
// whose name rowspec knows are placed: a row of another benchmark that
// happens to share a family's name has no Spec to place it by.
func (d *Data) rowsOf(h *Host, family rowspec.Family) []*Row {
	var out []*Row
	for _, r := range d.Rows {
		// Probed and profiled twins have charts of their own
		// (probedRowsOf, profiles.go); every other chart shows plain
		// rows only.
		if r.Host == h && r.Known && r.Spec.Family == family && r.Spec.Probe == "" && r.Spec.Pprof == "" {
			out = append(out, r)
		}
	}
	return out
}

// primary is the host the single-machine charts show: the first one read.
func (d *Data) primary() *Host {
	if len(d.Hosts) == 0 {
		return nil
	}
	return d.Hosts[0]
}

// find returns the row named sp on h, preferring a real row over a
// simulated one.
func (d *Data) find(h *Host, sp rowspec.Spec) *Row {
	var found *Row
	for _, r := range d.rowsOf(h, sp.Family) {
		if r.Spec == sp && preferred(r, found) {
			found = r
		}
	}
	return found
}

// preferred reports whether r should take the place of cur, a row for the
// same slot: a real measurement beats a simulated one, else the first read
// stays.
func preferred(r, cur *Row) bool {
	return cur == nil || (cur.Simulated && !r.Simulated)
}

// rank is v's position in the report order vs (rowspec.Styles(), Mechs(),
// …), or len(vs) for a value rowspec does not list.
func rank[T comparable](vs []T, v T) int {
	if i := slices.Index(vs, v); i >= 0 {
		return i
	}
	return len(vs)
}

func styleRank(s rowspec.Style) int { return rank(rowspec.Styles(), s) }
func mechRank(m rowspec.Mech) int   { return rank(rowspec.Mechs(), m) }

// sortRows sorts rows by rank, keeping input order among equals.
func sortRows(rows []*Row, rank func(*Row) int) {
	sort.SliceStable(rows, func(i, j int) bool { return rank(rows[i]) < rank(rows[j]) })
}

// switchPair is one mechanism's process and thread Switch rows at one
// placement and working set; either may be missing.
type switchPair struct {
	mech      rowspec.Mech
	proc, thr *Row
}

// rows are the pair's rows that are present, process first.
func (p *switchPair) rows() []*Row {
	var out []*Row
	for _, r := range []*Row{p.proc, p.thr} {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// switchPairs groups h's Switch rows at cpu=same, ws=0 by mechanism into
// process and thread, in mechanism order. switch.png and the switch table
// both read it, so when a real and a simulated row meet in one slot they
// show the same one, the real.
func (d *Data) switchPairs(h *Host) []*switchPair {
	var out []*switchPair
	by := map[rowspec.Mech]*switchPair{}
	for _, r := range d.rowsOf(h, rowspec.Switch) {
		if r.Spec.CPU != rowspec.CPUSame || r.Spec.WS != 0 {
			continue
		}
		var slot **Row
		p := by[r.Spec.Mech]
		if p == nil {
			p = &switchPair{mech: r.Spec.Mech}
		}
		switch r.Spec.Mode {
		case rowspec.ModeProcess:
			slot = &p.proc
		case rowspec.ModeThread:
			slot = &p.thr
		default:
			continue
		}
		if preferred(r, *slot) {
			*slot = r
		}
		if by[r.Spec.Mech] == nil {
			by[r.Spec.Mech] = p
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return mechRank(out[i].mech) < mechRank(out[j].mech) })
	return out
}

// flagSet splits a clone-flag set "VM|FS|SIGCHLD" into its flags, without
// any CLONE_ prefix.
func flagSet(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == '+' || r == ',' }) {
		out = append(out, strings.TrimPrefix(strings.TrimSpace(f), "CLONE_"))
	}
	return out
}

// flagStep names what changed from one set to the next: "+VM", or
// "+THREAD −SIGCHLD" when the exit signal goes away with CLONE_THREAD.
func flagStep(prev, cur string) string {
	if prev == "" {
		return strings.Join(flagSet(cur), "|")
	}
	p, c := map[string]bool{}, map[string]bool{}
	for _, f := range flagSet(prev) {
		p[f] = true
	}
	for _, f := range flagSet(cur) {
		c[f] = true
	}
	var parts []string
	for _, f := range flagSet(cur) {
		if !p[f] {
			parts = append(parts, "+"+f)
		}
	}
	for _, f := range flagSet(prev) {
		if !c[f] {
			parts = append(parts, "−"+f)
		}
	}
	if len(parts) == 0 {
		return "(same)"
	}
	return strings.Join(parts, " ")
}

// flagWhy says which part of copy_process a flag changes, for the report.
var flagWhy = map[string]string{
	"VM":             "shares the address space: copy_mm no longer copies page tables",
	"FS":             "shares cwd/root/umask: copy_fs takes a reference",
	"FILES":          "shares the fd table: copy_files takes a reference",
	"SIGHAND":        "shares signal handlers: copy_sighand takes a reference",
	"THREAD":         "joins the thread group (same tgid, shared signal state)",
	"SYSVSEM":        "shares System V semaphore undo lists",
	"SETTLS":         "sets the thread pointer (TLS) for the new task",
	"PARENT_SETTID":  "stores the tid in the parent's memory",
	"CHILD_CLEARTID": "clears the tid and wakes a futex at exit (the join)",
	"CHILD_SETTID":   "stores the tid in the child's memory",
	"IO":             "shares the I/O context",
	"SIGCHLD":        "exit signal to the parent (fork's default)",
}

// cloneFlagSteps are h's CloneFlags rows that have a primary figure, with
// it, in sweep order, all at one placement (bestPlacement): the steps both
// the staircase chart and the flag table are drawn from. A step is the
// difference from the one before, so a staircase that changed placement
// between steps would show the placement's cost as a flag's.
func (d *Data) cloneFlagSteps(h *Host) (rows []*Row, sums []Summary, at placement) {
	var all []*Row
	for _, r := range d.rowsOf(h, rowspec.CloneFlags) {
		if _, ok := r.Primary(); ok {
			all = append(all, r)
		}
	}
	at = bestPlacement(all, func(r *Row) string { return r.Spec.Flags })
	for _, r := range atPlacement(all, at) {
		// A set given twice at one placement (real and simulated) is
		// one step: the preferred row.
		if i := slices.IndexFunc(rows, func(o *Row) bool { return o.Spec.Flags == r.Spec.Flags }); i >= 0 {
			if preferred(r, rows[i]) {
				rows[i], sums[i] = r, summaryOf(r)
			}
			continue
		}
		rows = append(rows, r)
		sums = append(sums, summaryOf(r))
	}
	return rows, sums, at
}

func summaryOf(r *Row) Summary {
	s, _ := r.Primary()
	return s
}

// anySim reports whether any of rows is simulated.
func anySim(rows []*Row) bool {
	for _, r := range rows {
		if r.Simulated {
			return true
		}
	}
	return false
}
