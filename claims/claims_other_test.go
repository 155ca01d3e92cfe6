//go:build !linux

package claims

import (
	"errors"
	"testing"
)

func TestCheckUnsupported(t *testing.T) {
	if _, err := Check(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Check() error %v, want one wrapping errors.ErrUnsupported", err)
	}
}
