//go:build linux

package claims

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rawclone"
)

// Check checks the seeds' task-model claims: first on a Go thread
// other than the main one, then on raw clone children with and without
// each sharing flag.
func Check() ([]Claim, error) {
	var claims []Claim
	pid := os.Getpid()

	tid, release, err := otherThread()
	if err != nil {
		return nil, err
	}
	defer release()
	claims = append(claims, Claim{
		"getpid() returns the thread group id and gettid() the task's own id on a thread other than the main one",
		tid.getpid == pid && tid.gettid != pid,
		fmt.Sprintf("on that thread getpid=%d gettid=%d; main thread pid %d", tid.getpid, tid.gettid, pid),
	})
	st, err := procfs.ReadStatus(fmt.Sprintf("/proc/self/task/%d/status", tid.gettid))
	claims = append(claims, Claim{
		"/proc/self/task/TID/status shows the thread's own Pid and its group's Tgid",
		err == nil && st["Tgid"] == strconv.Itoa(pid) && st["Pid"] == strconv.Itoa(tid.gettid),
		evidence(err, "Pid=%s Tgid=%s", st["Pid"], st["Tgid"]),
	})
	listed, err := procListing()
	_, statErr := os.Stat(fmt.Sprintf("/proc/%d/status", tid.gettid))
	claims = append(claims, Claim{
		"ls /proc lists thread group ids, not the ids of other threads, yet /proc/TID opens",
		err == nil && listed[pid] && !listed[tid.gettid] && statErr == nil,
		evidence(errors.Join(err, statErr), "/proc/%d listed=%v, /proc/%d listed=%v, /proc/%d/status opens=%v",
			pid, listed[pid], tid.gettid, listed[tid.gettid], tid.gettid, statErr == nil),
	})
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	var names []string
	for _, t := range tasks {
		names = append(names, t.Name())
	}
	claims = append(claims, Claim{
		"/proc/TGID/task lists every thread of the group by its own id",
		err == nil && slices.Contains(names, strconv.Itoa(tid.gettid)) && slices.Contains(names, strconv.Itoa(pid)),
		evidence(err, "/proc/%d/task has %d entries including %d and %d", pid, len(names), pid, tid.gettid),
	})

	for _, fc := range flagChecks {
		c, err := checkFlag(fc)
		if err != nil {
			c = Claim{fc.text, false, err.Error()}
		}
		claims = append(claims, c)
	}
	return claims, nil
}

func evidence(err error, format string, a ...any) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf(format, a...)
}

type threadIDs struct{ getpid, gettid int }

// otherThread returns the ids seen by a goroutine locked to an OS thread
// that is not the main thread; the thread stays locked (so its id stays
// valid) until release is called.
func otherThread() (threadIDs, func(), error) {
	var releases []chan struct{}
	release := func() {
		for _, r := range releases {
			close(r)
		}
	}
	// A locked goroutine may land on the main thread; holding each locked
	// thread while trying the next forces a new one within a few tries.
	for i := 0; i < 8; i++ {
		ids := make(chan threadIDs)
		r := make(chan struct{})
		releases = append(releases, r)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			ids <- threadIDs{unix.Getpid(), unix.Gettid()}
			<-r
		}()
		got := <-ids
		if got.gettid != got.getpid {
			return got, release, nil
		}
	}
	release()
	return threadIDs{}, nil, errors.New("could not get a goroutine onto a thread other than the main one")
}

func procListing() (map[int]bool, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	m := map[int]bool{}
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			m[n] = true
		}
	}
	return m, nil
}

// flagCheck is one clone flag's claim: clone a blocked child with and
// without the flag, change the resource in the parent after the clone, and
// see whether the child's /proc view follows.
type flagCheck struct {
	text        string
	with, wo    rawclone.Flags
	resource    string
	change      func() (undo func(), err error) // made in the parent after the clone
	sees        func(child int) (bool, string, error)
	sharedCheck func(child int) (bool, string, error) // optional, instead of change+sees
}

