//go:build !linux

package probe

import (
	"errors"
	"fmt"
)

// Session is a set of attached programs; on this OS there are none.
type Session struct{}

// Start needs Linux BPF.
func Start(tid int) (*Session, error) {
	return nil, fmt.Errorf("probe: BPF tracepoints need Linux: %w", errors.ErrUnsupported)
}

// Stop is never reached here.
func (s *Session) Stop() (Totals, error) { return Totals{}, errors.ErrUnsupported }

// Close is never reached here.
func (s *Session) Close() error { return nil }

// SkipReason says why no session can start here.
func SkipReason() string { return "probe=sched needs Linux BPF tracepoints" }

// FunctionsSupported: no fentry here.
func FunctionsSupported() error {
	return fmt.Errorf("probe: fentry needs Linux: %w", errors.ErrUnsupported)
}

// Ours lists loaded BPF programs named with Prefix; none here.
func Ours() ([]Loaded, error) { return nil, errors.ErrUnsupported }

// IDs: no programs here.
func (s *Session) IDs() []uint32 { return nil }

// SwitchSession is a set of attached programs; on this OS there are none.
type SwitchSession struct{}

// StartSwitch needs Linux BPF.
func StartSwitch(cloner int, flags uint64) (*SwitchSession, error) {
	return nil, fmt.Errorf("probe: BPF tracepoints need Linux: %w", errors.ErrUnsupported)
}

// Partners is never reached here.
func (s *SwitchSession) Partners(initiator, responder int) error { return errors.ErrUnsupported }

// Stop is never reached here.
func (s *SwitchSession) Stop() (SwitchTotals, error) { return SwitchTotals{}, errors.ErrUnsupported }

// Close is never reached here.
func (s *SwitchSession) Close() error { return nil }
