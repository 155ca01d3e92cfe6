//go:build !linux

package sysinfo

// TracingBPF: no BPF here.
func TracingBPF() (string, error) { return "", unsupported("bpf programs") }
