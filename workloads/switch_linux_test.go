//go:build linux

package workloads

import (
	"errors"
	"fmt"
	"github.com/clonebench/clonebench/rowspec"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rawclone"
)

func needRawClone(t *testing.T) {
	t.Helper()
	if !rawCloneSupported() {
		t.Skipf("raw clone needs linux/amd64 or linux/arm64")
	}
}

// runCapturing runs row and records the raw tasks it creates.
func runCapturing(row Row, n int) (Result, []int, error) {
	if row.observed == nil {
		res, err := row.Run(n)
		return res, nil, err
	}
	var tids []int
	res, err := row.observed(n, func(ts []int) { tids = append(tids, ts...) })
	return res, tids, err
}

// assertGone fails if any of tids is still a task of ours or a process.
func assertGone(t *testing.T, tids []int) {
	t.Helper()
	for _, tid := range tids {
		for _, p := range []string{fmt.Sprintf("/proc/self/task/%d", tid), fmt.Sprintf("/proc/%d", tid)} {
			if _, err := os.Stat(p); err == nil {
				st, _ := os.ReadFile(p + "/stat")
				t.Errorf("tid %d survived: %s exists (%s)", tid, p, strings.TrimSpace(string(st)))
			}
		}
	}
}

// Every switch row runs with a small n, reports the metrics its family
// promises, and leaves no fd or task behind.
func TestSwitchRowsRun(t *testing.T) {
	needRawClone(t)
	for _, fam := range []rowspec.Family{rowspec.Switch, rowspec.SwitchLibc, rowspec.SwitchOverhead, rowspec.SwitchPairs} {
		if len(Family(fam)) == 0 {
			t.Errorf("family %s has no rows", fam)
		}
		for _, row := range Family(fam) {
			t.Run(row.Sub(), func(t *testing.T) {
				if reason := row.Skip(); reason != "" {
					t.Skip(reason)
				}
				fds := countFDs(t)
				const n = 200
				res, tids, err := runCapturing(row, n)
				if err != nil {
					t.Fatal(err)
				}
				if res.N < n || res.Elapsed <= 0 || res.Unit != "ns/op" {
					t.Fatalf("result N=%d Elapsed=%v Unit=%q", res.N, res.Elapsed, res.Unit)
				}
				var want []string
				switch fam {
				case "Switch", "SwitchLibc":
					want = []string{"ns/switch", "ns/switch-net", "ctxsw/op", "ictxsw/op"}
				case "SwitchPairs":
					want = []string{"roundtrips/s", "ctxsw/op"}
				}
				for _, u := range want {
					if _, ok := metricOf(res, u); !ok {
						t.Errorf("metric %s missing from %+v", u, res.Metrics)
					}
				}
				// On one CPU each round trip must hand the CPU over and
				// back: at least two switches, as the kernel counts them.
				if row.Spec.CPU == rowspec.CPUSame && row.Spec.Mech != rowspec.MechChan {
					if v, _ := metricOf(res, "ctxsw/op"); v < 1.9 {
						t.Errorf("ctxsw/op %.2f: fewer than 2 switches per round trip on one CPU", v)
					}
				}
				if got := countFDs(t); got != fds {
					t.Errorf("%d fds open after Run, %d before", got, fds)
				}
				assertGone(t, tids)
			})
		}
	}
}

// The ping-pong moved exactly one message per round trip each way.
func TestSwitchPingPongBytes(t *testing.T) {
	needRawClone(t)
	for _, mode := range []switchMode{modeProcess, modeThread} {
		for _, mech := range []switchMech{mechPipe, mechEventfd, mechUnix} {
			t.Run(fmt.Sprintf("mode=%s/mech=%s", mode, mech), func(t *testing.T) {
				var r switchRig
				defer func() {
					if err := r.release(); err != nil {
						t.Error(err)
					}
				}()
				const n, warm = 300, 20
				ini, resp, err := r.bodies(mech, n, warm)
				if err != nil {
					t.Fatal(err)
				}
				ini.CPU, resp.CPU = rawclone.NoCPU, rawclone.NoCPU
				flags := switchSpec{mode: mode}.flags()
				rt, err := r.clone(flags, resp)
				if err != nil {
					t.Fatal(err)
				}
				it, err := r.clone(flags, ini)
				if err != nil {
					t.Fatal(err)
				}
				if err := r.wait(time.Minute); err != nil {
					t.Fatal(err)
				}
				for _, side := range []struct {
					who  string
					body rawclone.Body
					res  rawclone.Result
				}{{"initiator", ini, it.Result()}, {"responder", resp, rt.Result()}} {
					want := int64((n + warm) * side.body.IOSize)
					if side.res.Bytes != want {
						t.Errorf("%s read %d bytes, want %d", side.who, side.res.Bytes, want)
					}
					if side.res.Rounds != n+warm {
						t.Errorf("%s did %d rounds, want %d", side.who, side.res.Rounds, n+warm)
					}
				}
				if ir := it.Result(); ir.Elapsed() <= 0 {
					t.Errorf("initiator recorded no interval: %+v", ir)
				}
			})
		}
	}
}

func TestCheckSideRejectsShortRun(t *testing.T) {
	body := rawclone.Body{Mech: rawclone.MechFD, IOSize: 8, N: 10, Warmup: 2}
	if err := checkSide("x", body, rawclone.Result{Rounds: 12, Bytes: 96}); err != nil {
		t.Errorf("complete run rejected: %v", err)
	}
	for _, res := range []rawclone.Result{{Rounds: 11, Bytes: 96}, {Rounds: 12, Bytes: 95}} {
		if err := checkSide("x", body, res); err == nil {
			t.Errorf("%+v accepted", res)
		}
	}
}

