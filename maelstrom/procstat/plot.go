package procstat

import (
	"errors"
	"fmt"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plot file names, written into the run directory.
const (
	RSSPlot       = "procs-rss.png"
	ThreadsPlot   = "procs-threads.png"
	FDsPlot       = "procs-fds.png"
	PerMinutePlot = "stable-latency-per-minute.png"
)

// WritePlots draws resident memory, threads and descriptors per node over
// time (one line per process: a restarted node starts a new line in the
// same colour), and stable latency median and max per minute.
func WritePlots(dir string, samples []Sample, minutes []Minute) error {
	var errs []error
	for _, f := range []struct {
		file, title, y string
		val            func(Sample) float64
	}{
		{RSSPlot, "Resident memory per node", "RSS (MB)", func(s Sample) float64 { return float64(s.RSS) / 1e6 }},
		{ThreadsPlot, "Threads per node (/proc/<pid>/status)", "threads", func(s Sample) float64 { return float64(s.Threads) }},
		{FDsPlot, "Open file descriptors per node (/proc/<pid>/fd)", "descriptors", func(s Sample) float64 { return float64(s.FDs) }},
	} {
		if err := save(filepath.Join(dir, f.file), seriesPlot(samples, f.title, f.y, f.val)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.file, err))
		}
	}
	p, err := minutesPlot(minutes)
	if err == nil {
		err = save(filepath.Join(dir, PerMinutePlot), p)
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", PerMinutePlot, err))
	}
	return errors.Join(errs...)
}

func seriesPlot(samples []Sample, title, ylabel string, val func(Sample) float64) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "time since start (s)"
	p.Y.Label.Text = ylabel
	p.Y.Min = 0
	p.Legend.Top, p.Legend.Left = true, true
	colour := map[string]int{}
	for _, in := range Instances(samples) {
		c, seen := colour[in.Node]
		if !seen {
			c = len(colour)
			colour[in.Node] = c
		}
		xys := make(plotter.XYs, len(in.Samples))
		for i, s := range in.Samples {
			xys[i] = plotter.XY{X: s.T, Y: val(s)}
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			continue
		}
		l.Color, pts.Color = plotutil.Color(c), plotutil.Color(c)
		pts.Shape, pts.Radius = draw.CircleGlyph{}, vg.Points(1.5)
		p.Add(l, pts)
		if !seen && len(colour) <= 10 {
			p.Legend.Add(in.Node, l)
		}
	}
	if len(colour) > 10 {
		p.Title.Text += fmt.Sprintf(" (%d nodes; legend shows 10)", len(colour))
	}
	return p
}

func minutesPlot(minutes []Minute) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Stable latency per minute (values by the minute they became known)"
	p.X.Label.Text = "minute of the run"
	p.Y.Label.Text = "stable latency (ms)"
	p.Y.Min = 0
	p.Legend.Top = true
	med, mx := make(plotter.XYs, len(minutes)), make(plotter.XYs, len(minutes))
	for i, m := range minutes {
		med[i] = plotter.XY{X: float64(m.Minute), Y: m.MedianMS}
		mx[i] = plotter.XY{X: float64(m.Minute), Y: m.MaxMS}
	}
	if len(minutes) == 0 {
		return p, nil
	}
	if err := plotutil.AddLinePoints(p, "median", med, "max", mx); err != nil {
		return nil, err
	}
	return p, nil
}

func save(path string, p *plot.Plot) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic while drawing: %v", r)
		}
	}()
	return p.Save(12*vg.Inch, 6*vg.Inch, path)
}
