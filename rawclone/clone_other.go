//go:build !(linux && (amd64 || arm64))

package rawclone

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

// errUnsupported is what every entry point returns off Linux amd64/arm64:
// raw clone(2) and its assembly bodies exist only there.
var errUnsupported = fmt.Errorf("rawclone: clone(2) on %s/%s: %w", runtime.GOOS, runtime.GOARCH, errors.ErrUnsupported)

// Task is one cloned task; none can be created on this platform.
type Task struct {
	tid   int
	flags Flags
}

// Clone returns an error wrapping errors.ErrUnsupported.
func Clone(flags Flags, body Body, opt Options) (*Task, error) { return nil, errUnsupported }

// Cloner issues clones from one thread with signals blocked; none can be
// made on this platform.
type Cloner struct{}

// NewCloner returns an error wrapping errors.ErrUnsupported.
func NewCloner() (*Cloner, error) { return nil, errUnsupported }

// Clone returns an error wrapping errors.ErrUnsupported.
func (cl *Cloner) Clone(flags Flags, body Body, opt Options) (*Task, error) {
	return nil, errUnsupported
}

// Close does nothing.
func (cl *Cloner) Close() error { return nil }

// Tid is the task's thread id.
func (t *Task) Tid() int { return t.tid }

// Flags are the flags the task was cloned with.
func (t *Task) Flags() Flags { return t.flags }

// Wait returns an error wrapping errors.ErrUnsupported.
func (t *Task) Wait(timeout time.Duration) error { return errUnsupported }

// Kill returns an error wrapping errors.ErrUnsupported.
func (t *Task) Kill() error { return errUnsupported }

func (t *Task) Gone(timeout time.Duration) error { return errUnsupported }

func SettleExiting(timeout time.Duration) error { return errUnsupported }

// Result is the zero Result.
func (t *Task) Result() Result { return Result{} }

// NewWord returns an error wrapping errors.ErrUnsupported.
func NewWord() (*Word, error) { return nil, errUnsupported }

// Load returns 0.
func (w *Word) Load() uint32 { return 0 }

// Store does nothing.
func (w *Word) Store(v uint32) {}

// Free does nothing: no Word exists on this platform.
func (w *Word) Free() error { return nil }

// Map returns an error wrapping errors.ErrUnsupported.
func Map(size int, hugepages bool) ([]byte, error) { return nil, errUnsupported }

// Unmap returns an error wrapping errors.ErrUnsupported.
func Unmap(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return errUnsupported
}
