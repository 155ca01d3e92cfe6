//go:build linux

package probe

import (
	"os/exec"
	"testing"
	"time"
)

// A switch session tracking two sleeping processes counts nothing while a
// busy unrelated process forks, execs and switches on every CPU: the
// programs keep only the tracked tasks' events.
func TestSwitchSessionSeesOnlyTrackedTasks(t *testing.T) {
	needBPF(t)
	var tids []int
	for range 2 {
		cmd := exec.Command("sleep", "30")
		if err := cmd.Start(); err != nil {
			t.Skipf("start sleep: %v", err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		tids = append(tids, cmd.Process.Pid)
	}
	time.Sleep(50 * time.Millisecond) // let them reach nanosleep
	s, err := StartSwitch()
	if err != nil {
		t.Fatal(err)
	}
	ids := s.IDs()
	attached(t, ids)
	if err := s.Track(tids[0], tids[1]); err != nil {
		s.Close()
		t.Fatal(err)
	}
	busy(t)
	time.Sleep(300 * time.Millisecond)
	tot, err := s.Stop()
	if err != nil {
		t.Fatal(err)
	}
	gone(t, ids)
	if tot.Events != 0 || tot.Sum() != 0 || tot.Timed {
		t.Errorf("tracking two sleepers, the programs counted %+v", tot)
	}
}

// Track refuses tids that cannot be a pair, and the session is freed
// after the refusal is handled with Close.
func TestSwitchTrackRefusesBadTids(t *testing.T) {
	needBPF(t)
	s, err := StartSwitch()
	if err != nil {
		t.Fatal(err)
	}
	ids := s.IDs()
	attached(t, ids)
	for _, tc := range [][2]int{{0, 5}, {5, 0}, {7, 7}, {-1, 3}} {
		if err := s.Track(tc[0], tc[1]); err == nil {
			t.Errorf("Track(%d, %d) succeeded", tc[0], tc[1])
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	gone(t, ids)
}
