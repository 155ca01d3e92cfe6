package simkernel

import (
	"errors"
	"syscall"
	"testing"

	"github.com/clonebench/clonebench/rawclone"
)

// TestNSProxy: without CLONE_NEW* flags the child shares its parent's
// nsproxy (one more reference); with them it gets a copy in which exactly
// those namespaces are new, and the copy is dropped at exit.
func TestNSProxy(t *testing.T) {
	for _, tc := range []struct {
		flags      rawclone.Flags
		privileged bool
		new        rawclone.Flags // NewNamespaces(parent, child)
		err        error
	}{
		{rawclone.ForkFlags, true, 0, nil},
		{rawclone.ThreadFlags, true, 0, nil},
		{rawclone.ForkFlags | rawclone.CloneNewNet, true, rawclone.CloneNewNet, nil},
		{rawclone.ForkFlags | rawclone.CloneNewPID, true, rawclone.CloneNewPID, nil},
		{rawclone.ForkFlags | rawclone.CloneNewUser, false, rawclone.CloneNewUser, nil},
		{rawclone.ForkFlags | rawclone.CloneNewUser | rawclone.CloneNewNet, false, rawclone.CloneNewUser | rawclone.CloneNewNet, nil},
		{rawclone.ForkFlags | rawclone.CloneNewNet, false, 0, ErrNamespacePerm},
		{rawclone.ForkFlags | rawclone.CloneNewIPC | rawclone.CloneSysVSem, true, 0, ErrNewIPCWithSysVSem},
		{rawclone.ForkFlags | rawclone.CloneNewIPC | rawclone.CloneSysVSem, false, 0, ErrNamespacePerm},
		{rawclone.ThreadFlags | rawclone.CloneNewPID, true, 0, ErrThreadNewNS},
		{rawclone.ThreadFlags | rawclone.CloneNewNS, true, 0, ErrNewNSWithFS},
	} {
		t.Run(tc.flags.String(), func(t *testing.T) {
			k := NewKernel(testProfile())
			k.Privileged = tc.privileged
			p := k.Spawn()
			before := p.NS.Count
			c, err := k.Clone(p, tc.flags)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Clone = %v, want %v", err, tc.err)
			}
			if err != nil {
				if !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.EPERM) {
					t.Errorf("%v wraps neither EINVAL nor EPERM", err)
				}
				return
			}
			if got := NewNamespaces(p, c); got != tc.new {
				t.Errorf("child in new %v, want %v", got, tc.new)
			}
			shared := tc.flags&nsproxyFlags == 0
			if (c.NS == p.NS) != shared || (shared && p.NS.Count != before+1) {
				t.Errorf("nsproxy shared %v (count %d, was %d), want shared %v", c.NS == p.NS, p.NS.Count, before, shared)
			}
			ns := c.NS
			if err := k.Exit(c, 0); err != nil {
				t.Fatal(err)
			}
			if shared && p.NS.Count != before || !shared && ns.Count != 0 {
				t.Errorf("after exit: parent's nsproxy count %d (was %d), child's %d", p.NS.Count, before, ns.Count)
			}
		})
	}
}
