package main

import (
	"io"

	"github.com/clonebench/clonebench/claims"
)

func (e *env) cmdVerify(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("verify", stderr, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badInput("unexpected argument %q", fs.Arg(0))
	}
	return claims.Verify(stdout)
}
