package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
)

// File names Write produces.
const (
	LatencyRaw       = "latency-raw.png"
	LatencyQuantiles = "latency-quantiles.png"
	Rate             = "rate.png"
	StableLatency    = "stable-latency.png"
	Messages         = "messages.png"
)

// Files lists every plot Write produces, in order.
var Files = []string{LatencyRaw, LatencyQuantiles, Rate, StableLatency, Messages}

// Config sets the image geometry.
type Config struct {
	// Width and Height are the image size in pixels.
	Width, Height int
	// DPI scales fonts and lines; higher gives smaller text relative to
	// the image.
	DPI int
}

// DefaultConfig gives 1200x600 pixel images at 96 DPI.
func DefaultConfig() Config { return Config{Width: 1200, Height: 600, DPI: 96} }

func (c Config) validate() (Config, error) {
	d := DefaultConfig()
	if c.Width == 0 {
		c.Width = d.Width
	}
	if c.Height == 0 {
		c.Height = d.Height
	}
	if c.DPI == 0 {
		c.DPI = d.DPI
	}
	if c.Width < 300 || c.Height < 200 || c.DPI < 24 {
		return c, fmt.Errorf("plot: image %dx%d at %d DPI is too small", c.Width, c.Height, c.DPI)
	}
	return c, nil
}

// Write draws every plot into dir with DefaultConfig.
func Write(dir string, run history.Run, res checker.Results) error {
	return WriteWith(dir, run, res, DefaultConfig())
}

// WriteWith draws every plot into dir. Each plot is independent: one that
// fails (or panics inside gonum) is reported in the joined error and the
// others are still written.
func WriteWith(dir string, run history.Run, res checker.Results, cfg Config) error {
	cfg, err := cfg.validate()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	d := newData(run, res)
	draws := []struct {
		name string
		fn   func(*data) *figure
	}{
		{LatencyRaw, latencyRaw},
		{LatencyQuantiles, latencyQuantiles},
		{Rate, rate},
		{StableLatency, stableLatency},
		{Messages, messages},
	}
	var errs []error
	for _, dr := range draws {
		if err := render(filepath.Join(dir, dr.name), cfg, func() *figure { return dr.fn(d) }); err != nil {
			errs = append(errs, fmt.Errorf("plot: %s: %w", dr.name, err))
		}
	}
	return errors.Join(errs...)
}

// figure is a plot plus a legend drawn beside it (never over the data).
type figure struct {
	p      *plot.Plot
	legend plot.Legend
	// notes are extra legend lines without an icon (figures, caveats).
	notes []string
}

// render draws a figure to a PNG file, turning gonum panics into errors.
func render(path string, cfg Config, build func() *figure) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic while drawing: %v", r)
		}
	}()
	fig := build()
	wpt := vg.Length(cfg.Width) * vg.Inch / vg.Length(cfg.DPI)
	hpt := vg.Length(cfg.Height) * vg.Inch / vg.Length(cfg.DPI)
	img := vgimg.NewWith(vgimg.UseWH(wpt, hpt), vgimg.UseDPI(cfg.DPI))
	dc := draw.New(img)
	legendW := 2.3 * vg.Inch
	plotArea := draw.Crop(dc, 0, -legendW, 0, 0)
	fig.p.Draw(plotArea)

	legendArea := draw.Crop(dc, wpt-legendW+8, -6, 0, -0.55*vg.Inch)
	fig.legend.Top, fig.legend.Left = true, true
	fig.legend.Draw(legendArea)
	if len(fig.notes) > 0 {
		sty := fig.legend.TextStyle
		sty.XAlign = draw.XLeft
		lineH := sty.Rectangle("Xg").Size().Y * 1.25
		y := legendArea.Min.Y + lineH*vg.Length(len(fig.notes)) + 12
		for _, n := range fig.notes {
			legendArea.FillText(sty, vg.Point{X: legendArea.Min.X, Y: y}, n)
			y -= lineH
		}
	}

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Colours. Partitions are shaded #E9DCA0 as in Maelstrom's plots; node
// kills in a light rose.
var (
	partitionColor = rgb(0xE9, 0xDC, 0xA0)
	killColor      = rgb(0xF2, 0xB8, 0xC6)
	killAllColor   = rgb(0xE0, 0x8E, 0xA6)
	okColor        = rgb(0x2F, 0x7E, 0xD8)
	readOKColor    = rgb(0x1B, 0x9E, 0x77)
	infoColor      = rgb(0xF0, 0x9A, 0x00)
	failColor      = rgb(0xD8, 0x1B, 0x60)
	quantileColors = map[float64]color.Color{
		0.5: rgb(0x1B, 0x9E, 0x77), 0.95: rgb(0x2F, 0x7E, 0xD8),
		0.99: rgb(0xE6, 0x7E, 0x22), 1: rgb(0xC0, 0x1C, 0x28),
	}
)

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{R: r, G: g, B: b, A: 255} }

