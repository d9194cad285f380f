package tests

import (
	"encoding/json"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"broadcast/gossip"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// This file measures the node against the targets of the message limit
// (msgs-per-op, stable latency median and max) on the bench, and draws the
// sweep of the relay window. Both are benchmarks (just bench): they measure
// and print, they assert nothing.

// figures is what one bench run measured.
type figures struct {
	msgsPerOp, p50, max float64 // stable latency, ms
	ackP99, cpu         float64 // broadcast_ok p99 ms, node CPU s (all nodes)
	opsPerSec           float64 // client operations per second reached
	valid               bool
}

// measure runs the bench with args, the node with node flags.
func measure(tb testing.TB, node []string, args ...string) figures {
	tb.Helper()
	full := append(slices.Clone(args), "--")
	r := runBench(tb, append(full, node...)...)
	res := r.Results
	f := figures{
		msgsPerOp: num(get(res, "net", "servers", "msgs-per-op")),
		p50:       num(get(res, "workload", "stable-latencies", "0.5")),
		max:       num(get(res, "workload", "stable-latencies", "1")),
		ackP99:    num(get(res, "bench", "client-latency-ms", "broadcast", "quantiles", "0.99")),
		valid:     get(res, "valid?") == true,
	}
	if b, err := os.ReadFile(filepath.Join(r.Dir, "bench.json")); err == nil {
		var bj map[string]any
		if json.Unmarshal(b, &bj) == nil {
			f.cpu = num(bj["nodes-cpu-seconds"])
		}
	}
	if tl := argValue(args, "--time-limit"); tl > 0 {
		f.opsPerSec = num(get(res, "stats", "count")) / tl
	}
	return f
}

func argValue(args []string, name string) float64 {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			v, _ := strconv.ParseFloat(args[i+1], 64)
			return v
		}
	}
	return 0
}

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// standardRun is the 3d/3e run without faults.
var standardRun = []string{"--node-count", "25", "--time-limit", "20", "--rate", "100", "--latency", "100"}

// BenchmarkTargets runs each setting of the message-limit table on the
// bench with seeds 1-3 and prints every seed's figures and the median next
// to the target.
func BenchmarkTargets(b *testing.B) {
	targets := []struct {
		name             string
		node, args       []string
		msgs, p50, maxMs float64
	}{
		{"default, standard run", nil, standardRun, 1.0, 300, 500},
		{"latency first, standard run", []string{"-latency-first"}, standardRun, 12.0, 80, 105},
		{"default, 100 nodes, rate 1000", nil, []string{"--node-count", "100", "--time-limit", "20", "--rate", "1000", "--latency", "100"}, 0.6, 300, 500},
	}
	var out strings.Builder
	fmt.Fprintf(&out, "\n%-30s %5s %8s %7s %7s %8s %6s %6s %s\n", "setting", "seed", "msgs/op", "p50 ms", "max ms", "ack p99", "cpu s", "ops/s", "valid")
	for _, tg := range targets {
		var m, p, x []float64
		for seed := 1; seed <= 3; seed++ {
			f := measure(b, tg.node, append(slices.Clone(tg.args), "--seed", strconv.Itoa(seed))...)
			m, p, x = append(m, f.msgsPerOp), append(p, f.p50), append(x, f.max)
			fmt.Fprintf(&out, "%-30s %5d %8.2f %7.0f %7.0f %8.1f %6.2f %6.0f %v\n", tg.name, seed, f.msgsPerOp, f.p50, f.max, f.ackP99, f.cpu, f.opsPerSec, f.valid)
		}
		fmt.Fprintf(&out, "%-30s %5s %8s %7s %7s   median, target in brackets\n", "", "", "", "", "")
		fmt.Fprintf(&out, "%-30s %5s %8s %7s %7s\n", tg.name, "med",
			fmt.Sprintf("%.2f(%.1f)", median(m), tg.msgs), fmt.Sprintf("%.0f(%.0f)", median(p), tg.p50), fmt.Sprintf("%.0f(%.0f)", median(x), tg.maxMs))
	}
	// The whole table on stdout: a benchmark's log is cut after ten lines.
	fmt.Print(out.String())
}

// peer is a published solution's point on the trade-off.
type peer struct {
	name           string
	msgs, p50, max float64
}

// peers: measured side by side on an independent checker, and as published.
var peers = []peer{
	{"teivah", 1.72, 764, 1084}, {"teivah (published)", 1.92, 764, 1087},
	{"mdvsh", 9.46, 554, 1059}, {"mdvsh (published)", 10.81, 564, 1077},
	{"fersilva16", 11.82, 73, 116}, {"fersilva16 (published)", 11.79, 84, 105},
	{"dstdfx", 14.02, 80, 101}, {"dstdfx (published)", 14.73, 78, 102},
}

