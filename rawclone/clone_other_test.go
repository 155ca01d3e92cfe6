//go:build !(linux && (amd64 || arm64))

package rawclone

import (
	"errors"
	"testing"
)

func TestEveryEntryPointIsUnsupportedHere(t *testing.T) {
	if _, err := Clone(ThreadFlags, Body{CPU: NoCPU}, Options{}); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Clone = %v, want errors.ErrUnsupported", err)
	}
	if _, err := NewWord(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("NewWord = %v, want errors.ErrUnsupported", err)
	}
	if _, err := Map(4096, false); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Map = %v, want errors.ErrUnsupported", err)
	}
}
