//go:build unix

package reportdir

import "syscall"

// errNotEmpty is what rename(2) returns for a non-empty target directory.
var errNotEmpty error = syscall.ENOTEMPTY
