// Package claims checks, on the running kernel, the task-model claims the
// clonebench seeds make: what getpid and gettid return on a thread other
// than the main one, what /proc lists, and what each CLONE_* sharing flag
// (and CLONE_NEW*) shares, seen through the child's /proc files and kcmp.
//
// Every check clones real children with rawclone, so the claims are Linux
// only; elsewhere Check returns an error wrapping errors.ErrUnsupported.
package claims
