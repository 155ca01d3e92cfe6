package rawclone

import (
	"fmt"
	"strconv"
	"strings"
)

// Flags is the first argument of clone(2): CLONE_* bits in the high bits and
// the exit signal (the signal the parent gets when the child ends) in the low
// byte. The values are Linux's on every platform, so flag sets can be parsed
// and printed anywhere; flags_linux_test.go checks them against x/sys/unix.
type Flags uint64

// The clone(2) flag bits. CLONE_NEWTIME, CLONE_CLEAR_SIGHAND and
// CLONE_INTO_CGROUP are left out: they exist only through clone3 (NEWTIME's
// value lies inside the exit-signal byte of clone).
const (
	CloneVM            Flags = 0x00000100
	CloneFS            Flags = 0x00000200
	CloneFiles         Flags = 0x00000400
	CloneSighand       Flags = 0x00000800
	ClonePidfd         Flags = 0x00001000
	ClonePtrace        Flags = 0x00002000
	CloneVfork         Flags = 0x00004000
	CloneParent        Flags = 0x00008000
	CloneThread        Flags = 0x00010000
	CloneNewNS         Flags = 0x00020000
	CloneSysVSem       Flags = 0x00040000
	CloneSetTLS        Flags = 0x00080000
	CloneParentSetTID  Flags = 0x00100000
	CloneChildClearTID Flags = 0x00200000
	CloneDetached      Flags = 0x00400000
	CloneUntraced      Flags = 0x00800000
	CloneChildSetTID   Flags = 0x01000000
	CloneNewCgroup     Flags = 0x02000000
	CloneNewUTS        Flags = 0x04000000
	CloneNewIPC        Flags = 0x08000000
	CloneNewUser       Flags = 0x10000000
	CloneNewPID        Flags = 0x20000000
	CloneNewNet        Flags = 0x40000000
	CloneIO            Flags = 0x80000000

	// SignalMask selects the exit signal (CSIGNAL).
	SignalMask Flags = 0xff
	// SIGCHLD as an exit signal, the one fork and vfork use.
	SIGCHLD Flags = 17
)

// The seed flag sets: what glibc's fork, pthread_create and vfork pass.
var (
	ForkFlags   = CloneChildClearTID | CloneChildSetTID | SIGCHLD
	ThreadFlags = CloneVM | CloneFS | CloneFiles | CloneSighand | CloneThread |
		CloneSysVSem | CloneSetTLS | CloneParentSetTID | CloneChildClearTID
	VforkFlags = CloneVM | CloneVfork | SIGCHLD
)

// flagNames is in bit order, which is the order String prints.
var flagNames = []struct {
	f    Flags
	name string
}{
	{CloneVM, "VM"},
	{CloneFS, "FS"},
	{CloneFiles, "FILES"},
	{CloneSighand, "SIGHAND"},
	{ClonePidfd, "PIDFD"},
	{ClonePtrace, "PTRACE"},
	{CloneVfork, "VFORK"},
	{CloneParent, "PARENT"},
	{CloneThread, "THREAD"},
	{CloneNewNS, "NEWNS"},
	{CloneSysVSem, "SYSVSEM"},
	{CloneSetTLS, "SETTLS"},
	{CloneParentSetTID, "PARENT_SETTID"},
	{CloneChildClearTID, "CHILD_CLEARTID"},
	{CloneDetached, "DETACHED"},
	{CloneUntraced, "UNTRACED"},
	{CloneChildSetTID, "CHILD_SETTID"},
	{CloneNewCgroup, "NEWCGROUP"},
	{CloneNewUTS, "NEWUTS"},
	{CloneNewIPC, "NEWIPC"},
	{CloneNewUser, "NEWUSER"},
	{CloneNewPID, "NEWPID"},
	{CloneNewNet, "NEWNET"},
	{CloneIO, "IO"},
}

// signalNames are Linux's signal numbers (the exit signal is a Linux value
// whatever the build platform).
var signalNames = [...]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP",
	6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1",
	11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
	16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP",
	21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
	26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR",
	31: "SIGSYS",
}

