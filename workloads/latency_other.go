//go:build !linux

package workloads

// LatencyRecording: the recording loops are Linux's raw-clone loops.
func LatencyRecording() (bool, string) {
	return false, "latency recording needs the raw-clone loops of linux/amd64"
}
