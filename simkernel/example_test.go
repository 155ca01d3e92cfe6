package simkernel_test

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/simkernel"
)

// A thread is a task like a process: only the clone flags differ, and they
// decide what the new task shares and what getpid returns in it.
func ExampleKernel_Clone() {
	k := simkernel.NewKernel(simkernel.DefaultProfile())
	parent := k.Spawn()

	proc, _ := k.Clone(parent, rawclone.ForkFlags)
	thread, _ := k.Clone(parent, rawclone.ThreadFlags)
	for _, t := range []*simkernel.Task{proc, thread} {
		fmt.Printf("tid %d getpid %d shares %s\n", t.Gettid(), t.Getpid(), simkernel.Shared(parent, t))
	}
	fmt.Println("ls /proc:", k.ProcList())
	tids, _ := k.ProcTask(parent.Pid)
	fmt.Printf("ls /proc/%d/task: %v\n", parent.Pid, tids)

	_, err := k.Clone(parent, rawclone.CloneThread|rawclone.CloneVM)
	fmt.Println(err, errors.Is(err, syscall.EINVAL))
	// Output:
	// tid 3 getpid 3 shares 0
	// tid 4 getpid 2 shares VM|FS|FILES|SIGHAND|THREAD
	// ls /proc: [1 2 3]
	// ls /proc/2/task: [2 4]
	// simkernel: CLONE_THREAD without CLONE_SIGHAND: invalid argument true
}

// Run simulates a catalogue row; its figures are virtual time.
func ExampleRun() {
	p := simkernel.DefaultProfile()
	fork, _ := simkernel.Run(p, rowspec.MustParse("CreateRSS/style=fork/thp=off/rss=1GiB"), 10)
	thread, _ := simkernel.Run(p, rowspec.MustParse("CreateRSS/style=thread/thp=off/rss=1GiB"), 10)
	fmt.Println("fork with 1 GiB mapped costs more than 100 threads:", fork.PerOp() > 100*thread.PerOp())
	fmt.Println(rowspec.UnitSimNsOp) // the unit a harness reports them in
	// Output:
	// fork with 1 GiB mapped costs more than 100 threads: true
	// sim-ns/op
}
