package resultfile

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestRunName(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 9, 59, 40, 0, time.UTC)
	for _, tc := range []struct {
		path string
		want RunName
		err  bool
	}{
		{path: "results/vm/20261203T095940Z.txt", want: RunName{t0, false, 1}},
		{path: "20261203T095940Z-2.txt", want: RunName{t0, false, 2}},
		{path: "20261203T095940Z-13.txt", want: RunName{t0, false, 13}},
		{path: "20261203T095940Z-partial.txt", want: RunName{t0, true, 1}},
		{path: "20261203T095940Z-partial-2.txt", want: RunName{t0, true, 2}},
		{path: "20261203T095940Z-1.txt", err: true},
		{path: "20261203T095940Z-02.txt", err: true},
		{path: "20261203T095940Z-2-partial.txt", err: true},
		{path: "20261203T095940Z-.txt", err: true},
		{path: "20261203T095940Z-x.txt", err: true},
		{path: "20261203T095940Z.hist", err: true},
		{path: "20261203T095940.txt", err: true},
		{path: "old.txt", err: true},
		{path: "out-partial.txt", err: true},
	} {
		got, err := ParseRunName(tc.path)
		if tc.err {
			if !errors.Is(err, ErrNotRunName) {
				t.Errorf("ParseRunName(%q) = %v, %v; want ErrNotRunName", tc.path, got, err)
			}
			continue
		}
		if err != nil || got.Compare(tc.want) != 0 || !got.Time.Equal(tc.want.Time) {
			t.Errorf("ParseRunName(%q) = %+v, %v; want %+v", tc.path, got, err, tc.want)
		}
		if got.String() != tc.path[len(tc.path)-len(got.String()):] {
			t.Errorf("%q: String() = %q", tc.path, got.String())
		}
	}
}

// TestRunNameOrder: by time, then N after the plain name of its second.
func TestRunNameOrder(t *testing.T) {
	want := []string{
		"20261203T095939Z-partial.txt",
		"20261203T095940Z.txt",
		"20261203T095940Z-partial.txt",
		"20261203T095940Z-2.txt",
		"20261203T095940Z-3.txt",
		"20261203T095941Z.txt",
	}
	var names []RunName
	for i := len(want) - 1; i >= 0; i-- {
		r, err := ParseRunName(want[i])
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, r)
	}
	slices.SortFunc(names, RunName.Compare)
	for i, r := range names {
		if r.String() != want[i] {
			t.Errorf("%d: %s, want %s", i, r, want[i])
		}
	}
}

func TestPartialPath(t *testing.T) {
	for in, want := range map[string]string{"out.txt": "out-partial.txt", "dir/x": "dir/x-partial"} {
		if got := PartialPath(in); got != want {
			t.Errorf("PartialPath(%q) = %q, want %q", in, got, want)
		}
	}
}
