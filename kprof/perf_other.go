//go:build !linux

package kprof

import (
	"errors"
	"fmt"

	"github.com/google/pprof/profile"
)

var errNoPerf = fmt.Errorf("kprof: perf_event_open is Linux's: %w", errors.ErrUnsupported)

// Session is Linux's; elsewhere Start refuses.
type Session struct{}

// Start refuses: there is no perf_event_open off Linux.
func Start(tid int) (*Session, error) { return nil, errNoPerf }

// Source is unknown without a session.
func (s *Session) Source() Source { return "" }

// Stop refuses.
func (s *Session) Stop() (*profile.Profile, error) { return nil, errNoPerf }

// Close does nothing.
func (s *Session) Close() error { return nil }

// Supported says why Start would fail.
func Supported() error { return errNoPerf }

// StartThread refuses, as Start does.
func StartThread() (*Session, error) { return nil, errNoPerf }
