package report

import (
	"fmt"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
)

// LatencyRow is one row's latency histogram on one machine, merged over
// every input sidecar: percentiles come from the merged buckets, never
// from averaging each run's.
type LatencyRow struct {
	Row     *Row   // the row of the result file the histogram belongs to
	Kind    string // hist.KindRoundTrip or hist.KindWake
	Samples int
	Hist    *hist.Histogram
}

// addSidecar merges f's sidecar, if it has one, into d.Latency. A
// histogram whose row the result file lacks is an error: the two files
// do not belong together.
func (d *Data) addSidecar(f *resultfile.File) error {
	entries, err := resultfile.ReadSidecar(f.Path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, e := range entries {
		sp, err := rowspec.Parse(e.Name)
		if err != nil {
			return fmt.Errorf("report: %s: %w", hist.SidecarPath(f.Path), err)
		}
		var row *Row
		for _, rr := range f.Rows {
			if rr.Spec == sp && !rr.Simulated {
				h := hostFor(rr.Config)
				for _, r := range d.Rows {
					if r.Spec == sp && r.Host.ID == h.ID && !r.Simulated {
						row = r
					}
				}
			}
		}
		if row == nil {
			return fmt.Errorf("report: %s: histogram of %s, a row %s does not hold", hist.SidecarPath(f.Path), e.Name, f.Path)
		}
		merged := false
		for _, l := range d.Latency {
			if l.Row == row && l.Kind == e.Kind {
				l.Hist.Merge(e.Hist)
				l.Samples += e.Samples
				merged = true
			}
		}
		if !merged {
			d.Latency = append(d.Latency, &LatencyRow{Row: row, Kind: e.Kind, Samples: e.Samples, Hist: e.Hist})
		}
	}
	return nil
}

// latencyOf is the histogram of kind for h's row sp, or nil.
func (d *Data) latencyOf(h *Host, sp rowspec.Spec, kind string) *LatencyRow {
	for _, l := range d.Latency {
		if l.Row.Host == h && l.Row.Spec == sp && l.Kind == kind {
			return l
		}
	}
	return nil
}
