//go:build cgo

package workloads

const cgoEnabled = true
