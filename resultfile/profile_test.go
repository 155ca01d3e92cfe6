package resultfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/clonebench/clonebench/kprof"
)

func TestProfilePath(t *testing.T) {
	for _, tc := range []struct{ result, row, want string }{
		{"results/vm/20260101T000000Z.txt", "Create/style=fork/cpu=same/pprof=cpu", "results/vm/20260101T000000Z.Create.style=fork.cpu=same.pprof"},
		{"r/20260101T000000Z-partial.txt", "CloneFlags/flags=VM|FS|SIGCHLD/cpu=same/pprof=cpu", "r/20260101T000000Z-partial.CloneFlags.flags=VM+FS+SIGCHLD.cpu=same.pprof"},
		{"a.b/c", "Odd name/x:y", "a.b/c.Odd_name.x_y.pprof"},
	} {
		if got := ProfilePath(tc.result, tc.row); got != tc.want {
			t.Errorf("ProfilePath(%q, %q) = %q, want %q", tc.result, tc.row, got, tc.want)
		}
	}
}

// WriteProfile then ReadProfiles: the row and ops come back, and a second
// write of the same row refuses to overwrite.
func TestProfileSidecarRoundTrip(t *testing.T) {
	dir := t.TempDir()
	result := filepath.Join(dir, "20260101T000000Z.txt")
	p := kprof.Build([]kprof.Stack{{Kernel: []uint64{0xffffffff81000000}, Count: 2, Period: 500}}, kprof.Meta{Source: kprof.SourceCPUClock, Period: 250})
	for _, row := range []string{"Create/style=thread/cpu=same/pprof=cpu", "Create/style=fork/cpu=same/pprof=cpu"} {
		if _, err := WriteProfile(result, RowProfile{Row: row, Ops: 10, Profile: p}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := WriteProfile(result, RowProfile{Row: "Create/style=fork/cpu=same/pprof=cpu", Ops: 1, Profile: p}); !errors.Is(err, os.ErrExist) {
		t.Errorf("second write: %v, want ErrExist", err)
	}
	// Another run's sidecar in the same directory is not this run's.
	if _, err := WriteProfile(filepath.Join(dir, "20260101T000000Z-2.txt"), RowProfile{Row: "Create/style=vfork/cpu=same/pprof=cpu", Ops: 1, Profile: p}); err != nil {
		t.Fatal(err)
	}
	rps, err := ReadProfiles(result)
	if err != nil {
		t.Fatal(err)
	}
	if len(rps) != 2 || rps[0].Row != "Create/style=fork/cpu=same/pprof=cpu" || rps[0].Ops != 10 || kprof.Total(rps[0].Profile) != 500 {
		t.Fatalf("read back %+v", rps)
	}
	if none, err := ReadProfiles(filepath.Join(dir, "none.txt")); err != nil || none != nil {
		t.Errorf("no sidecars: %v, %v", none, err)
	}
	bad := ProfilePath(filepath.Join(dir, "bad.txt"), "X")
	if err := os.WriteFile(bad, []byte("not a profile"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadProfiles(filepath.Join(dir, "bad.txt")); !errors.Is(err, ErrMalformed) {
		t.Errorf("a bad sidecar: %v, want ErrMalformed", err)
	}
}
