package kprof

import (
	"strings"
	"testing"
)

const fixtureKallsyms = `ffffffff81000000 T _stext
ffffffff81382870 T __x64_sys_getpid
ffffffff81382890 t __do_sys_getppid
ffffffff813828c0 D some_data
ffffffff816029b0 T copy_page_range
ffffffffc0001000 t xfs_iget	[xfs]
`

func TestParseKallsymsLookup(t *testing.T) {
	k, err := ParseKallsyms(strings.NewReader(fixtureKallsyms))
	if err != nil {
		t.Fatal(err)
	}
	if k.Hidden {
		t.Fatal("addresses reported hidden")
	}
	for addr, want := range map[uint64]string{
		0xffffffff81382870: "__x64_sys_getpid",
		0xffffffff8138288f: "__x64_sys_getpid",
		0xffffffff813828c5: "__do_sys_getppid", // data symbols are skipped
		0xffffffff81602a00: "copy_page_range",
		0xffffffffc0001010: "xfs_iget [xfs]",
	} {
		if got, _, ok := k.Lookup(addr); !ok || got != want {
			t.Errorf("Lookup(%#x) = %q, %v; want %q", addr, got, ok, want)
		}
	}
	if _, _, ok := k.Lookup(0xffffffff80000000); ok {
		t.Error("an address below every symbol was named")
	}
	if a, ok := k.Addr("copy_page_range"); !ok || a != 0xffffffff816029b0 {
		t.Errorf("Addr(copy_page_range) = %#x, %v", a, ok)
	}
}

func TestParseKallsymsHidden(t *testing.T) {
	k, err := ParseKallsyms(strings.NewReader("0000000000000000 T _stext\n0000000000000000 T __x64_sys_getpid\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !k.Hidden {
		t.Error("all-zero addresses not reported hidden")
	}
	if _, _, ok := k.Lookup(0xffffffff81382870); ok {
		t.Error("a hidden table named an address")
	}
}

func TestParseKallsymsBad(t *testing.T) {
	if _, err := ParseKallsyms(strings.NewReader("zzzz T x\n")); err == nil || !strings.Contains(err.Error(), "kallsyms:1") {
		t.Errorf("err = %v, want one naming line 1", err)
	}
}
