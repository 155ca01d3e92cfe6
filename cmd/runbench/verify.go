package main

import (
	"fmt"
	"io"
)

// claim is one statement of the seeds checked on this kernel.
type claim struct {
	text     string
	ok       bool
	evidence string
}

func (e *env) cmdVerify(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("verify", stderr, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badInput("unexpected argument %q", fs.Arg(0))
	}
	claims, err := verifyClaims()
	if err != nil {
		return err
	}
	failed := 0
	for _, c := range claims {
		verdict := "PASS"
		if !c.ok {
			verdict = "FAIL"
			failed++
		}
		fmt.Fprintf(stdout, "%s → %s (%s)\n", c.text, verdict, c.evidence)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d claims failed", failed, len(claims))
	}
	return nil
}
