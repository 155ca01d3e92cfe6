package procfs

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSteal(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       uint64
		err        error // nil: no error; errAny: some error
	}{
		{"kvm guest", "cpu  4705 150 1120 1663740 3163 0 48 917 0 0\ncpu0 2350 75 560 831870 1581 0 24 458 0 0\nintr 1\n", 917, nil},
		{"no steal clock", "cpu  4705 150 1120 1663740 3163 0 48 0 0 0\n", 0, nil},
		{"old kernel", "cpu  4705 150 1120 1663740 3163 0 48\n", 0, ErrNoSteal},
		{"per-cpu lines only", "cpu0 1 2 3 4 5 6 7 8\n", 0, errAny},
		{"junk", "cpu  1 2 3 4 5 6 7 x 0 0\n", 0, errAny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSteal(strings.NewReader(tc.text))
			checkErr(t, err, tc.err)
			if got != tc.want {
				t.Errorf("steal %d, want %d", got, tc.want)
			}
		})
	}
}

var errAny = errors.New("any error")

// checkErr fails t unless err is what a table case wants: none (nil),
// any (errAny), or one that errors.Is want.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("error %v", err)
	case want == errAny && err == nil, want != nil && want != errAny && !errors.Is(err, want):
		t.Fatalf("error %v, want %v", err, want)
	}
}