var flagChecks = []flagCheck{
	{
		text: "CLONE_VM shares the address space: a mapping the parent makes after the clone shows in the child's /proc/CHILD/maps",
		with: rawclone.ForkFlags | rawclone.CloneVM, wo: rawclone.ForkFlags,
		resource: "maps", change: newMapping, sees: seesMapping,
	},
	{
		text: "CLONE_FS shares the working directory: the parent's chdir after the clone moves the child's /proc/CHILD/cwd",
		with: rawclone.ForkFlags | rawclone.CloneFS, wo: rawclone.ForkFlags,
		resource: "cwd", change: newCwd, sees: seesCwd,
	},
	{
		text: "CLONE_FILES shares the fd table: an fd the parent opens after the clone shows in /proc/CHILD/fd",
		with: rawclone.ForkFlags | rawclone.CloneFiles, wo: rawclone.ForkFlags,
		resource: "fd", change: newFD, sees: seesFD,
	},
	{
		text: "CLONE_SIGHAND shares signal dispositions: a signal the parent ignores after the clone shows in the child's SigIgn",
		with: rawclone.ForkFlags | rawclone.CloneVM | rawclone.CloneSighand, wo: rawclone.ForkFlags | rawclone.CloneVM,
		resource: "SigIgn", change: ignoreSignal, sees: seesIgnored,
	},
	{
		text: "CLONE_THREAD puts the child in the caller's thread group: its Tgid is ours, ls /proc omits it, /proc/CHILD still opens",
		with: rawclone.ThreadFlags, wo: rawclone.ThreadFlags&^rawclone.CloneThread | rawclone.SIGCHLD,
		resource: "Tgid", sharedCheck: inOurGroup,
	},
}

// checkFlag clones a child with fc.with and one with fc.wo, both blocked
// reading a pipe, and reports whether only the first shares the resource.
func checkFlag(fc flagCheck) (Claim, error) {
	shared, evWith, err := probe(fc, fc.with)
	if err != nil {
		return Claim{}, fmt.Errorf("flags %v: %w", fc.with, err)
	}
	sharedWO, evWO, err := probe(fc, fc.wo)
	if err != nil {
		return Claim{}, fmt.Errorf("flags %v: %w", fc.wo, err)
	}
	return Claim{fc.text, shared && !sharedWO,
		fmt.Sprintf("with %v: %s; without: %s", fc.with, evWith, evWO)}, nil
}

// probe runs one child: clone, change, look, release, reap.
func probe(fc flagCheck, flags rawclone.Flags) (bool, string, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return false, "", err
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	t, err := rawclone.Clone(flags, rawclone.Body{Op: rawclone.OpBlockRead, In: p[0], CPU: rawclone.NoCPU}, rawclone.Options{})
	if err != nil {
		return false, "", err
	}
	waited := false
	defer func() {
		if !waited {
			t.Kill()
		}
	}()
	child := t.Tid()
	// The child is blocked in read(2) once its state is S (sleeping).
	if err := waitSleeping(child); err != nil {
		return false, "", err
	}
	var shared bool
	var ev string
	if fc.sharedCheck != nil {
		shared, ev, err = fc.sharedCheck(child)
	} else {
		undo, cerr := fc.change()
		if cerr != nil {
			return false, "", cerr
		}
		shared, ev, err = fc.sees(child)
		undo()
	}
	if err != nil {
		return false, "", err
	}
	if _, err := unix.Write(p[1], []byte{1}); err != nil {
		return false, "", fmt.Errorf("waking child %d: %w", child, err)
	}
	waited = true
	if err := t.Wait(5 * time.Second); err != nil {
		return false, "", fmt.Errorf("reaping child %d: %w", child, err)
	}
	return shared, ev, nil
}

