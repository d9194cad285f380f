package procstat

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"

	"broadcast/maelstrom/quantile"
)

// Settle is how long a process may grow before its threads, descriptors
// and memory are judged: the first minute of its life.
const Settle = 60.0

// MaxBytesPerValue is the target for a node's resident memory growth per
// value it holds.
const MaxBytesPerValue = 64

// MinValuesForSlope is the least number of values broadcast in a
// process's window for its memory slope to be reported: the Go heap grows
// in steps of a few hundred kilobytes, so fewer values give noise, not a
// figure.
const MinValuesForSlope = 20_000

// Point is one broadcast value's stable latency, for the per-minute figures.
type Point struct {
	// T is when the value became known (ack or first read), seconds since
	// the run started.
	T float64
	// LatencyMS is its stable latency in milliseconds.
	LatencyMS float64
}

// Minute is the stable latency of the values that became known in one
// minute of the run.
type Minute struct {
	Minute   int // 0 for [0 s, 60 s)
	Count    int
	MedianMS float64
	MaxMS    float64
}

// PerMinute groups points by the minute they became known.
func PerMinute(points []Point) []Minute {
	by := map[int][]float64{}
	for _, p := range points {
		m := int(math.Floor(p.T / 60))
		by[m] = append(by[m], p.LatencyMS)
	}
	var out []Minute
	for m, ls := range by {
		slices.Sort(ls)
		out = append(out, Minute{Minute: m, Count: len(ls), MedianMS: median(ls), MaxMS: ls[len(ls)-1]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Minute < out[j].Minute })
	return out
}

// median of a sorted non-empty slice, at the bench's 0.5 quantile (the
// same index as Maelstrom's stable-latency median).
func median(sorted []float64) float64 { return sorted[quantile.Index(len(sorted), 0.5)] }

// Instance is every sample of one process, ascending in time.
type Instance struct {
	Node    string
	PID     int
	Samples []Sample
}

// Instances groups samples by process, in node then start order.
func Instances(samples []Sample) []Instance {
	idx := map[int]int{}
	var out []Instance
	for _, s := range samples {
		i, ok := idx[s.PID]
		if !ok {
			i = len(out)
			idx[s.PID] = i
			out = append(out, Instance{Node: s.Node, PID: s.PID})
		}
		out[i].Samples = append(out[i].Samples, s)
	}
	for i := range out {
		sort.SliceStable(out[i].Samples, func(a, b int) bool { return out[i].Samples[a].T < out[i].Samples[b].T })
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Node != out[b].Node {
			return out[a].Node < out[b].Node
		}
		return out[a].Samples[0].T < out[b].Samples[0].T
	})
	return out
}

// Growth is what one process did after its first minute (Settle).
type Growth struct {
	Node string
	PID  int
	// From is the first sample at least Settle after the process was first
	// seen; To the last sample. Both in seconds since the run started.
	From, To float64
	// Threads and FDs: the most seen in the first minute, at From, their
	// maximum after it, and at To.
	ThreadsFirst, Threads0, ThreadsMax, ThreadsLast int
	FDsFirst, FDs0, FDsMax, FDsLast                 int
	// RSS0 and RSSLast are resident bytes at From and To.
	RSS0, RSSLast int64
	// Values is how many values were broadcast between From and To.
	Values int
	// BytesPerValue is the least-squares slope of resident memory against
	// values broadcast so far, over the samples from From to To; NaN when
	// fewer than MinValuesForSlope values were broadcast in that window.
	BytesPerValue float64
}

// ThreadSlack is how far a Go process's thread count may rise after its
// first minute and still count as flat. The Go runtime starts threads on
// demand, up to GOMAXPROCS plus the system calls blocked at once (a node:
// its fsync, its stdout write, a log line to stderr), and never ends them:
// the count is a high-water mark that can step up once or twice late in a
// run. A leak rises without bound.
const ThreadSlack = 2

// ThreadsFlat reports whether the thread count never rose after the first
// minute more than ThreadSlack above the most seen during it.
func (g Growth) ThreadsFlat() bool { return g.ThreadsMax <= g.ThreadsFirst+ThreadSlack }

// FDsFlat reports the same of open descriptors.
func (g Growth) FDsFlat() bool { return g.FDsMax <= g.FDsFirst }

// Growths returns one Growth per process sampled for longer than Settle.
// valuesAt(t) is the number of values broadcast in the first t seconds.
func Growths(samples []Sample, valuesAt func(t float64) int) []Growth {
	var out []Growth
	for _, in := range Instances(samples) {
		first := in.Samples[0].T
		var win []Sample
		var threadsFirst, fdsFirst int
		for _, s := range in.Samples {
			if s.T >= first+Settle {
				win = append(win, s)
			} else {
				threadsFirst, fdsFirst = max(threadsFirst, s.Threads), max(fdsFirst, s.FDs)
			}
		}
		if len(win) < 2 {
			continue
		}
		a, z := win[0], win[len(win)-1]
		g := Growth{Node: in.Node, PID: in.PID, From: a.T, To: z.T,
			ThreadsFirst: threadsFirst, FDsFirst: fdsFirst, Threads0: a.Threads, ThreadsLast: z.Threads, FDs0: a.FDs, FDsLast: z.FDs,
			RSS0: a.RSS, RSSLast: z.RSS, Values: valuesAt(z.T) - valuesAt(a.T), BytesPerValue: math.NaN()}
		xs, ys := make([]float64, len(win)), make([]float64, len(win))
		for i, s := range win {
			g.ThreadsMax = max(g.ThreadsMax, s.Threads)
			g.FDsMax = max(g.FDsMax, s.FDs)
			xs[i], ys[i] = float64(valuesAt(s.T)), float64(s.RSS)
		}
		if g.Values >= MinValuesForSlope {
			g.BytesPerValue = slope(xs, ys)
		}
		out = append(out, g)
	}
	return out
}

