package plot

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/quantile"
)

var types = []history.Type{history.OK, history.Info, history.Fail}

// minLatencyMS is the floor of the log latency axes: faster ops are drawn
// on it.
const minLatencyMS = 0.01

// latencyRaw: every client op's latency against its invocation time, colour
// by outcome, shape by f, log y, as Maelstrom's latency-raw.png.
func latencyRaw(d *data) *figure {
	fig := newFigure(d, "Client operation latency (every op)", "time since start (s)", "latency (ms, log scale)")
	fig.timeAxis(d)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, f := range d.fs {
		for _, t := range types {
			var xys plotter.XYs
			for _, o := range d.ops {
				if o.f == f && o.typ == t {
					y := math.Max(o.latMS, minLatencyMS)
					xys = append(xys, plotter.XY{X: o.invokeS, Y: y})
					lo, hi = math.Min(lo, y), math.Max(hi, y)
				}
			}
			if len(xys) == 0 {
				continue
			}
			s, err := plotter.NewScatter(xys)
			if err != nil {
				panic(err)
			}
			s.GlyphStyle = draw.GlyphStyle{Color: withAlpha(opColor(f, t), 170), Radius: vg.Points(2.2), Shape: fGlyph(f)}
			fig.p.Add(s)
			fig.legend.Add(fmt.Sprintf("%s %s (%d)", f, t, len(xys)), s)
		}
	}
	if len(d.ops) == 0 {
		fig.notes = append(fig.notes, "no client operations")
	}
	logY(fig.p, lo, hi)
	fig.p.X.Min, fig.p.X.Max = 0, d.endS
	return fig
}

// latencyQuantiles: latency quantiles 0.5, 0.95, 0.99, 1 of ok ops per f in
// time buckets; colour by quantile, dash by f.
func latencyQuantiles(d *data) *figure {
	width := bucketWidth(d.endS, 30)
	fig := newFigure(d, fmt.Sprintf("Client latency quantiles, ok ops, %s s buckets", secondsLabel(width)),
		"time since start (s)", "latency (ms, log scale)")
	fig.timeAxis(d)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, f := range d.fs {
		buckets := map[int][]float64{}
		for _, o := range d.ops {
			if o.f == f && o.typ == history.OK {
				b := int(o.invokeS / width)
				buckets[b] = append(buckets[b], o.latMS)
			}
		}
		if len(buckets) == 0 {
			continue
		}
		keys := make([]int, 0, len(buckets))
		for b := range buckets {
			keys = append(keys, b)
			sort.Float64s(buckets[b])
		}
		sort.Ints(keys)
		for _, q := range []float64{0.5, 0.95, 0.99, 1} {
			// One line per run of consecutive non-empty buckets, so that
			// quiet stretches (the 10 s before the final reads) stay gaps.
			var segs []plotter.XYs
			for i, b := range keys {
				if i == 0 || b != keys[i-1]+1 {
					segs = append(segs, nil)
				}
				s := buckets[b]
				y := math.Max(s[quantile.Index(len(s), q)], minLatencyMS)
				segs[len(segs)-1] = append(segs[len(segs)-1], plotter.XY{X: (float64(b) + 0.5) * width, Y: y})
				lo, hi = math.Min(lo, y), math.Max(hi, y)
			}
			c := quantileColors[q]
			for i, xys := range segs {
				l, pts, err := plotter.NewLinePoints(xys)
				if err != nil {
					panic(err)
				}
				l.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1.6), Dashes: fDashes(f)}
				pts.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.4), Shape: fGlyph(f)}
				fig.p.Add(l, pts)
				if i == 0 {
					fig.legend.Add(fmt.Sprintf("%s p%s", f, quantileName(q)), l, pts)
				}
			}
		}
	}
	if len(d.ops) == 0 {
		fig.notes = append(fig.notes, "no client operations")
	}
	logY(fig.p, lo, hi)
	fig.p.X.Min, fig.p.X.Max = 0, d.endS
	return fig
}

