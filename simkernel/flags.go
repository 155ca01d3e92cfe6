package simkernel

import (
	"fmt"
	"strconv"
	"strings"
)

// Clone flags, with Linux's numbers (include/uapi/linux/sched.h), so a flag
// word means the same here as in rawclone and in the real clone(2). The low
// byte (CSIGNAL) is the exit signal.
const (
	CSIGNAL              uint64 = 0x000000ff
	CLONE_VM             uint64 = 0x00000100
	CLONE_FS             uint64 = 0x00000200
	CLONE_FILES          uint64 = 0x00000400
	CLONE_SIGHAND        uint64 = 0x00000800
	CLONE_PIDFD          uint64 = 0x00001000
	CLONE_PTRACE         uint64 = 0x00002000
	CLONE_VFORK          uint64 = 0x00004000
	CLONE_PARENT         uint64 = 0x00008000
	CLONE_THREAD         uint64 = 0x00010000
	CLONE_NEWNS          uint64 = 0x00020000
	CLONE_SYSVSEM        uint64 = 0x00040000
	CLONE_SETTLS         uint64 = 0x00080000
	CLONE_PARENT_SETTID  uint64 = 0x00100000
	CLONE_CHILD_CLEARTID uint64 = 0x00200000
	CLONE_DETACHED       uint64 = 0x00400000
	CLONE_UNTRACED       uint64 = 0x00800000
	CLONE_CHILD_SETTID   uint64 = 0x01000000
	CLONE_NEWCGROUP      uint64 = 0x02000000
	CLONE_NEWUTS         uint64 = 0x04000000
	CLONE_NEWIPC         uint64 = 0x08000000
	CLONE_NEWUSER        uint64 = 0x10000000
	CLONE_NEWPID         uint64 = 0x20000000
	CLONE_NEWNET         uint64 = 0x40000000
	CLONE_IO             uint64 = 0x80000000
	// clone3-only flags, above the legacy 32 bits.
	CLONE_CLEAR_SIGHAND uint64 = 0x100000000
	CLONE_INTO_CGROUP   uint64 = 0x200000000

	SIGCHLD = 17
)

// Flag sets of the seeds: glibc's fork (clone with SIGCHLD and the tid
// bookkeeping flags), pthread_create's, and vfork's.
const (
	ForkFlags   = CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD
	ThreadFlags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID
	VforkFlags = CLONE_VM | CLONE_VFORK | SIGCHLD
)

// namespaceFlags need CAP_SYS_ADMIN (CLONE_NEWUSER excepted).
const namespaceFlags = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET

// knownFlags is every bit Clone understands; the rest is refused.
const knownFlags = CSIGNAL | 0xffffff00 | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP

// flagNames lists the flags in bit order with the short names rawclone's
// Flags.String uses ("VM|FS|…|SIGCHLD").
var flagNames = []struct {
	bit  uint64
	name string
}{
	{CLONE_VM, "VM"}, {CLONE_FS, "FS"}, {CLONE_FILES, "FILES"}, {CLONE_SIGHAND, "SIGHAND"},
	{CLONE_PIDFD, "PIDFD"}, {CLONE_PTRACE, "PTRACE"}, {CLONE_VFORK, "VFORK"}, {CLONE_PARENT, "PARENT"},
	{CLONE_THREAD, "THREAD"}, {CLONE_NEWNS, "NEWNS"}, {CLONE_SYSVSEM, "SYSVSEM"}, {CLONE_SETTLS, "SETTLS"},
	{CLONE_PARENT_SETTID, "PARENT_SETTID"}, {CLONE_CHILD_CLEARTID, "CHILD_CLEARTID"},
	{CLONE_DETACHED, "DETACHED"}, {CLONE_UNTRACED, "UNTRACED"}, {CLONE_CHILD_SETTID, "CHILD_SETTID"},
	{CLONE_NEWCGROUP, "NEWCGROUP"}, {CLONE_NEWUTS, "NEWUTS"}, {CLONE_NEWIPC, "NEWIPC"},
	{CLONE_NEWUSER, "NEWUSER"}, {CLONE_NEWPID, "NEWPID"}, {CLONE_NEWNET, "NEWNET"}, {CLONE_IO, "IO"},
	{CLONE_CLEAR_SIGHAND, "CLEAR_SIGHAND"}, {CLONE_INTO_CGROUP, "INTO_CGROUP"},
}

// signalNames are the exit signals written by name; others are numbers.
var signalNames = map[uint64]string{17: "SIGCHLD", 10: "SIGUSR1", 12: "SIGUSR2", 9: "SIGKILL", 15: "SIGTERM"}

// FormatFlags writes a flag word as "VM|FS|…|SIGCHLD", in bit order with the
// exit signal last; 0 is "0".
func FormatFlags(f uint64) string {
	var parts []string
	for _, n := range flagNames {
		if f&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if sig := f & CSIGNAL; sig != 0 {
		if s, ok := signalNames[sig]; ok {
			parts = append(parts, s)
		} else {
			parts = append(parts, "SIG"+strconv.FormatUint(sig, 10))
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

// ParseFlags reads FormatFlags' form ("VM|FS|SIGCHLD", names with or
// without the CLONE_ prefix, any case, '|' or '+' or ',' between them, "0"
// for none) or one of the names "fork", "thread", "vfork".
func ParseFlags(s string) (uint64, error) {
	// Only the lower-case words name the seed sets: "THREAD" and "VFORK"
	// are single flags, as in rawclone.ParseFlags.
	switch strings.TrimSpace(s) {
	case "fork":
		return ForkFlags, nil
	case "thread":
		return ThreadFlags, nil
	case "vfork":
		return VforkFlags, nil
	case "0", "":
		return 0, nil
	}
	var f uint64
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == '+' || r == ',' }) {
		p := strings.ToUpper(strings.TrimSpace(part))
		p = strings.TrimPrefix(p, "CLONE_")
		bit, ok := lookupFlag(p)
		if !ok {
			return 0, fmt.Errorf("simkernel: flags %q: unknown flag %q", s, part)
		}
		f |= bit
	}
	return f, nil
}

func lookupFlag(p string) (uint64, bool) {
	for _, n := range flagNames {
		if n.name == p {
			return n.bit, true
		}
	}
	for sig, n := range signalNames {
		if n == p {
			return sig, true
		}
	}
	if num, ok := strings.CutPrefix(p, "SIG"); ok {
		if v, err := strconv.ParseUint(num, 10, 8); err == nil {
			return v, true
		}
	}
	if v, err := strconv.ParseUint(p, 0, 64); err == nil {
		return v, true
	}
	return 0, false
}
