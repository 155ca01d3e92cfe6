//go:build !unix

package reportdir

import "os"

var errNotEmpty error = os.ErrExist
