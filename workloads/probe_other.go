//go:build !linux

package workloads

import "github.com/clonebench/clonebench/probe"

func probeSkipReason() string { return probe.SkipReason() }

func probedRun(run func(int) (Result, error), n int) (Result, error) {
	_, err := probe.Start(0)
	return Result{}, err
}