func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

// opColor colours ops by outcome; ok ops also by f (broadcast blue, read
// green), since they are the bulk of every plot.
func opColor(f string, t history.Type) color.Color {
	switch t {
	case history.OK:
		if f == "read" {
			return readOKColor
		}
		return okColor
	case history.Info:
		return infoColor
	default:
		return failColor
	}
}

// fGlyph gives each f its own point shape.
func fGlyph(f string) draw.GlyphDrawer {
	switch f {
	case "broadcast":
		return draw.CircleGlyph{}
	case "read":
		return draw.PyramidGlyph{}
	default:
		return draw.SquareGlyph{}
	}
}

// fDashes gives each f its own line dash.
func fDashes(f string) []vg.Length {
	if f == "read" {
		return []vg.Length{vg.Points(6), vg.Points(3)}
	}
	return nil
}

// newFigure makes a plot with the run's parameters in the title.
func newFigure(d *data, what, xlabel, ylabel string) *figure {
	p := plot.New()
	p.Title.Text = what + "\n" + d.params
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	fig := &figure{p: p, legend: plot.NewLegend()}
	fig.legend.ThumbnailWidth = vg.Points(18)
	return fig
}

// timeAxis sets the x axis to the run's span in seconds, shades the fault
// intervals and draws the grid over them (both before any data, so they
// sit behind it). Every figure calls it first.
func (f *figure) timeAxis(d *data) {
	f.p.X.Min, f.p.X.Max = 0, d.endS
	f.p.Add(&faultBands{faults: d.faults}, plotter.NewGrid())
	seen := map[string]bool{}
	for _, fl := range d.faults {
		label := faultLabel(fl.Kind)
		if !seen[label] {
			seen[label] = true
			f.legend.Add(label, swatch{faultColor(fl.Kind)})
		}
	}
}

func faultLabel(kind string) string {
	switch kind {
	case "partition":
		return "partition"
	case "kill-all":
		return "all nodes killed"
	case "kill":
		return "node killed"
	case "pause":
		return "node paused"
	}
	return kind
}

func faultColor(kind string) color.Color {
	switch kind {
	case "partition":
		return partitionColor
	case "kill-all":
		return killAllColor
	case "pause":
		return pauseColor
	default:
		return killColor
	}
}

// faultBands shades each fault interval over the whole height of the plot.
type faultBands struct{ faults []history.Interval }

// Plot implements plot.Plotter.
func (b *faultBands) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, f := range b.faults {
		x0 := trX(float64(f.Start) / 1e9)
		x1 := c.Max.X // an interval still open (End < Start) runs to the end
		if f.End >= f.Start {
			x1 = trX(float64(f.End) / 1e9)
		}
		x0 = max(x0, c.Min.X)
		x1 = min(x1, c.Max.X)
		if x1 <= x0 {
			x1 = min(x0+1, c.Max.X) // an instant still shows as a thin band
			if x1 <= x0 {
				continue
			}
		}
		c.FillPolygon(withAlpha(faultColor(f.Kind), 200), []vg.Point{
			{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y},
		})
	}
}

// swatch is a legend icon: a filled rectangle.
type swatch struct{ c color.Color }

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.c, []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y},
	})
}

// logY sets a log latency axis over [lo, hi] ms, widened to whole decades.
func logY(p *plot.Plot, lo, hi float64) {
	if !(lo > 0) || math.IsInf(lo, 0) {
		lo = 0.1
	}
	if !(hi > lo) || math.IsInf(hi, 0) {
		hi = lo * 10
	}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.Y.Min = math.Pow(10, math.Floor(math.Log10(lo)+1e-9))
	p.Y.Max = math.Pow(10, math.Ceil(math.Log10(hi)-1e-9))
}

// logTicks marks every 1..9 × 10^k, labelling decades, and 2 and 5 too
// when the range spans at most three decades. (gonum's LogTicks can miss the
// lowest decade label through rounding in Log10.)
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(min, max float64) []plot.Tick {
	lo := int(math.Floor(math.Log10(min) + 1e-9))
	hi := int(math.Ceil(math.Log10(max) - 1e-9))
	dense := hi-lo <= 3
	var ticks []plot.Tick
	for k := lo; k <= hi; k++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, float64(k))
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (dense && (m == 2 || m == 5)) {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// bucketWidth picks a bucket width in seconds giving at least ~15 buckets
// over span seconds, from a list of round widths (Maelstrom uses 10 s for
// rates and 30 s for quantiles, too coarse for a 20 s run).
func bucketWidth(span, preferred float64) float64 {
	if span/preferred >= 15 {
		return preferred
	}
	for _, w := range []float64{30, 10, 5, 2, 1, 0.5, 0.25, 0.1} {
		if w <= preferred && span/w >= 15 {
			return w
		}
	}
	return 0.1
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func secondsLabel(s float64) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.2f", s), "0"), ".0")
}
