//go:build linux

package kprof

import "testing"

// The live table: a known system call's entry, looked up at and just
// past its address, is named back.
func TestKallsymsLiveKnownFunction(t *testing.T) {
	k, err := ReadKallsyms()
	if err != nil {
		t.Skipf("/proc/kallsyms: %v", err)
	}
	if k.Hidden {
		t.Skip("kallsyms hides its addresses here (kptr_restrict, or no CAP_SYSLOG)")
	}
	for _, name := range []string{"__x64_sys_getpid", "__arm64_sys_getpid", "do_sys_openat2"} {
		addr, ok := k.Addr(name)
		if !ok {
			continue
		}
		for _, a := range []uint64{addr, addr + 1} {
			if got, start, ok := k.Lookup(a); !ok || got != name || start != addr {
				t.Errorf("Lookup(%#x) = %q at %#x, %v; want %q at %#x", a, got, start, ok, name, addr)
			}
		}
		return
	}
	t.Skip("none of the known functions is in kallsyms")
}