// BenchmarkSweepWindow runs the standard run (seeds 1-3) at several relay
// windows and with the latency-first setting, prints every seed's figures
// and their medians, and draws the medians (msgs-per-op against median and
// max stable latency), with the peers, to docs/sweep.png (SWEEP_PNG
// overrides the path).
func BenchmarkSweepWindow(b *testing.B) {
	windows := []int{20, 26, 32, 38, 44, 50}
	var med, mx plotter.XYs
	var wlabels []string
	var out strings.Builder
	fmt.Fprintf(&out, "\n%-16s %5s %8s %7s %7s\n", "window (ticks)", "seed", "msgs/op", "p50 ms", "max ms")
	// point runs node with seeds 1-3 and returns the medians (zero if a
	// run failed).
	point := func(name string, node []string) figures {
		var m, p, x []float64
		for seed := 1; seed <= 3; seed++ {
			f := measure(b, node, append(slices.Clone(standardRun), "--seed", strconv.Itoa(seed))...)
			fmt.Fprintf(&out, "%-16s %5d %8.2f %7.0f %7.0f valid=%v\n", name, seed, f.msgsPerOp, f.p50, f.max, f.valid)
			fmt.Printf("sweep: %s, seed %d: %.2f msgs/op, %.0f / %.0f ms, valid %v\n", name, seed, f.msgsPerOp, f.p50, f.max, f.valid)
			if f.msgsPerOp <= 0 || f.p50 <= 0 || f.max <= 0 {
				return figures{}
			}
			m, p, x = append(m, f.msgsPerOp), append(p, f.p50), append(x, f.max)
		}
		f := figures{msgsPerOp: median(m), p50: median(p), max: median(x)}
		fmt.Fprintf(&out, "%-16s %5s %8.2f %7.0f %7.0f\n", name, "med", f.msgsPerOp, f.p50, f.max)
		return f
	}
	var def figures
	for _, w := range windows {
		f := point(strconv.Itoa(w), []string{"-window-ticks", strconv.Itoa(w)})
		if f.msgsPerOp <= 0 {
			continue // a failed run: nothing to draw
		}
		med = append(med, plotter.XY{X: f.msgsPerOp, Y: f.p50})
		mx = append(mx, plotter.XY{X: f.msgsPerOp, Y: f.max})
		wlabels = append(wlabels, fmt.Sprintf("%d ms", 10*w))
		if w == gossip.DefaultConfig().WindowTicks {
			def = f
		}
	}
	lf := point("latency first", []string{"-latency-first"})
	// The whole table on stdout: a benchmark's log is cut after ten lines.
	fmt.Print(out.String())
	if len(med) == 0 || def.msgsPerOp <= 0 || lf.msgsPerOp <= 0 {
		b.Fatalf("runs failed; nothing to draw:%s", out.String())
	}

	p := plot.New()
	p.Title.Text = "25 nodes, rate 100, latency 100, 20 s, medians of seeds 1-3: server msgs-per-op against stable latency"
	p.X.Label.Text = "server msgs-per-op (log)"
	p.Y.Label.Text = "stable latency, ms"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	p.Legend.Left = true
	mark := func(name string, xys plotter.XYs, c color.Color, shape draw.GlyphDrawer, r vg.Length) {
		s, err := plotter.NewScatter(xys)
		if err != nil {
			b.Fatal(err)
		}
		s.Color, s.Shape, s.Radius = c, shape, r
		p.Add(s)
		p.Legend.Add(name, s)
	}
	label := func(xys plotter.XYs, texts []string) {
		ls, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
		if err != nil {
			b.Fatal(err)
		}
		for i := range ls.TextStyle {
			ls.TextStyle[i].Font.Size = vg.Points(7)
		}
		p.Add(ls)
	}
	blue, red := color.RGBA{B: 200, A: 255}, color.RGBA{R: 200, A: 255}
	mark("relay, window sweep: median (window labelled)", med, blue, draw.CircleGlyph{}, vg.Points(3))
	mark("relay, window sweep: max", mx, red, draw.CircleGlyph{}, vg.Points(3))
	label(med, wlabels)
	label(mx, wlabels)
	green := color.RGBA{G: 150, A: 255}
	mark("ours, default (median, max)", plotter.XYs{{X: def.msgsPerOp, Y: def.p50}, {X: def.msgsPerOp, Y: def.max}}, green, draw.SquareGlyph{}, vg.Points(5))
	mark("ours, latency first (median, max)", plotter.XYs{{X: lf.msgsPerOp, Y: lf.p50}, {X: lf.msgsPerOp, Y: lf.max}}, green, draw.TriangleGlyph{}, vg.Points(5))
	var pm, px plotter.XYs
	var labels []string
	for _, pr := range peers {
		pm = append(pm, plotter.XY{X: pr.msgs, Y: pr.p50})
		px = append(px, plotter.XY{X: pr.msgs, Y: pr.max})
		labels = append(labels, pr.name)
	}
	gray := color.RGBA{R: 90, G: 90, B: 90, A: 255}
	mark("peers: median", pm, gray, draw.PlusGlyph{}, vg.Points(4))
	mark("peers: max", px, gray, draw.CrossGlyph{}, vg.Points(4))
	label(px, labels)
	path := os.Getenv("SWEEP_PNG")
	if path == "" {
		path = filepath.Join("..", "docs", "sweep.png")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := p.Save(10*vg.Inch, 6*vg.Inch, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("sweep drawn to %s", path)
}
