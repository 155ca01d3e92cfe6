package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// rowsOf returns the rows of one family on host h, in input order.
func (d *Data) rowsOf(h *Host, family string) []*Row {
	var out []*Row
	for _, r := range d.Rows {
		if r.Host == h && r.Family == family {
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

// find returns the row of family on h whose params match all of kv
// (key, value, key, value …), preferring a real row over a simulated one.
func (d *Data) find(h *Host, family string, kv ...string) *Row {
	var found *Row
rows:
	for _, r := range d.rowsOf(h, family) {
		for i := 0; i+1 < len(kv); i += 2 {
			if r.Param(kv[i]) != kv[i+1] {
				continue rows
			}
		}
		if found == nil || (found.Simulated && !r.Simulated) {
			found = r
		}
	}
	return found
}

// styleOrder puts the creation styles in the order the charts read best:
// the process styles, the thread styles, then user-space goroutines.
var styleOrder = []string{"fork", "libc-fork", "vfork", "spawn", "thread", "thread-fresh-stack", "pthread", "goroutine"}

func styleRank(s string) int {
	for i, x := range styleOrder {
		if x == s {
			return i
		}
	}
	return len(styleOrder)
}

// styleKind says which kind of task a creation style makes.
func styleKind(style string) string {
	switch style {
	case "fork", "libc-fork", "vfork", "spawn":
		return "process"
	case "thread", "thread-fresh-stack", "pthread":
		return "thread"
	case "goroutine":
		return "goroutine"
	}
	return "other"
}

var mechOrder = []string{"pipe", "futex", "eventfd", "unix", "yield"}

func mechRank(s string) int {
	for i, x := range mechOrder {
		if x == s {
			return i
		}
	}
	return len(mechOrder)
}

// sortStable sorts rows by rank, keeping input order among equals.
func sortRows(rows []*Row, rank func(*Row) int) {
	sort.SliceStable(rows, func(i, j int) bool { return rank(rows[i]) < rank(rows[j]) })
}

// parseBytes reads sizes as the row names write them: "0", "16KiB",
// "64MiB", "1GiB" (IEC), or a plain number of bytes.
func parseBytes(s string) (float64, error) {
	mult := 1.0
	num := s
	for _, u := range []struct {
		suf string
		m   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}} {
		if strings.HasSuffix(s, u.suf) {
			num, mult = strings.TrimSuffix(s, u.suf), u.m
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) {
		return 0, fmt.Errorf("report: size %q is not a byte count like 0, 16KiB or 1GiB", s)
	}
	return v * mult, nil
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
// it, in sweep order: the steps both the staircase chart and the flag table
// are drawn from.
func (d *Data) cloneFlagSteps(h *Host) (rows []*Row, sums []Summary) {
	for _, r := range d.rowsOf(h, "CloneFlags") {
		if s, ok := r.Primary(); ok {
			rows = append(rows, r)
			sums = append(sums, s)
		}
	}
	return rows, sums
}
