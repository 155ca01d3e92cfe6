//go:build !(linux && (amd64 || arm64))

package rawclone

import "github.com/clonebench/clonebench/hist"

// NewLatency returns an error wrapping errors.ErrUnsupported.
func NewLatency() (*Latency, error) { return nil, errUnsupported }

// Ticks is empty: no loop records here.
func (l *Latency) Ticks() *hist.Histogram { return &hist.Histogram{} }

// Reset does nothing.
func (l *Latency) Reset() {}

// Free does nothing.
func (l *Latency) Free() error { return nil }