// slope is the least-squares slope of ys against xs.
func slope(xs, ys []float64) float64 {
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	n := float64(len(xs))
	mx, my = mx/n, my/n
	var cov, vx float64
	for i := range xs {
		cov += (xs[i] - mx) * (ys[i] - my)
		vx += (xs[i] - mx) * (xs[i] - mx)
	}
	if vx == 0 {
		return math.NaN()
	}
	return cov / vx
}

// Outcome is the checker's verdict, for the soak table.
type Outcome struct {
	// Valid is the run's verdict ("true", "false" or "unknown").
	Valid string
	// Lost counts the values Maelstrom reports lost; AckedLost those of
	// them whose broadcast was acknowledged.
	Lost, AckedLost int
}

// Report prints the soak figures next to their targets: the verdict and
// acknowledged values lost; per node process, threads, descriptors and
// memory growth after the first minute; stable latency median and max per
// minute.
func Report(w io.Writer, out Outcome, samples []Sample, growths []Growth, minutes []Minute) {
	fmt.Fprintf(w, "\nSoak: %d samples of %d node processes (threads from /proc/<pid>/status: goroutines are not visible from outside)\n", len(samples), len(Instances(samples)))
	fmt.Fprintf(w, "  %-44s %10s  %s  %s\n", "valid", out.Valid, "true", passFail(out.Valid == "true"))
	fmt.Fprintf(w, "  %-44s %10d  %s  %s\n", "acknowledged values lost", out.AckedLost, "0", passFail(out.AckedLost == 0))
	fmt.Fprintf(w, "  %-44s %10d\n", "values lost (acknowledged or read)", out.Lost)
	if len(growths) == 0 {
		fmt.Fprintf(w, "  no process was sampled for more than %.0f s: no growth figures\n", Settle)
	} else {
		fmt.Fprintf(w, "  %-5s %7s %16s %16s %9s %9s %8s %8s\n", "node", "pid", "threads", "fds", "RSS@1min", "RSS end", "values", "B/value")
		var slopes []float64
		threadsFlat, fdsFlat := 0, 0
		for _, g := range growths {
			bpv := "n/a"
			if !math.IsNaN(g.BytesPerValue) {
				bpv = fmt.Sprintf("%.1f", g.BytesPerValue)
				slopes = append(slopes, g.BytesPerValue)
			}
			mark := func(ok bool) string {
				if ok {
					return " "
				}
				return "!"
			}
			if g.ThreadsFlat() {
				threadsFlat++
			}
			if g.FDsFlat() {
				fdsFlat++
			}
			fmt.Fprintf(w, "  %-5s %7d %s%3d |%3d ->%3d(%3d) %s%3d |%3d ->%3d(%3d) %7.1fMB %7.1fMB %8d %8s\n", g.Node, g.PID,
				mark(g.ThreadsFlat()), g.ThreadsFirst, g.Threads0, g.ThreadsLast, g.ThreadsMax,
				mark(g.FDsFlat()), g.FDsFirst, g.FDs0, g.FDsLast, g.FDsMax,
				float64(g.RSS0)/1e6, float64(g.RSSLast)/1e6, g.Values, bpv)
		}
		fmt.Fprintf(w, "  (threads, fds: most in the first minute | at 1 min -> at the end (most after the first minute); ! marks a rise beyond the slack)\n")
		fmt.Fprintf(w, "  %-48s %10s  %s\n", "figure", "value", "target")
		fmt.Fprintf(w, "  %-48s %10s  %-6s %s\n", fmt.Sprintf("threads flat after the first minute (+%d slack)", ThreadSlack), fmt.Sprintf("%d/%d", threadsFlat, len(growths)), "all", passFail(threadsFlat == len(growths)))
		fmt.Fprintf(w, "  %-48s %10s  %-6s %s\n", "fds flat after each process's first minute", fmt.Sprintf("%d/%d", fdsFlat, len(growths)), "all", passFail(fdsFlat == len(growths)))
		if len(slopes) > 0 {
			slices.Sort(slopes)
			worst := slopes[len(slopes)-1]
			fmt.Fprintf(w, "  %-48s %10.1f  <= %-3d %s\n", "memory growth per value, worst process (bytes)", worst, MaxBytesPerValue, passFail(worst <= MaxBytesPerValue))
			fmt.Fprintf(w, "  %-48s %10.1f  <= %-3d %s\n", "memory growth per value, median process (bytes)", median(slopes), MaxBytesPerValue, passFail(median(slopes) <= MaxBytesPerValue))
		} else {
			fmt.Fprintf(w, "  %-48s %10s  <= %-3d (no process saw %d values after its first minute)\n", "memory growth per value (bytes)", "n/a", MaxBytesPerValue, MinValuesForSlope)
		}
	}
	fmt.Fprintf(w, "  stable latency per minute (by the time a value became known):\n")
	fmt.Fprintf(w, "  %6s %8s %11s %11s\n", "minute", "values", "median ms", "max ms")
	for _, m := range minutes {
		fmt.Fprintf(w, "  %6d %8d %11.0f %11.0f\n", m.Minute, m.Count, m.MedianMS, m.MaxMS)
	}
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
