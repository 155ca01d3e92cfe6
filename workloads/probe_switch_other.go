//go:build !linux

package workloads

import "github.com/clonebench/clonebench/probe"

func probedSwitchRun(obs func(int, startedFunc) (Result, error), n int, started startedFunc) (Result, error) {
	_, err := probe.StartSwitch()
	return Result{}, err
}
