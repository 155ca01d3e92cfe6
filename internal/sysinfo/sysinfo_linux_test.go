//go:build linux

package sysinfo

import "testing"

func TestSelected(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		err      bool
	}{
		{"always [madvise] never\n", "madvise", false},
		{"[always] madvise never", "always", false},
		{"always madvise never", "", true},
	} {
		got, err := selected(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("selected(%q) = %q, %v; want %q, err %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestLinuxFactsKnown(t *testing.T) {
	for name, f := range map[string]func() (string, error){
		"cpu": CPUModel, "kernel": KernelRelease, "virtualization": Virtualization,
		"governor": Governor, "thp": THP, "mitigations": Mitigations,
	} {
		v, err := f()
		if err != nil || v == "" {
			t.Errorf("%s = %q, %v", name, v, err)
		}
		t.Logf("%s: %s", name, v)
	}
	if _, err := LoadAvg(); err != nil {
		t.Error(err)
	}
}
