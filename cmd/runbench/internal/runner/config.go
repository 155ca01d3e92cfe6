package runner

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/clonebench/clonebench/internal/sysinfo"
)

// benchPkg is the pkg config line go test prints for ./bench, so a
// runbench file and a go test -bench file of the same rows line up.
const benchPkg = "github.com/clonebench/clonebench/bench"

// Config is the config block of a result file: go test's keys first
// (goos, goarch, pkg, cpu), then the machine facts, the suite commit and,
// for simulated runs, kernel: sim.
func Config(sim bool) []sysinfo.Fact {
	var out []sysinfo.Fact
	for _, f := range sysinfo.Collect() {
		if f.Key == sysinfo.KeyKernel && sim {
			// A simulated run must never be compared with a real one;
			// the kernel key keeps them apart in benchstat and compare.
			f.Value = sysinfo.KernelSim
		}
		out = append(out, f)
		if f.Key == sysinfo.KeyGOARCH {
			out = append(out, sysinfo.Fact{Key: sysinfo.KeyPkg, Value: benchPkg})
		}
	}
	out = append(out, sysinfo.Fact{Key: sysinfo.KeyCommit, Value: suiteCommit()})
	return out
}

// suiteCommit names the clonebench commit being measured: the VCS stamp of
// an installed binary, else git in the source tree go run compiled, else
// "unknown". A tree with local changes gets a "-dirty" suffix.
func suiteCommit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev string
		var dirty bool
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			if dirty {
				rev += "-dirty"
			}
			return rev
		}
	}
	// go run does not stamp VCS info; ask git about the tree this file
	// was compiled from (absent with -trimpath or a copied binary).
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return sysinfo.Unknown
	}
	dir := filepath.Dir(file)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return sysinfo.Unknown
	}
	rev := strings.TrimSpace(string(out))
	st, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(strings.TrimSpace(string(st))) > 0 {
		rev += "-dirty"
	}
	return rev
}
