//go:build linux

package claims

import (
	"os"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/internal/procfs"
)

// TestVerify: every claim holds on this kernel, and checking them leaves
// no child, no changed directory and no changed signal action behind.
func TestVerify(t *testing.T) {
	wd, _ := os.Getwd()
	var before kernelSigaction
	if err := rtSigaction(probeSignal, nil, &before); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Verify(&b); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	out := b.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 10 {
		t.Errorf("%d claims, want 10:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if !strings.Contains(l, " → PASS (") {
			t.Errorf("not a passing claim: %s", l)
		}
	}
	for _, flag := range []string{"CLONE_VM", "CLONE_FS", "CLONE_FILES", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEW*"} {
		if !strings.Contains(out, flag+" ") {
			t.Errorf("no claim about %s", flag)
		}
	}
	if kids, err := procfs.Children(); err != nil || len(kids) != 0 {
		t.Errorf("children left: %v %v", kids, err)
	}
	if now, _ := os.Getwd(); now != wd {
		t.Errorf("cwd changed from %s to %s", wd, now)
	}
	var after kernelSigaction
	if err := rtSigaction(probeSignal, nil, &after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("SIGUSR2 action changed: %+v → %+v", before, after)
	}
}
