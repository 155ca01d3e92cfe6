package runner

import (
	"context"
	"fmt"
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
// "unknown". A tree with local changes to tracked files gets a "-dirty"
// suffix. Untracked files do not count: go build's stamp counts them
// (vcs.modified), and a run writes untracked files under results/, so
// the next binary built would call a clean checkout dirty (and history
// -by commit refuse its runs). Where the source tree is at hand at the
// stamped revision, git's answer without untracked files replaces the
// stamp's.
func suiteCommit() string {
	dir := sourceDir()
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
			if dirty && dir != "" {
				if head, d, err := gitState(dir); err == nil && head == rev {
					dirty = d
				}
			}
			if dirty {
				rev += "-dirty"
			}
			return rev
		}
	}
	if dir == "" {
		return sysinfo.Unknown
	}
	rev, dirty, err := gitState(dir)
	if err != nil {
		return sysinfo.Unknown
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

// sourceDir is the directory this file was compiled from, "" when it is
// not known (-trimpath, a copied binary: go run does not stamp VCS info,
// so git is asked about the tree instead).
func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Dir(file)
}

// gitState is the commit checked out in the git tree holding dir, and
// whether tracked files differ from it; untracked files never count.
func gitState(dir string) (rev string, dirty bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return "", false, fmt.Errorf("git rev-parse HEAD in %s: %w", dir, err)
	}
	st, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output()
	if err != nil {
		return "", false, fmt.Errorf("git status in %s: %w", dir, err)
	}
	return strings.TrimSpace(string(out)), len(strings.TrimSpace(string(st))) > 0, nil
}