// signalName names a Linux signal number: "SIGCHLD", or "SIG40" for one
// without a name.
func signalName(sig int) string {
	if sig > 0 && sig < len(signalNames) {
		return signalNames[sig]
	}
	return "SIG" + strconv.Itoa(sig)
}

// ExitSignal is the signal the parent receives when the child ends (0: none).
func (f Flags) ExitSignal() int { return int(f & SignalMask) }

// Has reports whether every bit of g is set in f.
func (f Flags) Has(g Flags) bool { return f&g == g }

// String prints f as ParseFlags reads it: flag names in bit order without the
// CLONE_ prefix, then the exit signal, joined by "|"
// ("VM|VFORK|SIGCHLD"); bits without a name print as one hex word; no bits
// at all print as "0".
func (f Flags) String() string {
	if f == 0 {
		return "0"
	}
	var parts []string
	rest := f &^ SignalMask
	for _, n := range flagNames {
		if rest&n.f != 0 {
			parts = append(parts, n.name)
			rest &^= n.f
		}
	}
	if rest != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint64(rest)))
	}
	if sig := f.ExitSignal(); sig != 0 {
		parts = append(parts, signalName(sig))
	}
	return strings.Join(parts, "|")
}

// ParseFlags reads a flag set: words joined by "|", case-insensitive, each a
// flag name with or without the CLONE_ prefix ("VM", "CLONE_THREAD"), an exit
// signal ("SIGCHLD", "SIG40"), a hex or decimal number OR-ed in as is ("0",
// "0x100000000"), or one of the seed sets "fork", "thread" and "vfork".
// At most one exit signal may be named. Since THREAD and VFORK are also flag
// names, only the lower-case words "thread" and "vfork" mean the seed sets;
// any other spelling ("THREAD", "Vfork") is the single flag.
func ParseFlags(s string) (Flags, error) {
	if strings.TrimSpace(s) == "" {
		return 0, fmt.Errorf("rawclone: empty clone flag set")
	}
	var f Flags
	sigSeen := ""
	for _, w := range strings.Split(s, "|") {
		word := strings.TrimSpace(w)
		up := strings.ToUpper(word)
		if up == "" {
			return 0, fmt.Errorf("rawclone: clone flags %q: empty word", s)
		}
		switch up {
		case "FORK":
			f |= ForkFlags
			continue
		case "THREAD":
			// Bare "THREAD" is the flag CLONE_THREAD; the seed set is the
			// lower-case word only when it stands alone or with other sets.
			if word == "thread" {
				f |= ThreadFlags
			} else {
				f |= CloneThread
			}
			continue
		case "VFORK":
			if word == "vfork" {
				f |= VforkFlags
			} else {
				f |= CloneVfork
			}
			continue
		}
		if v, ok := parseNumber(up); ok {
			f |= Flags(v)
			continue
		}
		if sig, ok := parseSignal(up); ok {
			if sigSeen != "" && f.ExitSignal() != sig {
				return 0, fmt.Errorf("rawclone: clone flags %q: two exit signals %s and %s", s, sigSeen, word)
			}
			sigSeen = word
			f |= Flags(sig)
			continue
		}
		name := strings.TrimPrefix(up, "CLONE_")
		found := false
		for _, n := range flagNames {
			if n.name == name {
				f |= n.f
				found = true
				break
			}
		}
		if !found {
			return 0, fmt.Errorf("rawclone: clone flags %q: unknown word %q", s, word)
		}
	}
	return f, nil
}

func parseNumber(up string) (uint64, bool) {
	if up == "" || up[0] < '0' || up[0] > '9' {
		return 0, false
	}
	v, err := strconv.ParseUint(strings.ToLower(up), 0, 64)
	return v, err == nil
}

// parseSignal reads "SIGCHLD" or "SIG40" (1-255).
func parseSignal(up string) (int, bool) {
	if !strings.HasPrefix(up, "SIG") || up == "SIGHAND" {
		return 0, false
	}
	for i, n := range signalNames {
		if n != "" && n == up {
			return i, true
		}
	}
	digits := up[3:]
	if digits == "" || digits[0] < '1' || digits[0] > '9' {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || n > 255 {
		return 0, false
	}
	return n, true
}
