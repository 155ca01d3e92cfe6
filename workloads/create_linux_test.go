//go:build linux

package workloads

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rawclone"
)

// procStatus reads /proc/TID/status, failing if a required field is missing.
func procStatus(tid int, required ...string) (map[string]string, error) {
	out, err := procfs.Status(tid)
	if err != nil {
		return nil, err
	}
	for _, k := range required {
		if _, ok := out[k]; !ok {
			return nil, fmt.Errorf("/proc/%d/status: no %s line", tid, k)
		}
	}
	return out, nil
}

// rawSpecNames groups the raw rows by the clone they issue, so each distinct
// clone is inspected once and a failure names every row that uses it.
func rawSpecNames() (specs []rawSpec, names map[rawSpec][]string) {
	names = map[rawSpec][]string{}
	for _, r := range Catalogue() {
		if r.raw == nil {
			continue
		}
		s := *r.raw
		if _, ok := names[s]; !ok {
			specs = append(specs, s)
		}
		names[s] = append(names[s], r.Name)
	}
	sort.Slice(specs, func(i, j int) bool {
		if specs[i].Flags != specs[j].Flags {
			return specs[i].Flags < specs[j].Flags
		}
		return specs[i].Opt.Stack < specs[j].Opt.Stack
	})
	for _, n := range names {
		sort.Strings(n)
	}
	return specs, names
}

// TestRawRowsCreateTheTaskTheyClaim clones, with exactly each raw row's flags
// and stack mode, a child that blocks, and asks the kernel what it is: a
// member of our thread group or its own process, and which of our mm, fd
// table, fs and signal handlers it shares (kcmp(2)).
func TestRawRowsCreateTheTaskTheyClaim(t *testing.T) {
	if !rawCloneSupported() {
		t.Skip("raw clone unsupported here")
	}
	specs, names := rawSpecNames()
	pid := os.Getpid()
	for _, spec := range specs {
		t.Run(spec.Flags.String()+"/"+stackName(spec.Opt.Stack), func(t *testing.T) {
			t.Logf("rows: %v", names[spec])
			if spec.Flags.Has(rawclone.CloneVfork) {
				checkVforkChild(t, spec)
				return
			}
			var p [2]int
			if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
				t.Fatal(err)
			}
			defer unix.Close(p[0])
			defer unix.Close(p[1])
			task, err := rawclone.Clone(spec.Flags, rawclone.Body{Op: rawclone.OpBlockRead, In: p[0], CPU: rawclone.NoCPU}, spec.Opt)
			if err != nil {
				skipIfRefused(t, spec.Flags, err)
				t.Fatalf("clone(%v): %v", spec.Flags, err)
			}
			defer task.Kill()
			tid := task.Tid()

			st, err := procStatus(tid, "Tgid", "PPid")
			if err != nil {
				t.Fatal(err)
			}
			thread := spec.Flags.Has(rawclone.CloneThread)
			_, inTask := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid))
			switch {
			case thread && st["Tgid"] != strconv.Itoa(pid):
				t.Errorf("thread-style child %d has Tgid %s, want ours (%d)", tid, st["Tgid"], pid)
			case thread && inTask != nil:
				t.Errorf("thread-style child %d not listed in /proc/self/task: %v", tid, inTask)
			case !thread && st["Tgid"] != strconv.Itoa(tid):
				t.Errorf("child %d without THREAD has Tgid %s, want its own tid", tid, st["Tgid"])
			case !thread && st["PPid"] != strconv.Itoa(pid):
				t.Errorf("child %d without THREAD has PPid %s, want us (%d)", tid, st["PPid"], pid)
			}

			for _, res := range []struct {
				name string
				typ  int
				flag rawclone.Flags
			}{
				{"mm", procfs.KcmpVM, rawclone.CloneVM},
				{"fd table", procfs.KcmpFiles, rawclone.CloneFiles},
				{"fs (cwd, root, umask)", procfs.KcmpFS, rawclone.CloneFS},
				{"signal handlers", procfs.KcmpSighand, rawclone.CloneSighand},
			} {
				shared, err := procfs.Kcmp(pid, tid, res.typ)
				if errors.Is(err, unix.ENOSYS) {
					t.Skipf("kcmp(2) unavailable (CONFIG_CHECKPOINT_RESTORE off): %v", err)
				}
				if err != nil {
					t.Fatalf("kcmp(%d, %d, %s): %v", pid, tid, res.name, err)
				}
				if want := spec.Flags.Has(res.flag); shared != want {
					t.Errorf("child %d shares our %s: %v, want %v (flags %v)", tid, res.name, shared, want, spec.Flags)
				}
			}

			if _, err := unix.Write(p[1], []byte{1}); err != nil {
				t.Fatal(err)
			}
			if err := task.Wait(10 * time.Second); err != nil {
				t.Fatalf("wait: %v", err)
			}
		})
	}
}

