package workloads

import (
	"fmt"
	"time"

	"github.com/montanaflynn/stats"

	"github.com/clonebench/clonebench/rowspec"
)

// percentileMetrics returns p50-ns and p99-ns of per-op samples, computed
// with stats.Percentile (linear interpolation between closest ranks, the
// NumPy/R default), so a reader can reproduce them from the samples.
func percentileMetrics(samples []time.Duration) ([]Metric, error) {
	if len(samples) == 0 {
		return nil, fmt.Errorf("percentiles: no samples")
	}
	data := make(stats.Float64Data, len(samples))
	for i, s := range samples {
		data[i] = float64(s.Nanoseconds())
	}
	out := make([]Metric, 0, 2)
	for _, p := range []struct {
		pct  float64
		unit string
	}{{50, rowspec.UnitP50}, {99, rowspec.UnitP99}} {
		v, err := stats.Percentile(data, p.pct)
		if err != nil {
			return nil, fmt.Errorf("percentile %v of %d samples: %w", p.pct, len(samples), err)
		}
		out = append(out, Metric{Value: v, Unit: p.unit})
	}
	return out, nil
}
