package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGitStateIgnoresUntracked: files a run writes under results/ (new,
// untracked) leave a checkout clean; a change to a tracked file does not.
// (go build's stamp once made such a checkout "-dirty".)
func TestGitStateIgnoresUntracked(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skipf("no git: %v", err)
	}
	repo := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(repo, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	write("main.go", "package main\n")
	git("add", "main.go")
	git("commit", "-q", "-m", "one")
	for _, tc := range []struct {
		name  string
		do    func()
		dirty bool
	}{
		{"clean", func() {}, false},
		{"untracked results", func() {
			write("results/host/20261203T101010Z.txt", "BenchmarkX 1 1 ns/op\n")
			write("results/host/20261203T101010Z.hist", "")
		}, false},
		{"tracked change", func() { write("main.go", "package main // changed\n") }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.do()
			rev, dirty, err := gitState(repo)
			if err != nil {
				t.Skipf("git here cannot read the test repository: %v", err)
			}
			if len(rev) < 40 || dirty != tc.dirty {
				t.Errorf("gitState = %q, dirty %v; want a commit, dirty %v", rev, dirty, tc.dirty)
			}
		})
	}
}
