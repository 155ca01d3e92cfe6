//go:build linux

package workloads

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
)

// runClone3 times n clone3 ops of c from one Cloner, as runRaw times
// clone(2) ops, with the same disturbance and footprint metrics.
func runClone3(c rawclone.Clone3, n int) (Result, error) {
	return clonerSample(c.Flags, n, func(cl *rawclone.Cloner) (Result, error) {
		lr, err := cl.Loop3(c, n)
		if err != nil {
			return Result{}, err
		}
		return loopResult(lr)
	})
}

// runNS times n fork-style clones with flags (runRaw's loop) and counts the
// teardown the kernel defers past each reap: the CPU time its own threads
// ran from the loop's start until they went quiet after it (kthread-ns/op).
// A reap frees the task, not its namespaces' last references: a network
// namespace is torn down by cleanup_net on the netns workqueue (rcu
// barriers, every pernet exit), an ipc one by free_ipc_work, a user one by
// a work item, a pid one by an RCU callback; none of that is in ns/op.
func runNS(flags rawclone.Flags, n int) (Result, error) {
	k0, kerr := kthreadRuntime()
	res, err := runRaw(rawSpec{Flags: flags}, n)
	if err != nil {
		return Result{}, err
	}
	if kerr != nil {
		return res, nil // no schedstat: the row still has its op time
	}
	k1, err := kthreadQuiet()
	if errors.Is(err, errKthreadBusy) {
		return res, nil // a busy host: no figure rather than a wrong one
	}
	if err != nil {
		return Result{}, err
	}
	res.Metrics = append(res.Metrics, Metric{Value: float64(k1-k0) / float64(n), Unit: rowspec.UnitKthreadNsOp})
	return res, nil
}

// kthreadRuntime is the run time, in ns, of every kernel thread (the
// tasks with PF_KTHREAD), from /proc/PID/schedstat.
func kthreadRuntime() (int64, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		flags, err := procfs.StatFlags("/proc/" + e.Name() + "/stat")
		if err != nil || flags&procfs.PFKthread == 0 {
			continue // gone meanwhile, or not a kernel thread
		}
		ss, err := os.ReadFile("/proc/" + e.Name() + "/schedstat")
		if err != nil {
			if os.IsNotExist(err) && e.Name() == "2" {
				return 0, fmt.Errorf("no /proc/2/schedstat (CONFIG_SCHED_INFO): %w", errors.ErrUnsupported)
			}
			continue
		}
		run, _, _ := strings.Cut(string(ss), " ")
		ns, err := strconv.ParseInt(run, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%s/schedstat: %q: %w", e.Name(), ss, err)
		}
		sum += ns
	}
	return sum, nil
}

// Quiet is what the kernel threads may run in one kthreadWindow and still
// count as done, and kthreadMax bounds the wait.
const (
	kthreadWindow  = 20 * time.Millisecond
	kthreadQuietNs = 200_000
	kthreadMax     = time.Second
)

// errKthreadBusy: the kernel threads never went quiet, so what they ran
// cannot be told from what else ran.
var errKthreadBusy = errors.New("kernel threads did not go quiet")

// kthreadQuiet waits until the kernel threads ran under kthreadQuietNs in
// a window of kthreadWindow, and returns their run time then. The window
// itself is the settle margin: background kernel work of a quiet host
// (timers, RCU of everyone else) is counted with the teardown, which is
// why the lead measures alone on the machine.
func kthreadQuiet() (int64, error) {
	prev, err := kthreadRuntime()
	if err != nil {
		return 0, err
	}
	for deadline := time.Now().Add(kthreadMax); ; {
		time.Sleep(kthreadWindow)
		cur, err := kthreadRuntime()
		if err != nil {
			return 0, err
		}
		if cur-prev < kthreadQuietNs {
			return cur, nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%w: still %v per %v after %v", errKthreadBusy, time.Duration(cur-prev), kthreadWindow, kthreadMax)
		}
		prev = cur
	}
}

// nsProbe caches, per flag set, the kernel's answer to one clone with it.
var nsProbe sync.Map // rawclone.Flags → func() string

// nsSkipReason asks the kernel once whether it lets us clone with flags:
// user namespaces may be limited (user.max_user_namespaces = 0: ENOSPC),
// restricted by a sysctl or an LSM (EPERM, EACCES), or compiled out
// (EINVAL); the reason is its errno.
func nsSkipReason(flags rawclone.Flags) string {
	f, _ := nsProbe.LoadOrStore(flags, sync.OnceValue(func() string {
		if !rawCloneSupported() {
			return ""
		}
		cl, err := rawclone.NewCloner()
		if err != nil {
			return err.Error()
		}
		defer cl.Close()
		if _, err := cl.Loop(flags, 1, rawclone.Options{}); err != nil {
			if errors.Is(err, errors.ErrUnsupported) {
				return "" // the loop's counter, not the flags: Run falls back
			}
			return fmt.Sprintf("the kernel refuses clone(%v): %v", flags, err)
		}
		return ""
	}))
	return f.(func() string)()
}

// runCgroup times n clone3 ops into a test cgroup v2 made for the run and
// removed after it, whatever happens (see testCgroup).
func runCgroup(how rowspec.How, n int) (Result, error) {
	cg, err := newTestCgroup()
	if err != nil {
		return Result{}, err
	}
	c := rawclone.Clone3{Flags: rawclone.ForkFlags, ChildWrite: -1}
	switch how {
	case rowspec.HowInto:
		c.IntoCgroup, c.Cgroup = true, cg.dir
	case rowspec.HowMigrate:
		c.ChildWrite = cg.procs
	default:
		return Result{}, errors.Join(fmt.Errorf("how=%s: unknown", how), cg.remove())
	}
	res, err := runClone3(c, n)
	if err = errors.Join(err, cg.remove()); err != nil {
		return Result{}, fmt.Errorf("cgroup %s: %w", cg.path, err)
	}
	return res, nil
}

// cgroupSkipReason makes and removes a test cgroup: the row needs nothing
// more.
func cgroupSkipReason() string {
	if !rawCloneSupported() {
		return ""
	}
	cg, err := newTestCgroup()
	if err != nil {
		return err.Error()
	}
	if err := cg.remove(); err != nil {
		return err.Error()
	}
	return ""
}
