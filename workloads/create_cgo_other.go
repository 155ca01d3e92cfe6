//go:build !cgo || !linux

package workloads

// cgoCreateRows is empty without cgo on Linux: the glibc rows are absent,
// not faked.
func cgoCreateRows() []Row { return nil }
