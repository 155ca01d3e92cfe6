//go:build linux

package workloads

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/rowspec"
)

const tasksetChildEnv = "CLONEBENCH_TEST_TASKSET_CHILD"

// TestTasksetOneCPU re-runs this test binary as `taskset -c 1` would (its
// affinity narrowed to CPU 1 before exec), and there the pinned rows run on
// CPU 1 and every two-CPU placement skips with its reason.
func TestTasksetOneCPU(t *testing.T) {
	needRawClone(t)
	if os.Getenv(tasksetChildEnv) == "1" {
		tasksetChild(t)
		return
	}
	var own unix.CPUSet
	if err := unix.SchedGetaffinity(0, &own); err != nil {
		t.Fatal(err)
	}
	if !own.IsSet(1) {
		t.Skip("CPU 1 is not in our affinity mask")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestTasksetOneCPU$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), tasksetChildEnv+"=1")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	// The child inherits the mask of the thread that forks it: narrow this
	// locked thread's, start the child, and put it back.
	runtime.LockOSThread()
	var one unix.CPUSet
	one.Set(1)
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		runtime.UnlockOSThread()
		t.Fatal(err)
	}
	err = cmd.Start()
	if rerr := unix.SchedSetaffinity(0, &own); rerr != nil {
		t.Error(rerr)
	}
	runtime.UnlockOSThread()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child under CPU 1: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "--- PASS: TestTasksetOneCPU") {
		t.Fatalf("child did not pass:\n%s", out.String())
	}
	t.Log(out.String())
}

// rowNamed is the catalogue row named by sp.
func rowNamed(sp rowspec.Spec) (Row, bool) {
	for _, r := range Catalogue() {
		if r.Spec == sp {
			return r, true
		}
	}
	return Row{}, false
}

func tasksetChild(t *testing.T) {
	var own unix.CPUSet
	if err := unix.SchedGetaffinity(0, &own); err != nil {
		t.Fatal(err)
	}
	if own.Count() != 1 || !own.IsSet(1) {
		t.Fatalf("child's mask has %d CPUs, want CPU 1 alone", own.Count())
	}
	for _, mode := range []rowspec.Mode{rowspec.ModeProcess, rowspec.ModeThread} {
		same := rowspec.Spec{Family: rowspec.Switch, Mech: rowspec.MechPipe, Mode: mode, CPU: rowspec.CPUSame}
		row, ok := rowNamed(same)
		if !ok {
			t.Fatalf("%s: not in the catalogue", same)
		}
		if why := row.Skip(); why != "" {
			t.Fatalf("%s skips under CPU 1: %s", same, why)
		}
		var masks []unix.CPUSet
		_, err := row.observed(20000, func(tids []int) {
			for _, tid := range tids {
				var m unix.CPUSet
				if err := unix.SchedGetaffinity(tid, &m); err == nil {
					masks = append(masks, m)
				}
			}
		})
		if err != nil {
			t.Fatalf("%s: %v", same, err)
		}
		if len(masks) == 0 {
			t.Errorf("%s: could not read any task's mask", same)
		}
		for _, m := range masks {
			if m.Count() != 1 || !m.IsSet(1) {
				t.Errorf("%s: a task may run on %d CPUs, want CPU 1 alone", same, m.Count())
			}
		}
		for _, c := range []rowspec.CPU{rowspec.CPUCross, rowspec.CPUSMT, rowspec.CPULLC, rowspec.CPUXLLC, rowspec.CPUXNode} {
			sp := rowspec.Spec{Family: rowspec.Switch, Mech: rowspec.MechPipe, Mode: mode, CPU: c}
			r, ok := rowNamed(sp)
			if !ok {
				t.Fatalf("%s: not in the catalogue", sp)
			}
			why := r.Skip()
			if why == "" {
				t.Errorf("%s runs under CPU 1 alone, want a skip", sp)
			}
			t.Logf("%s: %s", sp, why)
		}
	}
	for _, c := range []rowspec.CPU{rowspec.CPUCross, rowspec.CPUSMT, rowspec.CPULLC, rowspec.CPUXLLC, rowspec.CPUXNode} {
		sp := rowspec.Spec{Family: rowspec.SwitchWake, Mech: rowspec.MechFutex, Mode: rowspec.ModeThread, CPU: c}
		r, ok := rowNamed(sp)
		if !ok {
			t.Fatalf("%s: not in the catalogue", sp)
		}
		if r.Skip() == "" {
			t.Errorf("%s runs under CPU 1 alone, want a skip", sp)
		}
	}
	if a, b, err := switchPlacement(cpuSame); err != nil || a != 1 || b != 1 {
		t.Errorf("cpu=same under CPU 1: (%d, %d, %v), want (1, 1)", a, b, err)
	}
	if _, _, err := switchPlacement(cpuCross); err == nil || !strings.Contains(err.Error(), "only CPU 1") {
		t.Errorf("cpu=cross under CPU 1: %v, want an error naming CPU 1", err)
	}
}
