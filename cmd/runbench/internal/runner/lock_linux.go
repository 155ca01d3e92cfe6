//go:build linux

package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// DefaultLock is the machine's run lock: the abstract unix socket
// @clonebench-run-lock. An abstract socket, not a file, because a file's
// lock is only as shared as the directory it lives in: $TMPDIR differs per
// user and per shell, /run/lock and /tmp differ per mount namespace, and a
// file one user creates another may not open (mode, umask, and
// fs.protected_regular in a sticky directory). An abstract name has no
// owner and no mode, is one per network namespace (so runs in other mount
// namespaces, under other users, with or without root, see it), and is
// gone when the last fd of the socket closes, so a killed run never
// leaves it held. A run in a container with a network namespace of its
// own does not see the host's: it shares the host's CPUs all the same, so
// serialise those by hand.
const DefaultLock = "clonebench-run-lock"

// lockRun takes the machine's run lock: two runs at once would measure
// each other. It is bound, listening, for the run's life; a second run
// connects to it to learn the holder (SO_PEERCRED gives the listener's
// pid and uid). Without the lock it does not measure: any error other
// than "held" is returned, not warned about.
func lockRun(name string, wait bool, stderr io.Writer) (release func(), err error) {
	addr := &unix.SockaddrUnix{Name: "@" + name}
	warned := false
	for {
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("run lock @%s: socket: %w", name, err)
		}
		err = unix.Bind(fd, addr)
		if err == nil {
			err = unix.Listen(fd, 64)
		}
		if err == nil {
			return func() { unix.Close(fd) }, nil
		}
		unix.Close(fd)
		if !errors.Is(err, unix.EADDRINUSE) {
			return nil, fmt.Errorf("run lock @%s: %w", name, err)
		}
		holder, conn := lockHolder(addr)
		if !wait {
			if conn >= 0 {
				unix.Close(conn)
			}
			return nil, badInput("another run holds the run lock @%s (%s); one run at a time per machine, or use -wait", name, holder)
		}
		if !warned {
			fmt.Fprintf(stderr, "[runbench] waiting for %s to finish (run lock @%s)\n", holder, name)
			warned = true
		}
		waitRelease(conn)
	}
}

// lockHolder connects to the held lock and names its holder: "pid N (comm)
// of uid U", or "another process" when the kernel cannot say. The
// connection, or -1, is returned for waitRelease.
func lockHolder(addr *unix.SockaddrUnix) (string, int) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return "another process", -1
	}
	if err := unix.Connect(fd, addr); err != nil {
		unix.Close(fd)
		return "another process", -1
	}
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil || cred.Pid == 0 {
		// Pid 0: the holder is in a pid namespace we cannot see into.
		return "another process", fd
	}
	holder := fmt.Sprintf("pid %d", cred.Pid)
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", cred.Pid)); err == nil {
		holder += " (" + strings.TrimSpace(string(b)) + ")"
	}
	if int(cred.Uid) != os.Getuid() {
		holder += fmt.Sprintf(" of uid %d", cred.Uid)
	}
	return holder, fd
}

// waitRelease blocks until the holder is likely gone: a connection the
// holder never accepts is reset when its listening socket closes, so the
// read returns then; a timeout bounds the wait (a full backlog, or a
// holder whose end stays open in a child), after which the caller tries
// the bind again.
func waitRelease(conn int) {
	if conn < 0 {
		time.Sleep(500 * time.Millisecond)
		return
	}
	defer unix.Close(conn)
	tv := unix.NsecToTimeval(int64(time.Second))
	if unix.SetsockoptTimeval(conn, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv) != nil {
		time.Sleep(500 * time.Millisecond)
		return
	}
	var b [1]byte
	unix.Read(conn, b[:])
}