func quantileName(q float64) string {
	if q == 1 {
		return "100 (max)"
	}
	return fmt.Sprintf("%g", q*100)
}

// rate: completions per second per f and outcome, in time buckets.
func rate(d *data) *figure {
	width := bucketWidth(d.endS, 10)
	fig := newFigure(d, fmt.Sprintf("Throughput by completion, %s s buckets", secondsLabel(width)),
		"time since start (s)", "operations per second")
	fig.timeAxis(d)
	n := int(math.Ceil(d.endS/width)) + 1
	ymax := 1.0
	for _, f := range d.fs {
		for _, t := range types {
			counts := make([]float64, n)
			any := false
			for _, o := range d.ops {
				if o.f == f && o.typ == t {
					b := min(int(o.doneS/width), n-1)
					counts[b]++
					any = true
				}
			}
			if !any {
				continue
			}
			var xys plotter.XYs
			for b, c := range counts {
				if float64(b)*width > d.endS {
					break
				}
				xys = append(xys, plotter.XY{X: (float64(b) + 0.5) * width, Y: c / width})
				ymax = math.Max(ymax, c/width)
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				panic(err)
			}
			l.LineStyle = draw.LineStyle{Color: opColor(f, t), Width: vg.Points(1.6), Dashes: fDashes(f)}
			fig.p.Add(l)
			fig.legend.Add(fmt.Sprintf("%s %s", f, t), l)
		}
	}
	if len(d.ops) == 0 {
		fig.notes = append(fig.notes, "no client operations")
	}
	fig.p.Y.Min, fig.p.Y.Max = 0, ymax*1.08
	fig.p.X.Min, fig.p.X.Max = 0, d.endS
	return fig
}

// stableLatency: each element's stable latency against the time it became
// known (acknowledged, or first seen in a read); lost elements at their lost
// latency, never-read ones on the axis; median and max as lines.
func stableLatency(d *data) *figure {
	fig := newFigure(d, "Stable latency per broadcast value (Maelstrom :stable-latencies)",
		"time value became known: ack or first read (s)", "stable latency (ms)")
	fig.timeAxis(d)
	w := d.res.Workload
	var stable, lost, never plotter.XYs
	ymax := 1.0
	for _, e := range w.Elements {
		switch {
		case e.StableLatency != nil && e.Known != nil:
			y := float64(*e.StableLatency)
			stable = append(stable, plotter.XY{X: float64(e.Known.Time) / 1e9, Y: y})
			ymax = math.Max(ymax, y)
		case e.LostLatency != nil && e.Known != nil:
			lost = append(lost, plotter.XY{X: float64(e.Known.Time) / 1e9})
		}
	}
	ymax = stalenessTop(d, ymax)
	// Lost values go in a row along the top, so that their (much larger,
	// differently defined) lost latencies do not squash the stable ones.
	top := ymax * 1.08
	for i := range lost {
		lost[i].Y = top
	}
	// Never-read values have no known time unless acked; place them at
	// their broadcast invocation.
	for _, e := range w.Elements {
		if e.Outcome == "never-read" {
			never = append(never, plotter.XY{X: float64(e.Invoked) / 1e9, Y: 0})
		}
	}
	addScatter := func(xys plotter.XYs, label string, sty draw.GlyphStyle) {
		if len(xys) == 0 {
			return
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			panic(err)
		}
		s.GlyphStyle = sty
		fig.p.Add(s)
		fig.legend.Add(fmt.Sprintf("%s (%d)", label, len(xys)), s)
	}
	addScatter(never, "never read", draw.GlyphStyle{Color: rgb(0x88, 0x88, 0x88), Radius: vg.Points(2.5), Shape: draw.RingGlyph{}})
	addScatter(stable, "stable", draw.GlyphStyle{Color: withAlpha(okColor, 170), Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}})
	addScatter(lost, "LOST, along top", draw.GlyphStyle{Color: failColor, Radius: vg.Points(4), Shape: draw.CrossGlyph{}})

	for _, q := range []float64{0.5, 1} {
		v, ok := w.StableLatencies.At(q)
		if !ok {
			continue
		}
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: float64(v)}, {X: d.endS, Y: float64(v)}})
		if err != nil {
			panic(err)
		}
		l.LineStyle = draw.LineStyle{Color: quantileColors[q], Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
		fig.p.Add(l)
		name := "median"
		if q == 1 {
			name = "max"
		}
		fig.legend.Add(fmt.Sprintf("%s %d ms", name, v), l)
	}
	addStalenessMarks(fig, d)
	fig.notes = append(fig.notes,
		fmt.Sprintf("attempts %d  stable %d", w.AttemptCount, w.StableCount),
		fmt.Sprintf("lost %d  never read %d", w.LostCount, w.NeverReadCount),
		fmt.Sprintf("stale %d", w.StaleCount))
	if ack, ok := d.res.Bench.Latency["broadcast"].At(0.5); ok {
		fig.notes = append(fig.notes, fmt.Sprintf("broadcast ack p50 %.1f ms", ack))
	}
	if v, ok := w.LostLatencies.At(1); ok {
		fig.notes = append(fig.notes, fmt.Sprintf("max lost latency %d ms", v))
	}
	if w.AttemptCount == 0 {
		fig.notes = append(fig.notes, "no broadcasts")
	}
	fig.p.Y.Min, fig.p.Y.Max = 0, top*1.04
	fig.p.X.Min, fig.p.X.Max = 0, d.endS
	return fig
}

