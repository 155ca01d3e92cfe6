//go:build !unix

package main

import "os"

var errNotEmpty error = os.ErrExist
