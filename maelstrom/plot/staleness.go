package plot

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"broadcast/maelstrom/checker/staleness"
)

// Colours of the staleness marks and of pause intervals.
var (
	reachableColor = rgb(0x6A, 0x3D, 0x9A)
	afterHealColor = rgb(0x00, 0x8B, 0x8B)
	pauseColor     = rgb(0xB8, 0xD4, 0xF0)
)

// stalenessMark is one horizontal mark on the stable-latency figure.
type stalenessMark struct {
	label string
	ms    int64
	style draw.LineStyle
}

// stalenessMarks are the marks for the two staleness figures, p95 and max
// of each, labelled "reachable ..." (staleness while reachable) and "after
// heal ..." to fit the legend.
func stalenessMarks(d *data) []stalenessMark {
	st := d.res.Bench.Staleness
	if st == nil {
		return nil
	}
	var out []stalenessMark
	for _, f := range []struct {
		name string
		fig  staleness.Figure
		c    color.Color
	}{
		{"reachable", st.Reachable, reachableColor},
		{"after heal", st.AfterHeal, afterHealColor},
	} {
		for _, q := range []float64{0.95, 1} {
			v, ok := f.fig.At(q)
			if !ok {
				continue
			}
			dash := []vg.Length{vg.Points(1.5), vg.Points(2.5)}
			name := "p95"
			if q == 1 {
				dash, name = []vg.Length{vg.Points(7), vg.Points(2), vg.Points(1.5), vg.Points(2)}, "max"
			}
			out = append(out, stalenessMark{label: fmt.Sprintf("%s %s %d ms", f.name, name, v), ms: v,
				style: draw.LineStyle{Color: f.c, Width: vg.Points(1.4), Dashes: dash}})
		}
	}
	return out
}

// stalenessTop returns the highest staleness mark, so that the y axis can
// show it.
func stalenessTop(d *data, ymax float64) float64 {
	for _, m := range stalenessMarks(d) {
		ymax = max(ymax, float64(m.ms))
	}
	return ymax
}

// addStalenessMarks draws the staleness marks across the figure.
func addStalenessMarks(fig *figure, d *data) {
	for _, m := range stalenessMarks(d) {
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: float64(m.ms)}, {X: d.endS, Y: float64(m.ms)}})
		if err != nil {
			panic(err)
		}
		l.LineStyle = m.style
		fig.p.Add(l)
		fig.legend.Add(m.label, l)
	}
}
