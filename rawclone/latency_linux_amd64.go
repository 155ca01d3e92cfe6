//go:build linux && amd64

package rawclone

// recordingLoop: the amd64 ping-pong loop records latency (Body.RoundTrips, Body.Wake).
const recordingLoop = true
