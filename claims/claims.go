package claims

import (
	"fmt"
	"io"
)

// Claim is one statement of the seeds, checked on this kernel.
type Claim struct {
	Text     string
	OK       bool
	Evidence string // what was seen, or the error that stopped the check
}

// Verify checks the claims and writes one line per claim to w: the
// statement, PASS or FAIL, and the evidence. Any failed claim is an error.
func Verify(w io.Writer) error {
	claims, err := Check()
	if err != nil {
		return err
	}
	failed := 0
	for _, c := range claims {
		verdict := "PASS"
		if !c.OK {
			verdict = "FAIL"
			failed++
		}
		fmt.Fprintf(w, "%s → %s (%s)\n", c.Text, verdict, c.Evidence)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d claims failed", failed, len(claims))
	}
	return nil
}
