package simkernel

import (
	"fmt"
	"slices"

	"github.com/clonebench/clonebench/rawclone"
)

// The five structures clone flags decide about. Each has an id (so two
// tasks can be compared, like kcmp(2)) and a reference count, kept as the
// kernel keeps them: mm.mm_users, files.count, fs.users, sighand.count,
// signal.nr_threads.

// MM is an address space (mm_struct).
type MM struct {
	ID     int
	Users  int
	Mapped uint64 // bytes mapped and touched by the workload, beyond the base image
	Huge   uint64 // of Mapped, bytes backed by transparent huge pages
}

// Files is a file-descriptor table (files_struct).
type Files struct {
	ID    int
	Count int
	FDs   int // open descriptors beyond the base set
}

// FS is root, cwd and umask (fs_struct).
type FS struct {
	ID    int
	Users int
}

// Sighand is the signal-handler table (sighand_struct).
type Sighand struct {
	ID    int
	Count int
}

// Signal is the thread group's shared signal state (signal_struct).
type Signal struct {
	ID        int
	NrThreads int  // live tasks in the group
	Init      bool // SIGNAL_UNKILLABLE: the group is an init
}

// State is a task's life stage.
type State int

const (
	Running State = iota
	Zombie        // exited, waiting to be reaped
	Dead          // released; no longer visible
)

func (s State) String() string {
	switch s {
	case Running:
		return "R"
	case Zombie:
		return "Z"
	}
	return "X"
}

// Task is one schedulable entity: what the seeds call a process, whether or
// not it shares with others.
type Task struct {
	Pid        int // gettid
	Tgid       int // getpid
	ExitSignal int // -1 for thread-group members (auto-reaped)
	Flags      rawclone.Flags
	State      State

	Parent *Task // real_parent: the one who reaps
	Leader *Task // group leader

	MM      *MM
	Files   *Files
	FS      *FS
	Sighand *Sighand
	Signal  *Signal

	// Namespaces (nsproxy.go): the nsproxy, the user namespace of the
	// task's credentials, and its active pid namespace.
	NS     *NSProxy
	UserNS int
	PidNS  int

	clearTID    bool  // CLONE_CHILD_CLEARTID: the exit wakes a joiner
	vforkChild  *Task // set on a parent suspended in vfork
	vforkParent *Task // set on a vfork child: whom its exit resumes
	exitCode    int
	children    []*Task
}

// Getpid is what getpid(2) returns in t: its thread-group id.
func (t *Task) Getpid() int { return t.Tgid }

// Gettid is what gettid(2) returns in t: its own pid.
func (t *Task) Gettid() int { return t.Pid }

// Kernel is one simulated machine: its tasks, its pid allocator and its
// virtual clock. It is not safe for concurrent use; the simulation is
// single-threaded on purpose, so its figures are deterministic.
type Kernel struct {
	Profile Profile
	// Clock is virtual time in nanoseconds, advanced by every step's cost.
	Clock float64
	// Privileged says the caller holds CAP_SYS_ADMIN (the lab runs as root).
	Privileged bool

	Init *Task

	tasks   map[int]*Task // by pid; looked up only, never ranged over
	pids    []int         // live and zombie pids, sorted: the deterministic order
	lastPid int
	pidMax  int
	nextID  int
}

// NewKernel boots a kernel with an init task (pid 1) and returns it.
func NewKernel(p Profile) *Kernel {
	k := &Kernel{Profile: p, Privileged: true, tasks: map[int]*Task{}, pidMax: 1 << 22}
	init := &Task{
		ExitSignal: -1,
		MM:         &MM{ID: k.id(), Users: 1},
		Files:      &Files{ID: k.id(), Count: 1},
		FS:         &FS{ID: k.id(), Users: 1},
		Sighand:    &Sighand{ID: k.id(), Count: 1},
		Signal:     &Signal{ID: k.id(), NrThreads: 1, Init: true},
	}
	init.NS = &NSProxy{ID: k.id(), Count: 1, UTS: k.id(), IPC: k.id(), Mnt: k.id(), PIDForChildren: k.id(), Net: k.id(), Cgroup: k.id()}
	init.UserNS = k.id()
	init.PidNS = init.NS.PIDForChildren
	init.Pid, _ = k.allocPid()
	init.Tgid = init.Pid
	init.Leader = init
	k.add(init)
	k.Init = init
	return k
}

