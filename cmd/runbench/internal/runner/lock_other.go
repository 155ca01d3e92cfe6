//go:build !unix

package runner

import "io"

// DefaultLock names no lock: there is no flock here, and only simulated
// rows run, which do not disturb each other's figures.
const DefaultLock = ""

// lockRun: no flock here, so runs are not serialized.
func lockRun(name string, wait bool, stderr io.Writer) (func(), error) { return func() {}, nil }