// Killing one side of a process-mode ping-pong mid-loop makes Run return an
// error promptly — the supervisor kills the partner instead of waiting for
// the timeout — and leaves no task behind.
func TestSwitchPartnerKilled(t *testing.T) {
	needRawClone(t)
	for _, tc := range []struct {
		victim int // index in the hook's tids: 0 initiator, 1 responder
		spec   switchSpec
	}{
		{1, switchSpec{mechPipe, modeProcess, cpuAny, 0}},
		{0, switchSpec{mechPipe, modeProcess, cpuAny, 0}},
		{1, switchSpec{mechFutex, modeProcess, cpuSame, 0}},
	} {
		t.Run(fmt.Sprintf("%s/kill=%d", tc.spec.name(), tc.victim), func(t *testing.T) {
			var tids []int
			killed := make(chan error, 1)
			started := func(ts []int) {
				tids = append(tids, ts...)
				victim := ts[tc.victim]
				go func() {
					time.Sleep(50 * time.Millisecond)
					killed <- unix.Kill(victim, unix.SIGKILL)
				}()
			}
			done := make(chan error, 1)
			start := time.Now()
			go func() {
				_, err := runSwitch(tc.spec, 50_000_000, started) // minutes of round trips
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("Run succeeded although a side was killed")
				}
				t.Logf("after %v: %v", time.Since(start).Round(time.Millisecond), err)
			case <-time.After(5 * time.Second): // a liveness bound, not a speed goal
				t.Fatal("Run still blocked 5s after a side was killed")
			}
			if err := <-killed; err != nil && !errors.Is(err, unix.ESRCH) {
				t.Fatalf("kill: %v", err)
			}
			if len(tids) != 2 {
				t.Fatalf("hook saw %d tids", len(tids))
			}
			assertGone(t, tids)
		})
	}
}

// A side whose system call fails (here: the responder writes to a pipe's
// read end, EBADF, after its first read) ends with an error, and the
// supervisor ends its partner, blocked in read, at once — in thread mode
// too, where the partner cannot be SIGKILLed alone.
func TestSwitchSideFails(t *testing.T) {
	needRawClone(t)
	for _, mode := range []switchMode{modeProcess, modeThread} {
		t.Run("mode="+string(mode), func(t *testing.T) {
			var r switchRig
			defer func() {
				if err := r.release(); err != nil {
					t.Error(err)
				}
			}()
			ini, resp, err := r.bodies(mechPipe, 1_000_000, 10)
			if err != nil {
				t.Fatal(err)
			}
			ini.CPU, resp.CPU = rawclone.NoCPU, rawclone.NoCPU
			resp.Out = resp.In
			flags := switchSpec{mode: mode}.flags()
			rt, err := r.clone(flags, resp)
			if err != nil {
				t.Fatal(err)
			}
			it, err := r.clone(flags, ini)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- r.wait(time.Hour) }()
			select {
			case err := <-done:
				if !errors.Is(err, unix.EBADF) {
					t.Fatalf("wait: %v, want an error wrapping EBADF", err)
				}
				t.Log(err)
			case <-time.After(5 * time.Second): // liveness bound
				t.Fatal("wait still blocked 5s after the responder failed")
			}
			assertGone(t, []int{it.Tid(), rt.Tid()})
		})
	}
}

// mode=goroutine pins the threads it runs on; no thread of ours may stay
// pinned after the row, or later goroutines would inherit the pinning.
func TestSwitchGoroutineUnpins(t *testing.T) {
	needRawClone(t)
	allowed := func() map[string]int {
		out := map[string]int{}
		tids, err := procfs.Tasks()
		if err != nil {
			t.Fatal(err)
		}
		for _, tid := range tids {
			st, err := procfs.ReadStatus(fmt.Sprintf("/proc/self/task/%d/status", tid))
			if err != nil {
				continue // the thread exited meanwhile
			}
			if v, ok := st["Cpus_allowed_list"]; ok {
				out[v]++
			}
		}
		return out
	}
	before := allowed()
	if len(before) != 1 {
		t.Skipf("threads already differ in affinity: %v", before)
	}
	for range 5 {
		if _, err := runSwitch(switchSpec{mechPipe, modeGoroutine, cpuSame, 0}, 200, nil); err != nil {
			t.Fatal(err)
		}
	}
	after := allowed()
	for mask := range after {
		if _, ok := before[mask]; !ok {
			t.Errorf("threads left with affinity %q after the row (before: %v, after: %v)", mask, before, after)
		}
	}
}

// goPipeAbort turns a goroutine side's blocked read into an end of file
// and its writes into errors, so a failed side never strands its peer.
func TestGoPipeAbort(t *testing.T) {
	var r switchRig
	defer func() {
		if err := r.release(); err != nil {
			t.Error(err)
		}
	}()
	rd, wr, err := r.pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		_, err := goRead(rd, make([]byte, 1))
		got <- err
	}()
	time.Sleep(20 * time.Millisecond) // let the reader block; correctness does not depend on it
	goPipeAbort(wr)
	select {
	case err := <-got:
		if err == nil || !strings.Contains(err.Error(), "end of file") {
			t.Fatalf("read after abort: %v, want end of file", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read still blocked 5s after abort")
	}
	if err := goWrite(wr, []byte{1}); !errors.Is(err, unix.EBADF) {
		t.Fatalf("write after abort: %v, want EBADF", err)
	}
}
