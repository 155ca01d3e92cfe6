package history

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/clonebench/clonebench/internal/chartkit"
	"github.com/clonebench/clonebench/resultfile"
)

// maxChartRows bounds the lines of one chart: past that a legend is
// unreadable. Rows with a change point come first, then headline rows.
const maxChartRows = 8

// WriteCharts draws one trend chart per machine and family into dir,
// history-HOST-FAMILY.png, and returns the file names. Each row is drawn
// relative to the mean of its first segment, so rows of different scales
// share an axis and a 5% step looks like one: the median per run with its
// 95% interval, and a ring at each run where a change point starts (red a
// regression, green an improvement).
func WriteCharts(dir string, machines []*Machine) ([]string, error) {
	var names []string
	for mi, m := range machines {
		host := m.Host
		if host == "" {
			host = fmt.Sprintf("machine%d", mi+1)
		}
		var families []string
		byFam := map[string][]*Series{}
		for _, s := range m.Series {
			if len(s.Points) == 0 {
				continue
			}
			if _, ok := byFam[s.Family]; !ok {
				families = append(families, s.Family)
			}
			byFam[s.Family] = append(byFam[s.Family], s)
		}
		for _, fam := range families {
			name := fmt.Sprintf("history-%s-%s.png", sanitize(host), sanitize(fam))
			png, err := chart(m, fam, byFam[fam])
			if err != nil {
				return names, fmt.Errorf("history: %s: %w", name, err)
			}
			if err := writeReplace(filepath.Join(dir, name), png); err != nil {
				return names, err
			}
			names = append(names, name)
		}
	}
	return names, nil
}

func chart(m *Machine, fam string, series []*Series) ([]byte, error) {
	// Rows with changes first, then headlines, then the rest, each in
	// file order.
	var pick []*Series
	for pass := 0; pass < 3; pass++ {
		for _, s := range series {
			want := (pass == 0 && len(s.Changes) > 0) ||
				(pass == 1 && len(s.Changes) == 0 && s.Headline) ||
				(pass == 2 && len(s.Changes) == 0 && !s.Headline)
			if want && len(pick) < maxChartRows {
				pick = append(pick, s)
			}
		}
	}
	palette := chartkit.Palette()
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s on %s", fam, m.Host)
	p.X.Label.Text = "run"
	p.Y.Label.Text = "median and 95% CI, % of the first segment's mean"
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	for i, s := range pick {
		first := len(s.Points)
		if len(s.Changes) > 0 {
			first = s.Changes[0].At
		}
		ref, _ := meanSD(s.Medians()[:first])
		col := palette[i%len(palette)]
		pts := make(plotter.XYs, len(s.Points))
		cis := make([]chartkit.Point, len(s.Points))
		for j, pt := range s.Points {
			pts[j] = plotter.XY{X: float64(pt.Run + 1), Y: pt.Median / ref * 100}
			cis[j] = chartkit.Point{X: pts[j].X, Y: pts[j].Y, Lo: pt.Lo / ref * 100, Hi: pt.Hi / ref * 100}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.Color = col
		p.Add(line)
		bars, err := chartkit.CIBars(cis, col, vg.Points(3))
		if err != nil {
			return nil, err
		}
		if bars != nil {
			p.Add(bars)
		}
		p.Legend.Add(s.Name, line)
		for _, c := range s.Changes {
			cp, err := plotter.NewScatter(plotter.XYs{pts[c.At]})
			if err != nil {
				return nil, err
			}
			cp.GlyphStyle = draw.GlyphStyle{Shape: draw.RingGlyph{}, Radius: vg.Points(6), Color: chartkit.Improve}
			if meanOf(s, c.After) > meanOf(s, c.Before) {
				cp.GlyphStyle.Color = chartkit.Regress
			}
			p.Add(cp)
		}
	}
	// Headroom for the legend, so it never covers the newest runs.
	p.Y.Max += (p.Y.Max - p.Y.Min) * 0.07 * float64(len(pick))
	if n := len(series) - len(pick); n > 0 {
		p.Title.Text += fmt.Sprintf(" (%d rows without a change point not drawn)", n)
	}
	h := 4*vg.Inch + vg.Length(len(pick))*0.18*vg.Inch
	c := chartkit.Canvas(8*vg.Inch, h)
	p.Draw(draw.New(c))
	return chartkit.PNG(c)
}

func meanOf(s *Series, r [2]int) float64 {
	m, _ := meanSD(s.Medians()[r[0]:r[1]])
	return m
}

// sanitize keeps a host or family name safe as part of a file name.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, s)
}

// Write writes history.md and the charts into dir, and returns the
// verdict's findings and the files written.
func Write(dir string, machines []*Machine, sum Summary) ([]Finding, []string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	charts, err := WriteCharts(dir, machines)
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	v := WriteMarkdown(&b, machines, sum, charts)
	if err := writeReplace(filepath.Join(dir, "history.md"), b.Bytes()); err != nil {
		return nil, nil, err
	}
	return v, append([]string{"history.md"}, charts...), nil
}

// writeReplace writes one file of -o DIR with resultfile.WriteReplace:
// history -o redraws the same runs' view into one directory night after
// night, so its files are replaced, atomically, never left half-written.
func writeReplace(path string, data []byte) error {
	return resultfile.WriteReplace(path, func(w io.Writer) error { _, err := w.Write(data); return err })
}
