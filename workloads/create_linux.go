//go:build linux

package workloads

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	hugePage  = 2 << 20
	smallPage = 4 << 10
	thpPath   = "/sys/kernel/mm/transparent_hugepage/enabled"
)

// thpSkipReason says why MADV_HUGEPAGE cannot give huge pages here.
func thpSkipReason() string {
	b, err := os.ReadFile(thpPath)
	if err != nil {
		return fmt.Sprintf("needs transparent huge pages: %v", err)
	}
	if strings.Contains(string(b), "[never]") {
		return fmt.Sprintf("needs transparent huge pages, %s is %q", thpPath, strings.TrimSpace(string(b)))
	}
	return ""
}

// mapTouched maps size bytes of private anonymous memory on a 2 MiB
// boundary (so thp=on can use whole huge pages), advises the kernel to use
// or refuse huge pages, and writes every 4 KiB page so each has a page-table
// entry fork must copy. release unmaps it.
func mapTouched(size int, thp bool) (mem []byte, release func() error, err error) {
	if size == 0 {
		return nil, func() error { return nil }, nil
	}
	if size < 0 || size%hugePage != 0 {
		return nil, nil, fmt.Errorf("rss %d: want a non-negative multiple of 2 MiB", size)
	}
	// Over-map by one huge page so an aligned range of size fits inside.
	raw, err := unix.MmapPtr(-1, 0, nil, uintptr(size+hugePage),
		unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, nil, fmt.Errorf("mmap: %w", err)
	}
	// Trim both ends so the kept range starts on a huge-page boundary.
	head := (hugePage - uintptr(raw)%hugePage) % hugePage
	base := unsafe.Add(raw, head)
	var errs []error
	if head > 0 {
		errs = append(errs, unix.MunmapPtr(raw, head))
	}
	if tail := hugePage - head; tail > 0 {
		errs = append(errs, unix.MunmapPtr(unsafe.Add(base, size), tail))
	}
	release = func() error {
		if err := unix.MunmapPtr(base, uintptr(size)); err != nil {
			return fmt.Errorf("munmap: %w", err)
		}
		return nil
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("trim mapping: %w", err), release())
	}
	mem = unsafe.Slice((*byte)(base), size)
	advice := unix.MADV_NOHUGEPAGE
	if thp {
		advice = unix.MADV_HUGEPAGE
	}
	if err := unix.Madvise(mem, advice); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("madvise: %w", err), release())
	}
	for i := 0; i < size; i += smallPage {
		mem[i] = 1
	}
	return mem, release, nil
}

// openFDs opens n extra descriptors (close-on-exec dups of /dev/null),
// raising the RLIMIT_NOFILE soft limit to what they need if it is short.
// release closes them and restores the limit.
func openFDs(n int) (release func() error, err error) {
	if n == 0 {
		return func() error { return nil }, nil
	}
	if n < 0 {
		return nil, fmt.Errorf("fds %d: want a non-negative count", n)
	}
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &old); err != nil {
		return nil, fmt.Errorf("getrlimit(RLIMIT_NOFILE): %w", err)
	}
	// Room for the fds already open and a margin for the runtime's own.
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, err
	}
	want := uint64(n + len(ents) + 64)
	restore := func() error { return nil }
	if old.Cur < want {
		if old.Max < want {
			return nil, fmt.Errorf("needs RLIMIT_NOFILE of %d, hard limit is %d", want, old.Max)
		}
		raised := unix.Rlimit{Cur: want, Max: old.Max}
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &raised); err != nil {
			return nil, fmt.Errorf("raise RLIMIT_NOFILE to %d: %w", want, err)
		}
		restore = func() error {
			if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &old); err != nil {
				return fmt.Errorf("restore RLIMIT_NOFILE to %d: %w", old.Cur, err)
			}
			return nil
		}
	}
	fds := make([]int, 0, n)
	release = func() error {
		var errs []error
		for _, fd := range fds {
			if err := unix.Close(fd); err != nil {
				errs = append(errs, fmt.Errorf("close fd %d: %w", fd, err))
			}
		}
		errs = append(errs, restore())
		return errors.Join(errs...)
	}
	null, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open /dev/null: %w", err), release())
	}
	fds = append(fds, null)
	for len(fds) < n {
		fd, err := unix.FcntlInt(uintptr(null), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("dup fd %d of %d: %w", len(fds)+1, n, err), release())
		}
		fds = append(fds, fd)
	}
	return release, nil
}