func stackName(m rawclone.StackMode) string {
	if m == rawclone.StackFresh {
		return "fresh-stack"
	}
	return "cached-stack"
}

// checkVforkChild: a vfork child cannot be inspected live from the thread
// that cloned it (that thread sleeps until the child lets go of our memory),
// so check what vfork promises instead: when Clone returns the child has
// already released the mm (its status shows no Vm* lines; the kernel wakes
// the parent from exit_mm, a little before the child becomes a zombie), and
// it is a process of its own, our child.
func checkVforkChild(t *testing.T, spec rawSpec) {
	task, err := rawclone.Clone(spec.Flags, rawclone.Body{Op: rawclone.OpExit, CPU: rawclone.NoCPU}, spec.Opt)
	if err != nil {
		skipIfRefused(t, spec.Flags, err)
		t.Fatalf("clone(%v): %v", spec.Flags, err)
	}
	defer task.Kill()
	tid := task.Tid()
	st, err := procStatus(tid, "State", "Tgid", "PPid")
	if err != nil {
		t.Fatal(err)
	}
	if vm, ok := st["VmSize"]; ok {
		t.Errorf("vfork child %d (%s) still has an mm (VmSize %s) when clone returns: we were not held until it let go", tid, st["State"], vm)
	}
	if st["Tgid"] != strconv.Itoa(tid) || st["PPid"] != strconv.Itoa(os.Getpid()) {
		t.Errorf("vfork child %d: Tgid %s PPid %s, want its own process and our child", tid, st["Tgid"], st["PPid"])
	}
	if err := task.Wait(10 * time.Second); err != nil {
		t.Fatalf("wait: %v", err)
	}
}

// counts are what a run must give back.
type counts struct {
	tasks, fds, maps, children int
}

func snapshot(t *testing.T) counts {
	t.Helper()
	var c counts
	var err error
	if c.tasks, c.fds, c.maps, err = procfs.Counts(); err != nil {
		t.Fatal(err)
	}
	c.children = countChildren(t)
	return c
}

// countChildren counts processes whose parent is us, zombies included.
func countChildren(t *testing.T) int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	me := os.Getpid()
	n := 0
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // gone meanwhile
		}
		// The comm field may hold spaces; fields after the last ')' are fixed.
		i := bytes.LastIndexByte(b, ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(me) {
			n++
		}
	}
	return n
}

// TestCreationLeavesNoTaskFDOrMapping runs every creation row and checks
// that the process's task, fd and mapping counts come back and no child
// remains. The Go runtime may start threads or map heap lazily, so the rows
// run once to warm up, and a round passes if it ends where it began; a leak
// grows every round and never does.
func TestCreationLeavesNoTaskFDOrMapping(t *testing.T) {
	var rows []Row
	for _, r := range creationRows() {
		// Bigger rss rows run the same code on more memory; leave them to
		// TestCreationRowsRun.
		if r.Skip() != "" || r.Needs.MemBytes > 64<<20 {
			continue
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		t.Skip("no creation row runs here")
	}
	runAll := func() {
		for _, r := range rows {
			if _, err := r.Run(2); err != nil {
				t.Fatalf("%s: %v", r.Name, err)
			}
		}
	}
	runAll()
	var got []string
	// A leak grows a count every round; the Go runtime's own mappings
	// change now and then (heap growth, a hole left by an unmapped stack
	// splitting a neighbour), so one round in five with nothing grown is
	// the pass.
	for round := 1; round <= 5; round++ {
		before := snapshot(t)
		runAll()
		after := snapshot(t)
		if after.children != 0 {
			t.Fatalf("round %d: %d children of ours remain after the rows ran", round, after.children)
		}
		if after.tasks <= before.tasks && after.fds <= before.fds && after.maps <= before.maps {
			t.Logf("round %d: %+v before and after", round, after)
			return
		}
		got = append(got, fmt.Sprintf("round %d: before %+v after %+v", round, before, after))
	}
	t.Errorf("counts never came back:\n%s", strings.Join(got, "\n"))
}

// smapsEntry returns the /proc/self/smaps fields (in kB) of the mapping
// holding addr.
func smapsEntry(t *testing.T, addr uintptr) map[string]int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var out map[string]int
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			lo, hi, _ := strings.Cut(fields[0], "-")
			l, err1 := strconv.ParseUint(lo, 16, 64)
			h, err2 := strconv.ParseUint(hi, 16, 64)
			if out != nil {
				return out
			}
			if err1 == nil && err2 == nil && uint64(addr) >= l && uint64(addr) < h {
				out = map[string]int{"size": int(h-l) >> 10}
			}
			continue
		}
		if out != nil && len(fields) >= 2 && strings.HasSuffix(fields[0], ":") {
			if v, err := strconv.Atoi(fields[1]); err == nil {
				out[strings.TrimSuffix(fields[0], ":")] = v
			}
		}
	}
	if out == nil {
		t.Fatalf("no mapping holds %#x in /proc/self/smaps", addr)
	}
	return out
}

