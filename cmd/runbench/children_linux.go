//go:build linux

package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// killChildren SIGKILLs and reaps every child process of runbench: the
// process-style children of a row abandoned after a signal. Thread-style
// children (CLONE_THREAD) are not children in this sense; they end with
// the process. It returns how many it reaped.
func killChildren(deadline time.Time) (int, error) {
	pids, err := childPids()
	if err != nil {
		return 0, err
	}
	for _, pid := range pids {
		unix.Kill(pid, unix.SIGKILL)
	}
	reaped := 0
	for _, pid := range pids {
		// __WALL: raw clone children may have no exit signal, or one other
		// than SIGCHLD, and plain wait4 ignores those.
		for time.Now().Before(deadline) {
			var ws unix.WaitStatus
			got, err := unix.Wait4(pid, &ws, unix.WALL|unix.WNOHANG, nil)
			if got == pid || err != nil { // reaped, or reaped by the row's own cleanup
				reaped++
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return reaped, nil
}

// childPids lists the processes whose parent is this process, from
// /proc/PID/stat (field 4, after the parenthesised command name).
func childPids() ([]int, error) {
	self := os.Getpid()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone already
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(f[1]); err == nil && ppid == self {
			out = append(out, pid)
		}
	}
	if len(out) > 1000 {
		return nil, fmt.Errorf("%d children: refusing to believe it", len(out))
	}
	return out, nil
}
