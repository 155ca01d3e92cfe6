package workloads

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tasksMargin is how many more tasks (threads and processes) r may need
// than the process has now. Every row needs some: the Go runtime starts
// threads for locked goroutines and blocking syscalls and aborts the whole
// process when clone fails, so a row short of task slots must be a skip,
// never a crash. SwitchPairs creates two tasks per pair on top, CreatePar
// a creator thread and its child per creator, CreateThreads its idle threads.
func tasksMargin(r Row) int { return 16 + 2*r.Spec.Pairs + 2*r.Spec.Par + r.Spec.Threads }

// taskSkip is why r would run out of tasks here, or "".
func (r Row) taskSkip(h host) string {
	want := uint64(tasksMargin(r))
	cg, ok, err := cgroupHeadroom(h.root, pidsLimits)
	if err != nil {
		return fmt.Sprintf("needs %d free task slots, cannot read the pids cgroup: %v", want, err)
	}
	if ok && cg.free < want {
		return fmt.Sprintf("needs %d free task slots, the cgroup's %s leaves %d", want, cg.file, cg.free)
	}
	if h.nproc == nil {
		return ""
	}
	limit, ok, err := h.nproc()
	if err != nil {
		return fmt.Sprintf("needs %d free task slots, cannot read RLIMIT_NPROC: %v", want, err)
	}
	if !ok {
		return ""
	}
	// Cheap first: a limit above every task there could be never binds.
	if limit >= want+maxTasksGuess(h.root) {
		return ""
	}
	used, err := tasksOfUID(filepath.Join(h.root, "proc"), h.uid)
	if err != nil {
		return fmt.Sprintf("needs %d free task slots, cannot count uid %d's tasks: %v", want, h.uid, err)
	}
	if free := saturatingSub(limit, used); free < want {
		return fmt.Sprintf("needs %d free task slots, RLIMIT_NPROC of %d leaves uid %d %d", want, limit, h.uid, free)
	}
	return ""
}

func saturatingSub(a, b uint64) uint64 {
	if b >= a {
		return 0
	}
	return a - b
}

// maxTasksGuess bounds the tasks the host can have (kernel.threads-max), so
// a high RLIMIT_NPROC skips the walk over /proc; without the file, no bound.
func maxTasksGuess(root string) uint64 {
	b, err := os.ReadFile(filepath.Join(root, "proc/sys/kernel/threads-max"))
	if err != nil {
		return 1 << 62
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 1 << 62
	}
	return n
}

// tasksOfUID counts the tasks whose real uid is uid, the count RLIMIT_NPROC
// holds against its limit. Processes that exit while we read are skipped.
func tasksOfUID(proc string, uid int) (uint64, error) {
	ents, err := os.ReadDir(proc)
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		ruid, threads, ok := procUIDThreads(filepath.Join(proc, e.Name(), "status"))
		if ok && ruid == uid {
			n += threads
		}
	}
	return n, nil
}

func procUIDThreads(status string) (ruid int, threads uint64, ok bool) {
	f, err := os.Open(status)
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	var haveUID, haveThreads bool
	sc := bufio.NewScanner(f)
	for sc.Scan() && !(haveUID && haveThreads) {
		k, v, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		switch k {
		case "Uid":
			ruid, err = strconv.Atoi(fields[0])
			haveUID = err == nil
		case "Threads":
			threads, err = strconv.ParseUint(fields[0], 10, 64)
			haveThreads = err == nil
		}
	}
	return ruid, threads, haveUID && haveThreads
}