// TestRSSRowsHoldWhatTheyClaim: the parent's memory is resident, every page
// of it, in huge pages only when thp=on asks for them.
func TestRSSRowsHoldWhatTheyClaim(t *testing.T) {
	const size = 32 << 20
	for _, thp := range []bool{false, true} {
		t.Run("thp="+onOff(thp), func(t *testing.T) {
			if thp {
				if r := thpSkipReason(); r != "" {
					t.Skip(r)
				}
			}
			mem, release, err := mapTouched(size, thp)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := release(); err != nil {
					t.Error(err)
				}
			}()
			if len(mem) != size || uintptr(unsafe.Pointer(&mem[0]))%hugePage != 0 {
				t.Fatalf("mapping of %d bytes at %p, want %d bytes on a 2 MiB boundary", len(mem), &mem[0], size)
			}
			e := smapsEntry(t, uintptr(unsafe.Pointer(&mem[0])))
			if e["size"] != size>>10 || e["Rss"] != size>>10 {
				t.Errorf("mapping size %d kB, Rss %d kB, want %d kB both", e["size"], e["Rss"], size>>10)
			}
			huge := e["AnonHugePages"]
			if !thp && huge != 0 {
				t.Errorf("thp=off: %d kB in huge pages, want none", huge)
			}
			if thp && huge == 0 {
				t.Errorf("thp=on: no huge pages (AnonHugePages 0 kB of %d kB)", size>>10)
			}
			t.Logf("Rss %d kB, AnonHugePages %d kB", e["Rss"], huge)
		})
	}
}

// TestFDRowsHoldWhatTheyClaim: openFDs raises a short soft RLIMIT_NOFILE,
// holds exactly n more fds, and gives both back.
func TestFDRowsHoldWhatTheyClaim(t *testing.T) {
	// RLIMIT_NOFILE is process-wide: restore it whatever happens.
	var orig unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Setrlimit(unix.RLIMIT_NOFILE, &orig) })
	const n = 1024
	before := countFDs(t)
	short := unix.Rlimit{Cur: uint64(before + 16), Max: orig.Max}
	if orig.Max < uint64(before+n+64) {
		t.Skipf("hard RLIMIT_NOFILE %d too low for this test", orig.Max)
	}
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &short); err != nil {
		t.Fatal(err)
	}
	release, err := openFDs(n)
	if err != nil {
		t.Fatal(err)
	}
	if got := countFDs(t); got != before+n {
		t.Errorf("holding %d fds, want %d more than %d", got, n, before)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if got := countFDs(t); got != before {
		t.Errorf("%d fds after release, want %d", got, before)
	}
	var now unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &now); err != nil {
		t.Fatal(err)
	}
	if now != short {
		t.Errorf("RLIMIT_NOFILE after release %+v, want the limit it found %+v", now, short)
	}
}

func countFDs(t *testing.T) int {
	t.Helper()
	_, fds, _, err := procfs.Counts()
	if err != nil {
		t.Fatal(err)
	}
	return fds
}

// A row timed with Clone and Wait (a fresh stack per op) ends only once
// its threads have left do_exit, not at their joins. Threads with a
// private fd table of 5000 descriptors close them in do_exit after the
// join word is cleared, so without the settle some are still exiting.
func TestCloneWaitRowLeavesNoExitingThread(t *testing.T) {
	needRawClone(t)
	null, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	fds := []int{null}
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	for range 5000 {
		fd, err := unix.FcntlInt(uintptr(null), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		fds = append(fds, fd)
	}
	cl, err := rawclone.NewCloner()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	spec := rawSpec{Flags: rawclone.ThreadFlags &^ rawclone.CloneFiles, Opt: rawclone.Options{Stack: rawclone.StackFresh}}
	for range 10 {
		before, err := procfs.Tasks()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rawOps(cl, spec, 5); err != nil {
			t.Fatal(err)
		}
		if ex, err := procfs.ExitingNew(before); err != nil || len(ex) > 0 {
			t.Fatalf("rawOps(%v) returned with threads %v still in do_exit (%v)", spec.Flags, ex, err)
		}
	}
}
