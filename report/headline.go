package report

import "github.com/clonebench/clonebench/rowspec"

// IsHeadline reports whether s (canonical) is one of the headline rows
// hosts.png compares. A creation headline counts at every placement: which
// one hosts.png shows depends on the machines drawn together, and a history
// follows each placement as a row of its own.
func IsHeadline(s rowspec.Spec) bool {
	for _, hl := range headlines {
		if hl.spec.Family.Creation() {
			if s.Family == hl.spec.Family && s.Style == hl.spec.Style {
				return true
			}
			continue
		}
		if s == hl.spec.Canonical() {
			return true
		}
	}
	return false
}
