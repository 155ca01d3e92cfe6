//go:build linux && arm64

package rawclone

// recordingLoop: the arm64 ping-pong loop records latency (Body.RoundTrips, Body.Wake), reading CNTVCT_EL0.
const recordingLoop = true
