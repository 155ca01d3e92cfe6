package procfs

import (
	"strings"
	"testing"
)

func TestParseSoftirq(t *testing.T) {
	const two = "                    CPU0       CPU1       \n" +
		"          HI:          0          0\n" +
		"       TIMER:    1022880     979674\n" +
		"         RCU:   47517015    3897808\n"
	for _, tc := range []struct {
		name, text, row string
		want            uint64
		err             error // nil: no error; errAny: some error
	}{
		{"two cpus", two, "RCU", 47517015 + 3897808, nil},
		{"another row", two, "TIMER", 1022880 + 979674, nil},
		{"zeros", two, "HI", 0, nil},
		{"one cpu", "       CPU0\n  RCU:  42\n", "RCU", 42, nil},
		{"no such row", two, "BLOCK", 0, ErrNoSoftirq},
		{"prefix is not the row", "  CPU0\n  RCU_X:  1\n", "RCU", 0, ErrNoSoftirq},
		{"no counts", "  CPU0\n  RCU:\n", "RCU", 0, errAny},
		{"junk", "  CPU0 CPU1\n  RCU:  1 x\n", "RCU", 0, errAny},
		{"empty", "", "RCU", 0, ErrNoSoftirq},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSoftirq(strings.NewReader(tc.text), tc.row)
			checkErr(t, err, tc.err)
			if got != tc.want {
				t.Errorf("count %d, want %d", got, tc.want)
			}
		})
	}
}
