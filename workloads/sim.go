package workloads

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/simkernel"
)

// Simulated rows: every row of the kernel families also runs on
// simkernel, the simulated Linux task model with its calibrated cost model.
// Its figures are virtual time in units of their own ("sim-ns/op",
// "sim-p50-ns", "sim-ns/switch", …), so benchstat never compares them with
// real ones; counts (ctxsw/op) keep their unit and travel with the
// "kernel: sim" config line runbench prints.

var simProfile struct {
	sync.Mutex
	p   simkernel.Profile
	set bool
}

// SetSimProfile makes the simulated rows use p (runbench -profile) instead
// of simkernel.DefaultProfile.
func SetSimProfile(p simkernel.Profile) {
	simProfile.Lock()
	defer simProfile.Unlock()
	simProfile.p, simProfile.set = p, true
}

// SimProfile is the profile the simulated rows use.
func SimProfile() simkernel.Profile {
	simProfile.Lock()
	defer simProfile.Unlock()
	if !simProfile.set {
		simProfile.p, simProfile.set = simkernel.DefaultProfile(), true
	}
	return simProfile.p
}

// attachSim sets Row.Sim on every row of a simulated family. Catalogue
// calls it on its copy, after every family file has registered.
func attachSim(rows []Row) {
	for i := range rows {
		if !rows[i].Family().Simulated() {
			continue
		}
		spec := rows[i].Spec
		if slices.Contains(topologyCPUs, spec.CPU) {
			rows[i].NoSim = noSimTopology
			continue
		}
		rows[i].Sim = func(n int) (Result, error) { return runSim(spec, n) }
	}
}

// noSimTopology is why the topology placements have no simulated rows:
// simkernel's scheduler knows one CPU and "another CPU" (a wake-up IPI
// cost), not cores, caches or nodes, so a cpu=smt or cpu=xnode figure from
// it would only repeat cpu=cross under another name.
const noSimTopology = "simkernel models no SMT, cache or NUMA topology (a cross-CPU wake has one cost), so it has no figure for this placement"

func runSim(spec rowspec.Spec, n int) (Result, error) {
	r, err := simkernel.Run(SimProfile(), spec, n)
	if err != nil {
		// simkernel's errors start "simkernel: row NAME:", which says
		// both which row and that it was the simulated one.
		return Result{}, err
	}
	// No Samples: simkernel keeps none (its percentiles come as metrics),
	// so a harness may ask for millions of cheap simulated ops.
	res := Result{N: r.N, Elapsed: virtual(r.Elapsed), Unit: rowspec.UnitSimNsOp}
	for _, m := range r.Metrics {
		res.Metrics = append(res.Metrics, Metric{Value: m.Value, Unit: m.Unit})
	}
	return res, nil
}

// virtual turns virtual nanoseconds into a Duration, rounded, so a
// Result's Elapsed carries the simulated time.
func virtual(ns float64) time.Duration { return time.Duration(math.Round(ns)) }
