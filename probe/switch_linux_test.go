//go:build linux

package probe

import (
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/rawclone"
)

// A switch session armed for this thread's fork-style clones follows
// nothing while a busy unrelated process forks (with glibc fork's very
// flags), execs and switches on every CPU: the programs note only this
// thread's children and count only their events.
func TestSwitchSessionSeesOnlyItsPair(t *testing.T) {
	needBPF(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s, err := StartSwitch(unix.Gettid(), uint64(rawclone.ForkFlags))
	if err != nil {
		t.Fatal(err)
	}
	ids := s.IDs()
	attached(t, ids)
	busy(t)
	time.Sleep(300 * time.Millisecond)
	if err := s.Partners(1, 2); err == nil {
		t.Error("Partners accepted tids the programs never saw")
	}
	tot, err := s.Stop()
	if err != nil {
		t.Fatal(err)
	}
	gone(t, ids)
	if tot.Partners != 0 || tot.Events != 0 || tot.Sum() != 0 || tot.Timed {
		t.Errorf("with no pair of ours, the programs counted %+v", tot)
	}
}

// Close after an error path frees everything, and twice is harmless.
func TestSwitchSessionCloseDetaches(t *testing.T) {
	needBPF(t)
	s, err := StartSwitch(unix.Gettid(), uint64(rawclone.ThreadFlags))
	if err != nil {
		t.Fatal(err)
	}
	ids := s.IDs()
	attached(t, ids)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	gone(t, ids)
}