// Spawn is the usual way a simulation gets a process to work with: a fork of
// init, charged nothing (it is setup, outside any timed interval).
func (k *Kernel) Spawn() *Task {
	clock := k.Clock
	t, err := k.Clone(k.Init, rawclone.ForkFlags)
	if err != nil {
		panic("simkernel: fork of init failed: " + err.Error())
	}
	k.Clock = clock
	return t
}

func (k *Kernel) id() int { k.nextID++; return k.nextID }

func (k *Kernel) add(t *Task) {
	k.tasks[t.Pid] = t
	i, _ := slices.BinarySearch(k.pids, t.Pid)
	k.pids = slices.Insert(k.pids, i, t.Pid)
}

func (k *Kernel) remove(t *Task) {
	t.State = Dead
	delete(k.tasks, t.Pid)
	if i, ok := slices.BinarySearch(k.pids, t.Pid); ok {
		k.pids = slices.Delete(k.pids, i, i+1)
	}
	if p := t.Parent; p != nil {
		if i := slices.Index(p.children, t); i >= 0 {
			p.children = slices.Delete(p.children, i, i+1)
		}
	}
}

// allocPid follows alloc_pid: the next free number after the last one
// handed out, wrapping at pid_max to 300 (low pids are kept for daemons).
func (k *Kernel) allocPid() (int, error) {
	for range k.pidMax {
		k.lastPid++
		if k.lastPid >= k.pidMax {
			k.lastPid = 300
		}
		if _, used := k.tasks[k.lastPid]; !used {
			return k.lastPid, nil
		}
	}
	return 0, ErrPidExhausted
}

func (k *Kernel) charge(ns float64) { k.Clock += ns }

// CheckFlags applies copy_process's validity rules (and clone3's for the
// flags above 32 bits) for a clone issued by parent, in the kernel's order.
func (k *Kernel) CheckFlags(parent *Task, flags rawclone.Flags) error {
	has := flags.Has
	switch {
	case flags&^knownFlags != 0:
		return fmt.Errorf("%w: %#x", ErrUnknownFlag, uint64(flags&^knownFlags))
	case flags&CloneClearSighand != 0 && flags&rawclone.CloneSighand != 0:
		return ErrClearSighand
	case has(rawclone.CloneNewNS | rawclone.CloneFS):
		return ErrNewNSWithFS
	case has(rawclone.CloneNewUser | rawclone.CloneFS):
		return ErrNewUserWithFS
	case flags&rawclone.CloneThread != 0 && flags&rawclone.CloneSighand == 0:
		return ErrThreadNoSighand
	case flags&rawclone.CloneSighand != 0 && flags&rawclone.CloneVM == 0:
		return ErrSighandNoVM
	case flags&rawclone.CloneParent != 0 && parent.Signal.Init:
		return ErrParentFromInit
	case flags&rawclone.CloneThread != 0 && flags&(rawclone.CloneNewUser|rawclone.CloneNewPID) != 0:
		return ErrThreadNewNS
	case flags&rawclone.CloneThread != 0 && parent.PidNS != parent.NS.PIDForChildren:
		// After unshare(CLONE_NEWPID) a thread would sit in two pid
		// namespaces at once.
		return ErrThreadNewNS
	case has(rawclone.ClonePidfd | rawclone.CloneDetached):
		return ErrPidfdDetached
	// copy_creds (create_user_ns) then copy_namespaces: the capability
	// is the child's, in its new user namespace if CLONE_NEWUSER made one,
	// where it holds them all.
	case flags&namespaceFlags != 0 && flags&rawclone.CloneNewUser == 0 && !k.Privileged:
		return ErrNamespacePerm
	case has(rawclone.CloneNewIPC | rawclone.CloneSysVSem):
		// Checked after the capability: an unprivileged caller gets EPERM.
		return ErrNewIPCWithSysVSem
	}
	return nil
}