func waitSleeping(tid int) error {
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		st, err := procfs.ReadStatus(fmt.Sprintf("/proc/%d/task/%d/status", os.Getpid(), tid))
		if err != nil {
			st, err = procfs.ReadStatus(fmt.Sprintf("/proc/%d/status", tid))
		}
		if err == nil && strings.HasPrefix(st["State"], "S") {
			return nil
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("child %d never blocked in read", tid)
}

var lastMapping []byte

func newMapping() (func(), error) {
	// An odd size so the range is easy to tell from the runtime's own.
	b, err := unix.Mmap(-1, 0, 7*os.Getpagesize(), unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, err
	}
	lastMapping = b
	return func() { unix.Munmap(b) }, nil
}

func seesMapping(child int) (bool, string, error) {
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", child))
	if err != nil {
		return false, "", err
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(lastMapping)))
	want := fmt.Sprintf("%x-%x ", start, start+uintptr(len(lastMapping)))
	has := strings.Contains(string(maps), want)
	return has, fmt.Sprintf("new mapping %s in child maps: %v", strings.TrimSpace(want), has), nil
}

var lastDir string

func newCwd() (func(), error) {
	old, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "runbench-verify-")
	if err != nil {
		return nil, err
	}
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return nil, err
	}
	if err := os.Chdir(dir); err != nil {
		os.Remove(dir)
		return nil, err
	}
	lastDir = dir
	return func() { os.Chdir(old); os.Remove(dir) }, nil
}

func seesCwd(child int) (bool, string, error) {
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", child))
	if err != nil {
		return false, "", err
	}
	return cwd == lastDir, "child cwd " + cwd, nil
}

var lastFD int

func newFD() (func(), error) {
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	lastFD = fd
	return func() { unix.Close(fd) }, nil
}

func seesFD(child int) (bool, string, error) {
	target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", child, lastFD))
	if errors.Is(err, os.ErrNotExist) {
		return false, fmt.Sprintf("fd %d absent in child", lastFD), nil
	}
	if err != nil {
		return false, "", err
	}
	return target == "/dev/null", fmt.Sprintf("child fd %d → %s", lastFD, target), nil
}

// probeSignal is ignored briefly; SIGUSR2 is not one the runtime or the
// rows rely on.
const probeSignal = syscall.SIGUSR2

// kernelSigaction is the kernel's struct sigaction on amd64 and arm64
// (both define SA_RESTORER).
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// ignoreSignal sets SIGUSR2 to SIG_IGN with rt_sigaction and restores the
// exact previous action afterwards. os/signal is no use here: after
// signal.Ignore, signal.Reset does not reinstall the runtime's handler.
func ignoreSignal() (func(), error) {
	ign := kernelSigaction{handler: 1} // SIG_IGN
	var old kernelSigaction
	if err := rtSigaction(probeSignal, &ign, &old); err != nil {
		return nil, err
	}
	return func() { rtSigaction(probeSignal, &old, nil) }, nil
}

func rtSigaction(sig syscall.Signal, act, old *kernelSigaction) error {
	_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig),
		uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
	if errno != 0 {
		return fmt.Errorf("rt_sigaction(%v): %w", sig, errno)
	}
	return nil
}

func seesIgnored(child int) (bool, string, error) {
	st, err := procfs.ReadStatus(fmt.Sprintf("/proc/%d/status", child))
	if err != nil {
		st, err = procfs.ReadStatus(fmt.Sprintf("/proc/%d/task/%d/status", os.Getpid(), child))
	}
	if err != nil {
		return false, "", err
	}
	mask, err := strconv.ParseUint(st["SigIgn"], 16, 64)
	if err != nil {
		return false, "", fmt.Errorf("SigIgn %q: %w", st["SigIgn"], err)
	}
	ign := mask&(1<<(uint(probeSignal)-1)) != 0
	return ign, fmt.Sprintf("child SigIgn=%s, SIGUSR2 ignored: %v", st["SigIgn"], ign), nil
}

func inOurGroup(child int) (bool, string, error) {
	pid := os.Getpid()
	st, err := procfs.ReadStatus(fmt.Sprintf("/proc/%d/status", child))
	if err != nil {
		return false, "", err
	}
	listed, err := procListing()
	if err != nil {
		return false, "", err
	}
	in := st["Tgid"] == strconv.Itoa(pid) && !listed[child]
	return in, fmt.Sprintf("child %d Tgid=%s, listed in /proc: %v, /proc/%d/status opens", child, st["Tgid"], listed[child], child), nil
}
