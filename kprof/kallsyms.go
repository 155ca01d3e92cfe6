package kprof

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Kallsyms is the kernel's text symbol table, sorted by address.
type Kallsyms struct {
	addrs []uint64
	names []string
	// Hidden reports that every address read as zero: kptr_restrict (or
	// no CAP_SYSLOG) hides them, and kernel frames cannot be named.
	Hidden bool
}

// ReadKallsyms reads /proc/kallsyms.
func ReadKallsyms() (*Kallsyms, error) {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseKallsyms(f)
}

// ParseKallsyms reads kallsyms' format: "ADDR TYPE NAME [MODULE]". Only
// text symbols (t, T, w, W) are kept, since only code is sampled; a
// module's symbols are named "NAME [MODULE]" as perf prints them.
func ParseKallsyms(r io.Reader) (*Kallsyms, error) {
	k := &Kallsyms{}
	type sym struct {
		addr uint64
		name string
	}
	var syms []sym
	zero, total := 0, 0
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) < 3 {
			continue
		}
		addr, err := strconv.ParseUint(f[0], 16, 64)
		if err != nil {
			return nil, fmt.Errorf("kallsyms:%d: %w", line, err)
		}
		switch f[1] {
		case "t", "T", "w", "W":
		default:
			continue
		}
		total++
		if addr == 0 {
			zero++
			continue
		}
		name := f[2]
		if len(f) > 3 {
			name += " " + f[3]
		}
		syms = append(syms, sym{addr, name})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("kallsyms: %w", err)
	}
	k.Hidden = total > 0 && zero == total
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].addr < syms[j].addr })
	for _, s := range syms {
		k.addrs = append(k.addrs, s.addr)
		k.names = append(k.names, s.name)
	}
	return k, nil
}

// Lookup names the function holding addr: the symbol with the highest
// address not above it. Aliases at one address resolve to the last one
// listed, which for kallsyms is the function rather than a section label.
func (k *Kallsyms) Lookup(addr uint64) (name string, start uint64, ok bool) {
	if k == nil || len(k.addrs) == 0 {
		return "", 0, false
	}
	i := sort.Search(len(k.addrs), func(i int) bool { return k.addrs[i] > addr })
	if i == 0 {
		return "", 0, false
	}
	return k.names[i-1], k.addrs[i-1], true
}

// Addr is the address of the text symbol name, for tests that symbolize
// a known function.
func (k *Kallsyms) Addr(name string) (uint64, bool) {
	for i, n := range k.names {
		if n == name {
			return k.addrs[i], true
		}
	}
	return 0, false
}
