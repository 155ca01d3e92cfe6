//go:build !linux

package workloads

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/clonebench/clonebench/rawclone"
	"github.com/clonebench/clonebench/rowspec"
)

var errNoContainers = fmt.Errorf("clone3, namespaces and cgroups on %s: %w", runtime.GOOS, errors.ErrUnsupported)

func runClone3(rawclone.Clone3, int) (Result, error) { return Result{}, errNoContainers }
func runNS(rawclone.Flags, int) (Result, error)      { return Result{}, errNoContainers }
func runCgroup(rowspec.How, int) (Result, error)     { return Result{}, errNoContainers }
func nsSkipReason(rawclone.Flags) string             { return "" }
func cgroupSkipReason() string                       { return "" }

// RemoveTestCgroups has nothing to remove where no row makes cgroups.
func RemoveTestCgroups() error { return nil }

// RemoveStaleCgroups: no cgroup rows here, so nothing to leave behind.
func RemoveStaleCgroups() ([]string, error) { return nil, nil }
