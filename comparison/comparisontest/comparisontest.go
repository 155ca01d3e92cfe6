// Package comparisontest makes the earlier runs of a machine for tests
// of comparisons: copies of a result file whose rows drift between runs
// as a host's do.
package comparisontest

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Jittered returns n copies of the result file text raw, each row's
// ns/op figures multiplied by one factor per copy, exp(sd·z) with z
// standard normal from a fixed seed: the runs of a machine whose runs
// drift with that spread. Other lines are kept as they are.
func Jittered(raw string, n int, sd float64) ([]string, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]string, 0, n)
	for range n {
		factor := map[string]float64{}
		var b strings.Builder
		for _, line := range strings.SplitAfter(raw, "\n") {
			f := strings.Fields(line)
			if len(f) > 3 && strings.HasPrefix(f[0], "Benchmark") {
				if _, ok := factor[f[0]]; !ok {
					factor[f[0]] = math.Exp(sd * rng.NormFloat64())
				}
				for i := 2; i+1 < len(f); i += 2 {
					if f[i+1] == "ns/op" {
						v, err := strconv.ParseFloat(f[i], 64)
						if err != nil {
							return nil, err
						}
						f[i] = strconv.FormatFloat(v*factor[f[0]], 'f', 2, 64)
					}
				}
				line = strings.Join(f, "\t") + "\n"
			}
			b.WriteString(line)
		}
		out = append(out, b.String())
	}
	return out, nil
}
