package simkernel

import (
	"errors"
	"fmt"
	"syscall"
)

// Clone's refusals, one per rule of copy_process (kernel/fork.c) and
// clone3_args_valid. Each wraps the errno the real kernel returns, so
// errors.Is(err, syscall.EINVAL) is true here exactly where rawclone.Clone
// fails with EINVAL.
var (
	ErrClearSighand    = fmt.Errorf("simkernel: CLONE_CLEAR_SIGHAND with CLONE_SIGHAND: %w", syscall.EINVAL)
	ErrNewNSWithFS     = fmt.Errorf("simkernel: CLONE_NEWNS with CLONE_FS: %w", syscall.EINVAL)
	ErrNewUserWithFS   = fmt.Errorf("simkernel: CLONE_NEWUSER with CLONE_FS: %w", syscall.EINVAL)
	ErrThreadNoSighand = fmt.Errorf("simkernel: CLONE_THREAD without CLONE_SIGHAND: %w", syscall.EINVAL)
	ErrSighandNoVM     = fmt.Errorf("simkernel: CLONE_SIGHAND without CLONE_VM: %w", syscall.EINVAL)
	ErrParentFromInit  = fmt.Errorf("simkernel: CLONE_PARENT from an init task: %w", syscall.EINVAL)
	ErrThreadNewNS     = fmt.Errorf("simkernel: CLONE_THREAD into a new user or pid namespace: %w", syscall.EINVAL)
	ErrPidfdDetached   = fmt.Errorf("simkernel: CLONE_PIDFD with CLONE_DETACHED: %w", syscall.EINVAL)
	ErrUnknownFlag     = fmt.Errorf("simkernel: unknown clone flag: %w", syscall.EINVAL)
	ErrNamespacePerm   = fmt.Errorf("simkernel: new namespace without CAP_SYS_ADMIN: %w", syscall.EPERM)
	ErrPidExhausted    = fmt.Errorf("simkernel: no free pid: %w", syscall.EAGAIN)

	ErrNoTask     = fmt.Errorf("simkernel: no such task: %w", syscall.ESRCH)
	ErrDead       = fmt.Errorf("simkernel: task has exited: %w", syscall.ESRCH)
	ErrNoChild    = fmt.Errorf("simkernel: no such child: %w", syscall.ECHILD)
	ErrNotExited  = errors.New("simkernel: child has not exited") // waitpid(WNOHANG) returning 0
	ErrVforkBlock = errors.New("simkernel: parent is suspended in vfork until its child exits")
)
