//go:build linux && (amd64 || arm64)

package rawclone

import (
	"testing"
)

// BenchmarkCloneWait times one Clone of an OpExit child plus its join or
// reap, per flag set: what rawclone itself adds can be read against a C
// loop of clone+join (the workloads package has the full catalogue).
func BenchmarkCloneWait(b *testing.B) {
	for _, bb := range []struct {
		name  string
		flags Flags
		opt   Options
	}{
		{"style=thread/stack=cached", ThreadFlags, Options{Stack: StackCached}},
		{"style=thread/stack=fresh", ThreadFlags, Options{Stack: StackFresh}},
		{"style=vm-process", CloneVM | SIGCHLD, Options{}},
		{"style=vfork", VforkFlags, Options{}},
		{"style=fork", ForkFlags, Options{}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			body := Body{CPU: NoCPU}
			for b.Loop() {
				t, err := Clone(bb.flags, body, bb.opt)
				if err != nil {
					b.Fatal(err)
				}
				if err := t.Wait(0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
