//go:build linux

package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Status reads /proc/TID/status, which exists for every tid of the system,
// thread-group leader or not, into a map from field name to trimmed value.
func Status(tid int) (map[string]string, error) {
	return ReadStatus(fmt.Sprintf("/proc/%d/status", tid))
}

// ReadStatus reads the "Key:\tvalue" lines of the status file at path, for
// the spellings Status does not cover (/proc/self/task/TID/status, which
// only a thread of this process has). Lines without a colon are skipped.
func ReadStatus(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m, nil
}

// Task flags (include/linux/sched.h) that StatFlags callers test.
const (
	PFExiting = 0x00000004 // in do_exit
	PFKthread = 0x00200000 // a kernel thread
)

// StatFlags reads a task's flags (PF_*, field 9) from the stat file at path
// (/proc/PID/stat, /proc/self/task/TID/stat). The comm may hold spaces and
// parentheses, so fields are counted after its last ')'.
func StatFlags(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 7 {
		return 0, fmt.Errorf("procfs: %s: no flags field in %q", path, b)
	}
	flags, err := strconv.ParseUint(f[6], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("procfs: %s: flags: %w", path, err)
	}
	return flags, nil
}

// Exiting lists the threads of this process that are in do_exit
// (PF_EXITING); one that goes while it is read is left out.
//
// A listing of /proc/self/task can skip live threads when others are
// released during it (readdir resumes by counting threads from the
// leader, and a walk stops at a thread that died under it), which is just
// when this is asked. So a listing counts only if it holds as many tids
// as the kernel's thread count (the status file's Threads) before and
// after it; else it is taken again.
func Exiting() ([]int, error) {
	for try := 1; ; try++ {
		n0, err := threadCount()
		if err != nil {
			return nil, err
		}
		tids, err := Tasks()
		if err != nil {
			return nil, err
		}
		var out []int
		for _, tid := range tids {
			pf, err := StatFlags(fmt.Sprintf("/proc/self/task/%d/stat", tid))
			if TaskGone(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if pf&PFExiting != 0 {
				out = append(out, tid)
			}
		}
		n1, err := threadCount()
		if err != nil {
			return nil, err
		}
		if n0 == len(tids) && n1 == n0 {
			return out, nil
		}
		if try == 1000 {
			return nil, fmt.Errorf("procfs: /proc/self/task listed %d threads, status says %d then %d, %d times running", len(tids), n0, n1, try)
		}
	}
}

// threadCount is the kernel's count of this process's threads.
func threadCount() (int, error) {
	st, err := ReadStatus("/proc/self/status")
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(st["Threads"])
	if err != nil {
		return 0, fmt.Errorf("procfs: /proc/self/status Threads %q: %w", st["Threads"], err)
	}
	return n, nil
}

// ExitingNew is Exiting less the threads in before (an earlier Tasks):
// what a batch of clones left in do_exit, without a Go runtime thread
// that started ending meanwhile (a goroutine left locked to it returned).
func ExitingNew(before []int) ([]int, error) {
	ex, err := Exiting()
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ex, func(tid int) bool { return slices.Contains(before, tid) }), nil
}

// TaskGone reports whether err, from reading a task's /proc files, says
// the task is gone: ENOENT once it is unhashed, ESRCH when it went while
// the file was being read.
func TaskGone(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ESRCH)
}

// Kcmp reports whether tasks pid1 and pid2 share the kernel structure typ
// (one of the Kcmp constants), as kcmp(2) sees it. The error is the bare
// unix.Errno, so callers can tell ENOSYS (no CONFIG_CHECKPOINT_RESTORE) and
// EPERM (no ptrace access) from a real failure with errors.Is.
func Kcmp(pid1, pid2, typ int) (bool, error) {
	r, _, e := unix.Syscall6(unix.SYS_KCMP, uintptr(pid1), uintptr(pid2), uintptr(typ), 0, 0, 0)
	if e != 0 {
		return false, e
	}
	// 0 is equal; 1 and 2 order the two unequal structures.
	return r == 0, nil
}

// Tasks lists the thread ids of this process (/proc/self/task).
func Tasks() ([]int, error) {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, err
	}
	var tids []int
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}

// Counts is what a leak shows in: the tasks, open fds and memory mappings of
// this process. The fd count includes the one that reads /proc/self/fd, the
// same in every call, so only differences between calls mean anything.
//
// tasks leaves out the Go runtime's own threads: the runtime starts a thread
// whenever it wants one (a goroutine blocked in a system call, a locked
// thread), and one it started in the middle of a test is not a task the
// test leaked. What remains are the tasks something else started — raw
// clones, C threads. A cgo binary's runtime keeps a spare M with no thread,
// so tasks may be below zero; it is a difference, not a population.
func Counts() (tasks, fds, maps int, err error) {
	if tasks, err = otherTasks(); err != nil {
		return 0, 0, 0, err
	}
	f, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, 0, 0, err
	}
	m, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, 0, 0, err
	}
	return tasks, len(f), bytes.Count(m, []byte("\n")), nil
}

// otherTasks counts /proc/self/task less the runtime's Ms (the threadcreate
// profile counts the runtime's list of them). The two disagree for a moment
// while a thread starts (the M is listed before its clone) or ends (it is
// unlisted before the thread exits), and on a loaded machine that moment
// can last milliseconds, so a count is taken only once it has held for five
// readings two milliseconds apart (or the last after two seconds).
func otherTasks() (int, error) {
	threads := pprof.Lookup("threadcreate")
	read := func() (int, error) {
		ms := threads.Count()
		t, err := os.ReadDir("/proc/self/task")
		return len(t) - ms, err
	}
	n, err := read()
	for same, tries := 1, 0; same < 5 && tries < 1000 && err == nil; tries++ {
		time.Sleep(2 * time.Millisecond)
		var m int
		if m, err = read(); m == n {
			same++
		} else {
			n, same = m, 1
		}
	}
	return n, err
}

// Steal is the machine's steal time so far, in UserHZ ticks summed over
// CPUs (ParseSteal of /proc/stat).
func Steal() (uint64, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return ParseSteal(f)
}

// Softirq is how many softirqs of one kind ("RCU") have run since boot,
// summed over CPUs (ParseSoftirq of /proc/softirqs).
func Softirq(name string) (uint64, error) {
	f, err := os.Open("/proc/softirqs")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return ParseSoftirq(f, name)
}
