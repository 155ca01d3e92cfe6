//go:build !unix

package main

// ignoreSIGPIPE: there is no SIGPIPE to ignore here.
func ignoreSIGPIPE() {}