// Clone creates a task from parent as copy_process does, charging each
// step's cost to the clock, and returns it running. A parent that passed
// CLONE_VFORK stays suspended until the child exits.
func (k *Kernel) Clone(parent *Task, flags rawclone.Flags) (*Task, error) {
	if parent == nil || parent.State != Running {
		return nil, ErrDead
	}
	if parent.vforkChild != nil {
		return nil, ErrVforkBlock
	}
	p := &k.Profile
	k.charge(p.Syscall)
	if err := k.CheckFlags(parent, flags); err != nil {
		return nil, err
	}
	// dup_task_struct, sched_fork, wake_up_new_task; by convention this
	// base also carries the task's later exit and reap, which are only
	// ever measured together with it.
	k.charge(p.TaskBase)
	t := &Task{Flags: flags, State: Running}

	// copy_files: share the table or duplicate it, one slot per fd.
	if flags&rawclone.CloneFiles != 0 {
		parent.Files.Count++
		t.Files = parent.Files
	} else {
		k.charge(p.Copy.Files + p.FDPer*float64(parent.Files.FDs))
		t.Files = &Files{ID: k.id(), Count: 1, FDs: parent.Files.FDs}
	}
	// copy_fs.
	if flags&rawclone.CloneFS != 0 {
		parent.FS.Users++
		t.FS = parent.FS
	} else {
		k.charge(p.Copy.FS)
		t.FS = &FS{ID: k.id(), Users: 1}
	}
	// copy_sighand (CLONE_CLEAR_SIGHAND resets the copy's handlers; same cost).
	if flags&rawclone.CloneSighand != 0 {
		parent.Sighand.Count++
		t.Sighand = parent.Sighand
	} else {
		k.charge(p.Copy.Sighand)
		t.Sighand = &Sighand{ID: k.id(), Count: 1}
	}
	// copy_signal: a thread joins the group's signal_struct; anything else
	// starts a group of its own (and, by convention, carries the cost of
	// being reaped with wait4 instead of joined on a futex).
	if flags&rawclone.CloneThread != 0 {
		parent.Signal.NrThreads++
		t.Signal = parent.Signal
	} else {
		k.charge(p.Copy.Signal)
		t.Signal = &Signal{ID: k.id(), NrThreads: 1}
	}
	// copy_mm: share, or dup_mmap — copy every page table of the parent,
	// huge pages being one entry per 2 MiB.
	if flags&rawclone.CloneVM != 0 {
		parent.MM.Users++
		t.MM = parent.MM
	} else {
		small := float64(parent.MM.Mapped-parent.MM.Huge) / (1 << 20)
		huge := float64(parent.MM.Huge) / (1 << 20)
		k.charge(p.Copy.VM + p.MMPerMiB*small + p.MMPerMiBHuge*huge)
		t.MM = &MM{ID: k.id(), Users: 1, Mapped: parent.MM.Mapped, Huge: parent.MM.Huge}
	}
	// copy_namespaces (and the user namespace of copy_creds).
	k.copyNamespaces(parent, t, flags)
	// Flags that add work rather than avoid it.
	for _, fc := range p.flagCosts() {
		if flags&fc.bit != 0 {
			k.charge(fc.ns)
		}
	}

	// alloc_pid and the thread group.
	pid, err := k.allocPid()
	if err != nil {
		k.release(t)
		t.Signal.NrThreads--
		return nil, err
	}
	t.Pid = pid
	if flags&rawclone.CloneThread != 0 {
		t.Tgid = parent.Tgid
		t.Leader = parent.Leader
		t.ExitSignal = -1
	} else {
		t.Tgid = pid
		t.Leader = t
		t.ExitSignal = flags.ExitSignal()
	}
	// CLONE_PARENT and CLONE_THREAD give the child the cloner's parent.
	if flags&(rawclone.CloneParent|rawclone.CloneThread) != 0 {
		t.Parent = parent.Parent
		if flags&rawclone.CloneParent != 0 && flags&rawclone.CloneThread == 0 {
			t.ExitSignal = parent.Leader.ExitSignal
		}
	} else {
		t.Parent = parent
	}
	if t.Parent != nil && t.Leader == t {
		// Only group leaders are waited for; threads are released at exit.
		t.Parent.children = append(t.Parent.children, t)
	}
	t.clearTID = flags&rawclone.CloneChildClearTID != 0
	if flags&rawclone.CloneVfork != 0 {
		parent.vforkChild, t.vforkParent = t, parent
	}
	k.add(t)
	return t, nil
}

// release drops t's references on its five structures (exit_files,
// exit_fs, exit_mm, __exit_signal, __cleanup_sighand).
func (k *Kernel) release(t *Task) {
	if t.Files != nil {
		t.Files.Count--
		t.Files = nil
	}
	if t.FS != nil {
		t.FS.Users--
		t.FS = nil
	}
	if t.MM != nil {
		t.MM.Users--
		t.MM = nil
	}
	if t.Sighand != nil {
		t.Sighand.Count--
		t.Sighand = nil
	}
	releaseNS(t)
}

