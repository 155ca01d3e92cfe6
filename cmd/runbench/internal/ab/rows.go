package ab

import (
	"regexp"

	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"
)

// Headlines are the rows ab compares by default: rowspec.Headlines, a
// creation headline at cpu=same where the catalogue has that placement
// (a pinned pair is the quieter figure) and else at the placement it has
// (goroutine and spawn run at cpu=any only).
func Headlines(catalogue []workloads.Row) []rowspec.Spec {
	var out []rowspec.Spec
	for _, h := range rowspec.Headlines() {
		if !h.Family.Creation() {
			out = append(out, h)
			continue
		}
		var pick *rowspec.Spec
		for i := range catalogue {
			sp := catalogue[i].Spec
			if sp.Family != h.Family || sp.Style != h.Style {
				continue
			}
			if pick == nil || sp.CPU == rowspec.CPUSame {
				pick = &sp
			}
			if sp.CPU == rowspec.CPUSame {
				break
			}
		}
		if pick != nil {
			out = append(out, *pick)
		}
	}
	return out
}

// Select is the catalogue's rows of suite whose names match run, in
// catalogue order. Whether a row can run is the executable's to say: a
// row it skips fails with its reason.
func Select(catalogue []workloads.Row, suite workloads.Suite, run *regexp.Regexp) []rowspec.Spec {
	var out []rowspec.Spec
	for _, r := range catalogue {
		if r.Suites&suite != 0 && run.MatchString(r.Name) {
			out = append(out, r.Spec)
		}
	}
	return out
}
