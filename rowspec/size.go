package rowspec

import (
	"fmt"
	"strconv"
	"strings"
)

// Size is a byte count as row names write it (rss=, ws=).
type Size uint64

// Common sizes.
const (
	KiB Size = 1 << 10
	MiB Size = 1 << 20
	GiB Size = 1 << 30
)

var sizeUnits = []struct {
	suffix string
	mult   Size
}{{"GiB", GiB}, {"MiB", MiB}, {"KiB", KiB}}

// String is FormatSize(s).
func (s Size) String() string { return FormatSize(s) }

// FormatSize writes n with the largest IEC suffix that divides it exactly,
// so that benchstat's /ws@num sorts it: "0", "16KiB", "64MiB", "1GiB",
// "1000B".
func FormatSize(n Size) string {
	if n == 0 {
		return "0"
	}
	for _, u := range sizeUnits {
		if n%u.mult == 0 {
			return strconv.FormatUint(uint64(n/u.mult), 10) + u.suffix
		}
	}
	return strconv.FormatUint(uint64(n), 10) + "B"
}

// ParseSize reads FormatSize's form and only that, so a size has one
// spelling: "16KiB", never "16384B" or "0B".
func ParseSize(s string) (Size, error) {
	if s == "0" {
		return 0, nil
	}
	for _, u := range append(sizeUnits, struct {
		suffix string
		mult   Size
	}{"B", 1}) {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		if num == "" || num[0] == '0' {
			break
		}
		v, err := strconv.ParseUint(num, 10, 64)
		if err != nil || v > uint64(^Size(0)/u.mult) {
			break
		}
		n := Size(v) * u.mult
		if FormatSize(n) != s {
			return 0, fmt.Errorf("size %q: write it %s", s, FormatSize(n))
		}
		return n, nil
	}
	return 0, fmt.Errorf("size %q: want 0 or a count with a B, KiB, MiB or GiB suffix, like 16KiB", s)
}
