// Package runfiles finds the runs runbench history reads, and stores them:
// the result files a command line names, directories standing for the
// *.txt under them, the commit order of a git repository, and an x/perf
// storage server.
package runfiles

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/perf/storage"

	"github.com/clonebench/clonebench/history"
	"github.com/clonebench/clonebench/resultfile"
)

// Expand expands the arguments: a file is taken as given, a directory
// for every *.txt under it. Ordered by time, a file in a directory whose
// name is not a run name (resultfile.RunName: UTCTIME[-partial][-N].txt;
// a reference file, a copy) is left out with a note on stderr; named on
// the command line, it is left to the caller, which refuses it when
// ordering. A file reached twice (named twice, or under a directory also
// given, or a hard link: os.SameFile) is kept once, with a note.
func Expand(stderr io.Writer, args []string, byTime bool) ([]string, error) {
	var paths []string
	var seen []seenFile
	add := func(p string, fi os.FileInfo) {
		for _, s := range seen {
			if os.SameFile(s.fi, fi) {
				fmt.Fprintf(stderr, "[runbench] history: leaving out %s: the same file as %s\n", p, s.path)
				return
			}
		}
		seen = append(seen, seenFile{p, fi})
		paths = append(paths, p)
	}
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			add(a, fi)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".txt") {
				return nil
			}
			if byTime {
				if _, err := resultfile.ParseRunName(p); err != nil {
					fmt.Fprintf(stderr, "[runbench] history: leaving out %s: not named UTCTIME[-partial][-N].txt\n", p)
					return nil
				}
			}
			found = append(found, p)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no result files (*.txt) in it", a)
		}
		sort.Strings(found)
		for _, p := range found {
			fi, err := os.Stat(p)
			if err != nil {
				return nil, err
			}
			add(p, fi)
		}
	}
	return paths, nil
}

type seenFile struct {
	path string
	fi   os.FileInfo
}

// GitCommits is repo's history oldest first, in topological order: the
// order history -by commit puts runs in.
func GitCommits(repo string) ([]string, error) {
	cmd := exec.Command("git", "-C", repo, "rev-list", "--reverse", "--topo-order", "HEAD")
	var errb strings.Builder
	cmd.Stderr = &errb
	outb, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git rev-list in %s: %v: %s", repo, err, strings.TrimSpace(errb.String()))
	}
	return strings.Fields(string(outb)), nil
}

// Join is every name joined to dir.
func Join(dir string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, n)
	}
	return out
}

// DefaultTimeout bounds one upload or query (the -timeout flag's
// default): a store that does not answer must fail the nightly in
// seconds, not hang it.
const DefaultTimeout = 30 * time.Second

// progressEvery is how often a call still waiting says so.
const progressEvery = 5 * time.Second

// serverCall runs call with timeout, saying on stderr what it waits for
// every progressEvery, and names a timeout as such.
func serverCall(stderr io.Writer, what string, timeout time.Duration, call func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	start := time.Now()
	go func() {
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(stderr, "[runbench] %s: no answer yet (%v of -timeout %v)\n", what, time.Since(start).Round(time.Second), timeout)
			}
		}
	}()
	err := call(ctx)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w: timed out, no answer within -timeout %v", err, timeout)
	}
	return err
}

// Query reads the runs the storage query q selects from the server. A
// result of two machines is an error wrapping resultfile.ErrMalformed, as
// for a file.
func Query(stderr io.Writer, server, q string, timeout time.Duration) ([]*resultfile.File, error) {
	var files []*resultfile.File
	fmt.Fprintf(stderr, "[runbench] history: querying %s for %q (-timeout %v)\n", server, q, timeout)
	err := serverCall(stderr, "history: query "+server, timeout, func(ctx context.Context) (err error) {
		files, err = history.Query(ctx, server, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := f.OneMachine(); err != nil {
			if !strings.Contains(err.Error(), f.Path) {
				err = fmt.Errorf("%s: %w", f.Path, err)
			}
			return nil, err
		}
	}
	return files, nil
}

// Upload sends the result files, which the caller has checked, as one
// upload to the storage server, and prints the upload and file IDs to w.
func Upload(w, stderr io.Writer, server string, paths []string, timeout time.Duration) error {
	var st *storage.UploadStatus
	fmt.Fprintf(stderr, "[runbench] upload: %d files to %s (-timeout %v)\n", len(paths), server, timeout)
	err := serverCall(stderr, "upload to "+server, timeout, func(ctx context.Context) (err error) {
		st, err = history.Upload(ctx, server, paths)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "upload %s: %s\n", st.UploadID, strings.Join(st.FileIDs, " "))
	if st.ViewURL != "" {
		fmt.Fprintln(w, st.ViewURL)
	}
	return nil
}

// Earlier is the runs in dir (as Expand finds them) other than the runs
// compared: the earlier runs of a machine whose between-run spread a
// one-run comparison is tested against. A file that does not read as a
// run is not one of ours (a note, another tool's reference) and tells
// nothing of the spread, so it is left out.
func Earlier(dir string, compared ...*resultfile.File) ([]*resultfile.File, error) {
	paths, err := Expand(io.Discard, []string{dir}, false)
	if err != nil {
		return nil, err
	}
	var out []*resultfile.File
next:
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		for _, f := range compared {
			if cf, err := os.Stat(f.Path); err == nil && os.SameFile(fi, cf) {
				continue next
			}
		}
		if f, err := resultfile.ReadRun(p); err == nil {
			out = append(out, f)
		}
	}
	return out, nil
}
