//go:build linux

package workloads

import (
	"testing"

	"github.com/clonebench/clonebench/hist"
	"github.com/clonebench/clonebench/rowspec"
)

func metric(res Result, unit string) (float64, bool) {
	for _, m := range res.Metrics {
		if m.Unit == unit {
			return m.Value, true
		}
	}
	return 0, false
}

// Switch rows carry p50 ≤ p90 ≤ p99 ≤ p99.9 per round trip from a
// histogram of exactly N round trips, and none with recording off.
func TestSwitchRowsRecordRoundTrips(t *testing.T) {
	needRawClone(t)
	if on, why := LatencyRecording(); !on {
		t.Skip(why)
	}
	const n = 3000
	for _, name := range []string{
		"Switch/mech=pipe/mode=process/cpu=same/ws=0",
		"Switch/mech=futex/mode=thread/cpu=same/ws=0",
		"Switch/mech=eventfd/mode=thread/cpu=any/ws=0",
		"SwitchLibc/mode=process/cpu=same",
	} {
		t.Run(name, func(t *testing.T) {
			row, ok := rowNamed(rowspec.MustParse(name))
			if !ok {
				t.Fatalf("%s not in the catalogue", name)
			}
			res, err := row.Run(n)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Latency) != 1 || res.Latency[0].Kind != hist.KindRoundTrip || res.Latency[0].Hist.Count() != n {
				t.Fatalf("Latency %+v, want one roundtrip histogram of %d values", res.Latency, n)
			}
			prev := 0.0
			for _, u := range []string{rowspec.UnitP50, rowspec.UnitP90, rowspec.UnitP99, rowspec.UnitP999} {
				v, ok := metric(res, u)
				if !ok {
					t.Fatalf("no %s metric in %+v", u, res.Metrics)
				}
				if v < prev || v <= 0 {
					t.Errorf("%s = %g after %g: percentiles out of order", u, v, prev)
				}
				prev = v
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		t.Setenv(RecordEnv, "off")
		row, _ := rowNamed(rowspec.MustParse("Switch/mech=pipe/mode=process/cpu=same/ws=0"))
		res, err := row.Run(500)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := metric(res, rowspec.UnitP50); ok || len(res.Latency) != 0 {
			t.Errorf("%s=off: the row still reports percentiles (%+v)", RecordEnv, res.Metrics)
		}
	})
}

// A SwitchWake row's op is one wake-up: two per round trip, each in its
// histogram, with ordered percentiles and the mean as ns/op.
func TestSwitchWakeRows(t *testing.T) {
	needRawClone(t)
	const n = 1000
	for _, name := range []string{
		"SwitchWake/mech=pipe/mode=process/cpu=same",
		"SwitchWake/mech=futex/mode=thread/cpu=same",
		"SwitchWake/mech=eventfd/mode=thread/cpu=any",
	} {
		t.Run(name, func(t *testing.T) {
			row, ok := rowNamed(rowspec.MustParse(name))
			if !ok {
				t.Fatalf("%s not in the catalogue", name)
			}
			if why := row.Skip(); why != "" {
				t.Skip(why)
			}
			res, tids, err := runCapturing(row, n)
			if err != nil {
				t.Fatal(err)
			}
			assertGone(t, tids)
			if res.N != 2*n || len(res.Latency) != 1 || res.Latency[0].Kind != hist.KindWake || res.Latency[0].Hist.Count() != 2*n {
				t.Fatalf("N %d, Latency %+v; want %d wake-ups in one wake histogram", res.N, res.Latency, 2*n)
			}
			mean, _ := res.Latency[0].Hist.Mean()
			if d := res.PerOp() - mean; d > 1 || d < -1 {
				t.Errorf("ns/op %g, histogram mean %g", res.PerOp(), mean)
			}
			prev := 0.0
			for _, u := range []string{rowspec.UnitP50, rowspec.UnitP90, rowspec.UnitP99, rowspec.UnitP999} {
				v, ok := metric(res, u)
				if !ok || v < prev {
					t.Errorf("%s = %g (present %v) after %g", u, v, ok, prev)
				}
				prev = v
			}
		})
	}
}
