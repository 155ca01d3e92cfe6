//go:build !unix

package main

import "os"

var errNotEmpty error = os.ErrExist

// ignoreSIGPIPE: there is no SIGPIPE to ignore here.
func ignoreSIGPIPE() {}
