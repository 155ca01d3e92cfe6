//go:build !linux

package workloads

import (
	"errors"
	"fmt"
)

var errScalingUnsupported = fmt.Errorf("creation scaling rows need Linux: %w", errors.ErrUnsupported)

func parSkip(int) string { return errScalingUnsupported.Error() }

func mapsSkip(int) string { return errScalingUnsupported.Error() }

func runCreatePar(rawSpec, int, int) (Result, error) { return Result{}, errScalingUnsupported }

func holdIdleThreads(int) (func() error, error) { return nil, errScalingUnsupported }

func holdMappings(int) (func() error, error) { return nil, errScalingUnsupported }
