package sysinfo

import (
	"strings"
	"testing"
	"unicode"
)

func TestCollectWellFormed(t *testing.T) {
	facts := Collect()
	seen := map[string]bool{}
	for _, f := range facts {
		if f.Key == "" || f.Value == "" {
			t.Errorf("fact %q has an empty key or value %q", f.Key, f.Value)
		}
		if seen[f.Key] {
			t.Errorf("fact %q twice", f.Key)
		}
		seen[f.Key] = true
		// A config line key must start lower case and hold no space or
		// upper case, or benchfmt reads it as an ordinary line.
		for i, r := range f.Key {
			if unicode.IsSpace(r) || unicode.IsUpper(r) || (i == 0 && !unicode.IsLower(r)) {
				t.Errorf("key %q is not a config key", f.Key)
			}
		}
		if strings.ContainsAny(f.Value, "\n\r") {
			t.Errorf("value of %q spans lines: %q", f.Key, f.Value)
		}
	}
	for _, k := range MachineKeys {
		if !seen[k] {
			t.Errorf("machine key %q not collected", k)
		}
	}
}
