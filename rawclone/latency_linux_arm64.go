//go:build linux && arm64

package rawclone

// recordingLoop: the arm64 ping-pong loop does not record latency yet.
const recordingLoop = false
