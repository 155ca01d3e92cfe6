package report

import (
	"fmt"
	"os"
	"strings"
)

// Options configure Write.
type Options struct {
	// Title heads report.md; empty gives a default.
	Title string
	// Baseline, if set, is compared with the data: compare.png and a
	// table in report.md.
	Baseline *Data
	// Alpha is the U test's level for the comparison (default 0.05).
	Alpha float64
	// Threshold is the smallest change called a regression or
	// improvement, as a fraction (default 0.05 = 5%).
	Threshold float64
}

func (o Options) alpha() float64 {
	if o.Alpha == 0 {
		return 0.05
	}
	return o.Alpha
}

func (o Options) threshold() float64 {
	if o.Threshold == 0 {
		return 0.05
	}
	return o.Threshold
}

// chartTitles name the charts in report.md, in the order written.
var chartOrder = []struct{ file, title, caption string }{
	{"creation.png", "Creation cost by style", "Median cost of one create + exit + reap/join per style, log scale, with 95% confidence intervals."},
	{"cloneflags.png", "Clone flags, one resource at a time", "Each step adds (or drops) flags on the way from fork's set to a thread's; the label gives the cost and the step from the set before."},
	{"fork-rss.png", "Creation cost against parent RSS", "fork copies page tables in proportion to what the parent has touched; the legend gives each fitted slope in µs per MiB."},
	{"switch.png", "Context switch: process vs thread", "Per-switch cost with both tasks on one CPU; the shaded band is the documented 2.7–5.48 µs per process switch, the dashed line the documented 3.8 µs per thread switch."},
	{"switch-ws.png", "Context switch against working set", "Each side touches its working set between round trips; processes refill cache and TLB after a switch, threads share the address space."},
	{"distribution.png", "Creation latency distributions", "Spread of the per-sample means (boxes) and each sample's per-op p50 and p99."},
	{"compare.png", "Change against the baseline", "Percent change of each row's median; red rows are significant regressions beyond the threshold."},
	{"hosts.png", "Machines side by side", "The headline rows on each machine in the input."},
}

// Write draws the charts and report.md for d into dir (created if needed)
// and returns the paths written. Each file goes through a temporary file
// and a rename. A chart whose rows are absent is not written; report.md
// says why.
func Write(dir string, d *Data, opts Options) ([]string, error) {
	if d == nil || len(d.Rows) == 0 {
		return nil, fmt.Errorf("report: nothing to write: %w", ErrNoResults)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	figs, notes, deltas, cmpErr, err := build(d, opts)
	if err != nil {
		return nil, err
	}
	var written []string
	for _, f := range figs {
		png, err := f.render()
		if err != nil {
			return written, err
		}
		path, err := writeAtomic(dir, f.name, png)
		if err != nil {
			return written, err
		}
		written = append(written, path)
	}
	md := markdown(d, opts, notes, deltas, cmpErr)
	path, err := writeAtomic(dir, "report.md", []byte(md))
	if err != nil {
		return written, err
	}
	return append(written, path), nil
}

// build makes every figure that has data and a note for every chart.
func build(d *Data, opts Options) (figs []*figure, notes []chartNote, deltas []Delta, cmpErr error, err error) {
	h := d.primary()
	for _, c := range chartOrder {
		var f *figure
		var reason string
		switch c.file {
		case "creation.png":
			f, reason, err = creationChart(d, h)
		case "cloneflags.png":
			f, reason, err = cloneFlagsChart(d, h)
		case "fork-rss.png":
			f, reason, err = forkRSSChart(d, h)
		case "switch.png":
			f, reason, err = switchChart(d, h)
		case "switch-ws.png":
			f, reason, err = switchWSChart(d, h)
		case "distribution.png":
			f, reason, err = distributionChart(d, h)
		case "compare.png":
			if opts.Baseline == nil {
				reason = "no baseline given"
				break
			}
			deltas, cmpErr = Compare(opts.Baseline, d, opts.alpha(), opts.threshold())
			if cmpErr != nil {
				reason = cmpErr.Error()
				break
			}
			f, reason, err = compareChart(deltas, opts.Baseline.primary(), h, opts.threshold())
		case "hosts.png":
			f, reason, err = hostsChart(d)
		}
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("report: %s: %w", c.file, err)
		}
		n := chartNote{file: c.file, title: c.title, caption: c.caption, drawn: f != nil, reason: reason}
		if f != nil {
			if strings.Contains(f.p.Title.Text, "SIMULATED") {
				n.title += " (simulated)"
				n.caption += " Simulated figures: from the simulated kernel, not measured."
			}
			figs = append(figs, f)
		}
		notes = append(notes, n)
	}
	return figs, notes, deltas, cmpErr, nil
}
