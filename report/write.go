package report

import (
	"fmt"
	"os"

	"github.com/clonebench/clonebench/comparison"
)

// Options configure Write.
type Options struct {
	// Title heads report.md; empty gives a default.
	Title string
	// Comparison, if set, is the comparison with a baseline that
	// compare.png and report.md's comparison section show. The report
	// never compares on its own: what it shows is what runbench printed
	// and what decided the exit code.
	Comparison *comparison.Comparison
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
	figs, notes, err := build(d, opts)
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
	md := markdown(d, opts, notes)
	path, err := writeAtomic(dir, "report.md", []byte(md))
	if err != nil {
		return written, err
	}
	return append(written, path), nil
}

// build makes every figure the data supports and a note for every chart.
func build(d *Data, opts Options) (figs []*figure, notes []chartNote, err error) {
	in := &chartData{d: d, h: d.primary(), cmp: opts.Comparison}
	for _, c := range charts {
		n := chartNote{file: c.file, title: c.title, caption: c.caption}
		ok, why := c.supports(in)
		if !ok {
			n.reason = why
			notes = append(notes, n)
			continue
		}
		sim := c.simulated != nil && c.simulated(in)
		f, err := c.draw(in, sim)
		if err != nil {
			return nil, nil, fmt.Errorf("report: %s: %w", c.file, err)
		}
		f.name = c.file
		if sim {
			n.title += " (simulated)"
			n.caption += " Simulated figures: from the simulated kernel, not measured."
		}
		if f.placement != "" {
			n.title += ", " + f.placement
			n.caption += " Placement: " + f.placement + "."
		}
		n.drawn = true
		figs = append(figs, f)
		notes = append(notes, n)
	}
	return figs, notes, nil
}
