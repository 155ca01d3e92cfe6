package main

import (
	"io"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/rowspec"
)

// writeSidecar writes the latency histograms of samples beside the result
// file at path (hist.SidecarPath: UTCTIME.txt → UTCTIME.hist), each row's
// samples merged into one histogram per kind. A run without histograms
// writes none.
func writeSidecar(path string, samples []sample) error {
	entries := sidecarEntries(samples)
	if len(entries) == 0 {
		return nil
	}
	return writeNew(hist.SidecarPath(path), func(w io.Writer) error { return hist.Write(w, entries) })
}

func sidecarEntries(samples []sample) []hist.Entry {
	var out []hist.Entry
	at := map[[2]string]int{}
	for _, s := range samples {
		for _, l := range s.lat {
			key := [2]string{rowspec.BenchName(s.name), l.Kind}
			i, ok := at[key]
			if !ok {
				i = len(out)
				at[key] = i
				out = append(out, hist.Entry{Name: key[0], Kind: l.Kind, Hist: &hist.Histogram{}})
			}
			out[i].Hist.Merge(l.Hist)
			out[i].Samples++
		}
	}
	return out
}
