package rawclone

import (
	"math/rand"
	"strings"
	"testing"
)

func TestSeedSetsPrintAsTheirFlags(t *testing.T) {
	for _, tt := range []struct {
		f    Flags
		want string
	}{
		{ThreadFlags, "VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID"},
		{ForkFlags, "CHILD_CLEARTID|CHILD_SETTID|SIGCHLD"},
		{VforkFlags, "VM|VFORK|SIGCHLD"},
		{0, "0"},
		{SIGCHLD, "SIGCHLD"},
		{CloneVM | 40, "VM|SIG40"},
		{CloneVM | 1<<40 | 9, "VM|0x10000000000|SIGKILL"},
	} {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("Flags(%#x).String() = %q, want %q", uint64(tt.f), got, tt.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Flags
		wantErr string // substring of the error; "" for none
	}{
		{"fork", ForkFlags, ""},
		{"thread", ThreadFlags, ""},
		{"vfork", VforkFlags, ""},
		{"FORK", ForkFlags, ""},
		{"THREAD", CloneThread, ""},
		{"VFORK|VM|SIGCHLD", VforkFlags, ""},
		{"clone_vm | clone_files|sigchld", CloneVM | CloneFiles | SIGCHLD, ""},
		{"VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID", ThreadFlags, ""},
		{"thread|SIGCHLD", ThreadFlags | SIGCHLD, ""},
		{"0", 0, ""},
		{"0x100|17", CloneVM | SIGCHLD, ""},
		{"SIG40", 40, ""},
		{"SIGCHLD|SIGCHLD", SIGCHLD, ""},
		{"", 0, "empty"},
		{"VM||FS", 0, "empty word"},
		{"VM|bogus", 0, `"bogus"`},
		{"CLONE_", 0, `"CLONE_"`},
		{"SIGCHLD|SIGUSR1", 0, "two exit signals"},
		{"SIG0", 0, `"SIG0"`},
		{"SIG256", 0, `"SIG256"`},
	} {
		got, err := ParseFlags(tt.in)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ParseFlags(%q): %v", tt.in, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ParseFlags(%q) = %v, %v; want an error containing %s", tt.in, got, err, tt.wantErr)
		case err == nil && got != tt.want:
			t.Errorf("ParseFlags(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFlagsStringParsesBack(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	values := []Flags{0, ThreadFlags, ForkFlags, VforkFlags, ^Flags(0), SignalMask, 1 << 63}
	for i := 0; i < 1000; i++ {
		values = append(values, Flags(r.Uint64()), Flags(r.Uint64()&0xffffffff), Flags(r.Uint64()&0xff))
	}
	for _, f := range values {
		got, err := ParseFlags(f.String())
		if err != nil || got != f {
			t.Errorf("ParseFlags(%q) = %v, %v; want %#x", f.String(), got, err, uint64(f))
		}
	}
}

func FuzzParseFlags(f *testing.F) {
	for _, s := range []string{
		"fork", "thread", "vfork", "0", "VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID",
		"CHILD_CLEARTID|CHILD_SETTID|SIGCHLD", "clone_vm|sigchld", "0x100000000|SIG40", "VM||", "SIGHAND|SIGHUP",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flags, err := ParseFlags(s)
		if err != nil {
			return
		}
		back, err := ParseFlags(flags.String())
		if err != nil || back != flags {
			t.Fatalf("ParseFlags(%q) = %#x, printed %q, parsed back as %#x, %v", s, uint64(flags), flags.String(), uint64(back), err)
		}
	})
}
