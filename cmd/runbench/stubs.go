package main

import (
	"errors"
	"io"
)

func (e *env) cmdVerify(stdout, stderr io.Writer, args []string) error { return errors.New("todo") }