// Exit ends t as exit(2) does for one task. A thread-group member that is
// not the leader is released at once (exit_signal -1: nobody reaps it); a
// leader or a lone process becomes a zombie for its parent to reap, the
// leader only once its whole group is gone. A CLONE_CHILD_CLEARTID task
// wakes its joiner; a vfork child resumes its parent.
func (k *Kernel) Exit(t *Task, code int) error {
	if t == nil || t.State != Running {
		return ErrDead
	}
	k.charge(k.Profile.Syscall)
	t.exitCode = code
	k.release(t)
	if vp := t.vforkParent; vp != nil {
		vp.vforkChild, t.vforkParent = nil, nil
	}
	t.Signal.NrThreads--
	t.State = Zombie
	k.reparent(t)
	if t.Leader != t {
		// release_task at once: nobody reaps a thread. The last member out
		// lets a zombie leader be reaped (NrThreads reaches 0).
		k.remove(t)
	}
	return nil
}

// reparent hands t's children to a live thread of its group, else to init
// (forget_original_parent; there are no subreapers in the model).
func (k *Kernel) reparent(t *Task) {
	if len(t.children) == 0 {
		return
	}
	heir := k.Init
	for _, pid := range k.pids {
		if o := k.tasks[pid]; o.Tgid == t.Tgid && o.State == Running {
			heir = o
			break
		}
	}
	for _, c := range t.children {
		c.Parent = heir
		heir.children = append(heir.children, c)
	}
	t.children = nil
}

// Wait reaps the zombie child pid of parent, as wait4(pid, __WALL|WNOHANG):
// ErrNoChild if pid is not parent's child, ErrNotExited if it still runs
// (or is a leader whose threads still run).
func (k *Kernel) Wait(parent *Task, pid int) (int, error) {
	k.charge(k.Profile.Syscall)
	t := k.tasks[pid]
	// Any thread of the parent's group may reap its children (__WALL).
	if t == nil || t.Leader != t || t.Parent == nil || t.Parent.Tgid != parent.Tgid {
		return 0, fmt.Errorf("%w: %d", ErrNoChild, pid)
	}
	if t.State != Zombie || t.Signal.NrThreads > 0 {
		return 0, ErrNotExited
	}
	code := t.exitCode
	k.remove(t)
	return code, nil
}

// Live reports whether pid names a task that has not been released.
func (k *Kernel) Live(pid int) bool { return k.tasks[pid] != nil }

// Lookup returns the task with this pid (thread id), as /proc/PID does even
// for pids not listed at the top.
func (k *Kernel) Lookup(pid int) (*Task, error) {
	t := k.tasks[pid]
	if t == nil {
		return nil, fmt.Errorf("%w: %d", ErrNoTask, pid)
	}
	return t, nil
}

// ProcList is `ls /proc`: the TGIDs, ascending, zombies included.
func (k *Kernel) ProcList() []int {
	var out []int
	for _, pid := range k.pids {
		if t := k.tasks[pid]; t.Tgid == pid {
			out = append(out, pid)
		}
	}
	return out
}

// ProcTask is `ls /proc/TGID/task`: the thread ids of the group, ascending.
func (k *Kernel) ProcTask(tgid int) ([]int, error) {
	l := k.tasks[tgid]
	if l == nil || l.Tgid != tgid {
		return nil, fmt.Errorf("%w: %d", ErrNoTask, tgid)
	}
	var out []int
	for _, pid := range k.pids {
		if t := k.tasks[pid]; t.Tgid == tgid {
			out = append(out, pid)
		}
	}
	return out, nil
}

// Shared returns which of VM, FS, FILES, SIGHAND and THREAD a and b share,
// as a flag word: what kcmp(2) and the Tgid line of /proc/PID/status show.
func Shared(a, b *Task) rawclone.Flags {
	var f rawclone.Flags
	if a.MM != nil && a.MM == b.MM {
		f |= rawclone.CloneVM
	}
	if a.FS != nil && a.FS == b.FS {
		f |= rawclone.CloneFS
	}
	if a.Files != nil && a.Files == b.Files {
		f |= rawclone.CloneFiles
	}
	if a.Sighand != nil && a.Sighand == b.Sighand {
		f |= rawclone.CloneSighand
	}
	if a.Tgid == b.Tgid {
		f |= rawclone.CloneThread
	}
	return f
}

// Map maps and touches size more bytes in t's address space, with
// transparent huge pages if huge (what the CreateRSS rows do before timing).
func (k *Kernel) Map(t *Task, size uint64, huge bool) {
	t.MM.Mapped += size
	if huge {
		t.MM.Huge += size
	}
}

// OpenFiles opens n more descriptors in t's table (the CreateFDs rows).
func (k *Kernel) OpenFiles(t *Task, n int) { t.Files.FDs += n }
