//go:build !linux

package workloads

import "errors"

type threadCounters struct{}

// readThreadCounters has no per-thread scheduler counts to read here.
func readThreadCounters() (threadCounters, error) { return threadCounters{}, errors.ErrUnsupported }

func disturbance(a, b threadCounters) []Metric { return nil }

func parentFootprint() ([]Metric, error) { return nil, errors.ErrUnsupported }
