package workloads

// Latency recording in the switch rows. A Switch or SwitchLibc row's
// initiator records every timed round trip in a log-linear histogram
// (rawclone.Body.RoundTrips: one cycle-counter read and one bucket
// increment per round trip, in the assembly loop), and the row reports
// p50-ns, p90-ns, p99-ns and p99.9-ns per round trip from it beside the
// mean (ns/op). SwitchWake rows record both sides' wake-ups the same way
// (rawclone.Body.Wake).
//
// Recording is on wherever the cycle counter can be trusted (an
// invariant TSC on amd64) and the loop implements it (amd64). To measure
// what it costs, CLONEBENCH_RECORD=off turns it off for a whole process:
// the loop then takes neither recording branch (two compares per round
// trip remain) and the rows report no percentiles and write no sidecar. That switch is for the overhead measurement only; stored
// runs keep it on.

import (
	"os"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/rowspec"
)

// Latency is one histogram of a row's Result: what it times (hist.KindRoundTrip or hist.KindWake) and the values, in ns.
type Latency struct {
	Kind string
	Hist *hist.Histogram
}

// RecordEnv names the environment variable that turns latency recording
// off ("off") for the recording-overhead measurement.
const RecordEnv = "CLONEBENCH_RECORD"

// recordingOff reports whether the environment turns recording off.
func recordingOff() bool { return os.Getenv(RecordEnv) == "off" }

// histMetrics are p50-ns, p90-ns, p99-ns and p99.9-ns of h.
func histMetrics(h *hist.Histogram) []Metric {
	units := []string{rowspec.UnitP50, rowspec.UnitP90, rowspec.UnitP99, rowspec.UnitP999}
	var out []Metric
	for i, p := range hist.Percentiles {
		v, err := h.Quantile(p / 100)
		if err != nil {
			return nil
		}
		out = append(out, Metric{Value: v, Unit: units[i]})
	}
	return out
}