// messages: messages sent per second (server, client) and server messages
// dropped, from the run's series.
func messages(d *data) *figure {
	fig := newFigure(d, "Network messages sent per second", "time since start (s)", "messages per second")
	fig.timeAxis(d)
	width := float64(d.run.SeriesWidth) / 1e9
	ymax := 1.0
	if width > 0 && len(d.run.Series) > 0 {
		series := []struct {
			label string
			get   func(history.Sample) int64
			sty   draw.LineStyle
		}{
			{"server→server", func(s history.Sample) int64 { return s.ServerMsgs }, draw.LineStyle{Color: okColor, Width: vg.Points(1.6)}},
			{"client↔server", func(s history.Sample) int64 { return s.ClientMsgs }, draw.LineStyle{Color: rgb(0x1B, 0x9E, 0x77), Width: vg.Points(1.6)}},
			{"dropped", func(s history.Sample) int64 { return s.Dropped }, draw.LineStyle{Color: failColor, Width: vg.Points(1.6), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}},
		}
		for _, sr := range series {
			var xys plotter.XYs
			var total int64
			for _, s := range d.run.Series {
				v := sr.get(s)
				total += v
				y := float64(v) / width
				xys = append(xys, plotter.XY{X: float64(s.Time)/1e9 + width/2, Y: y})
				ymax = math.Max(ymax, y)
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				panic(err)
			}
			l.LineStyle = sr.sty
			fig.p.Add(l)
			fig.legend.Add(fmt.Sprintf("%s (%d)", sr.label, total), l)
		}
	} else {
		fig.notes = append(fig.notes, "no message series recorded")
	}
	n := d.res.Net
	if n.Servers.HasMsgsPerOp {
		fig.notes = append(fig.notes, fmt.Sprintf("servers msgs-per-op %.2f", n.Servers.MsgsPerOp))
	}
	if n.All.HasMsgsPerOp {
		fig.notes = append(fig.notes, fmt.Sprintf("all msgs-per-op %.2f", n.All.MsgsPerOp))
	}
	fig.p.Y.Min, fig.p.Y.Max = 0, ymax*1.08
	fig.p.X.Min, fig.p.X.Max = 0, d.endS
	return fig
}
