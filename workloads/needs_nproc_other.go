//go:build !linux

package workloads

// nprocLimit: the rows that could exhaust a task limit run on Linux only;
// elsewhere the check is not worth a per-OS reading of the limit.
func nprocLimit() (uint64, bool, error) { return 0, false, nil }
