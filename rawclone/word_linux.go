//go:build linux && (amd64 || arm64)

package rawclone

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// NewWord maps a zeroed futex word. Zero means it is the initiator's turn.
func NewWord() (*Word, error) {
	mem, err := unix.Mmap(-1, 0, unix.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("rawclone: mmap futex word: %w", err)
	}
	return &Word{mem: mem}, nil
}

func (w *Word) addr() uintptr { return uintptr(unsafe.Pointer(&w.mem[0])) }

func (w *Word) ptr() *uint32 { return (*uint32)(unsafe.Pointer(&w.mem[0])) }

// Load reads the word.
func (w *Word) Load() uint32 { return atomic.LoadUint32(w.ptr()) }

// Store sets the word, e.g. back to 0 (the initiator's turn) between runs.
func (w *Word) Store(v uint32) { atomic.StoreUint32(w.ptr(), v) }

// Free unmaps the word. No task may still use it.
func (w *Word) Free() error {
	if w == nil || w.mem == nil {
		return nil
	}
	err := unix.Munmap(w.mem)
	w.mem = nil
	if err != nil {
		return fmt.Errorf("rawclone: munmap futex word: %w", err)
	}
	return nil
}

// Map maps size bytes of private anonymous memory, asks for transparent huge
// pages or forbids them (MADV_HUGEPAGE / MADV_NOHUGEPAGE), and touches every
// page so the memory is resident: a working set for ping-pong bodies, or RSS
// a fork must copy page tables for. Release it with Unmap.
func Map(size int, hugepages bool) ([]byte, error) {
	if size <= 0 {
		return nil, fmt.Errorf("rawclone: map size %d must be positive", size)
	}
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("rawclone: mmap %d bytes: %w", size, err)
	}
	advice := unix.MADV_NOHUGEPAGE
	if hugepages {
		advice = unix.MADV_HUGEPAGE
	}
	if err := unix.Madvise(mem, advice); err != nil {
		unix.Munmap(mem)
		return nil, fmt.Errorf("rawclone: madvise %d bytes (hugepages=%v): %w", size, hugepages, err)
	}
	page := unix.Getpagesize()
	for i := 0; i < len(mem); i += page {
		mem[i] = 1
	}
	return mem, nil
}

// Unmap releases memory from Map.
func Unmap(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if err := unix.Munmap(b); err != nil {
		return fmt.Errorf("rawclone: munmap %d bytes: %w", len(b), err)
	}
	return nil
}
