package plot

import (
	"fmt"
	"strings"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
)

// completed is one client op: its invocation time, latency and outcome.
type completed struct {
	f       string
	typ     history.Type
	invokeS float64 // seconds on the run's clock
	doneS   float64
	latMS   float64
	final   bool
}

// data is what every plot reads, computed once.
type data struct {
	ops    []completed
	fs     []string // fs of client ops, sorted
	faults []history.Interval
	endS   float64 // right edge of the time axis, seconds
	params string  // run parameters for titles
	run    history.Run
	res    checker.Results
}

func newData(run history.Run, res checker.Results) *data {
	if len(run.Ops) > 0 && res.Spans == nil {
		// A run read back from disk and checked elsewhere: take the spans
		// from its ops.
		res = checker.CheckWith(run, checker.Config{Params: res.Bench.Params})
	}
	d := &data{faults: run.Faults, run: run, res: res}
	fset := map[string]bool{}
	last := res.LastTime
	for _, s := range res.Spans {
		fset[s.F] = true
		d.ops = append(d.ops, completed{
			f: s.F, typ: s.Type, final: s.Final,
			invokeS: float64(s.Invoke) / 1e9, doneS: float64(s.Done) / 1e9,
			latMS: float64(s.Done-s.Invoke) / 1e6,
		})
	}
	for _, f := range run.Faults {
		last = max(last, f.Start, f.End)
	}
	for _, s := range run.Series {
		last = max(last, s.Time+run.SeriesWidth)
	}
	d.endS = float64(last) / 1e9
	if d.endS <= 0 {
		d.endS = 1
	}
	d.fs = sortedKeys(fset)
	d.params = paramsTitle(run, res.Bench.Params)
	return d
}

// paramsTitle names the run: the parameters if the runner gave them,
// otherwise what the history shows.
func paramsTitle(run history.Run, p *checker.Params) string {
	var parts []string
	if p == nil {
		if n := len(run.Nodes); n > 0 {
			parts = append(parts, fmt.Sprintf("%d nodes", n))
		}
		if run.Concurrency > 0 {
			parts = append(parts, fmt.Sprintf("concurrency %d", run.Concurrency))
		}
		if run.Start != "" {
			parts = append(parts, run.Start)
		}
		if len(parts) == 0 {
			return "broadcast"
		}
		return "broadcast: " + strings.Join(parts, ", ")
	}
	parts = append(parts, fmt.Sprintf("%d nodes", p.NodeCount))
	if p.Concurrency > 0 {
		parts = append(parts, fmt.Sprintf("concurrency %d", p.Concurrency))
	}
	parts = append(parts, fmt.Sprintf("rate %g/s", p.Rate))
	lat := fmt.Sprintf("latency %d ms", p.Latency)
	if p.LatencyDist != "" && p.LatencyDist != "constant" {
		lat += " " + p.LatencyDist
	}
	parts = append(parts, lat, fmt.Sprintf("time limit %g s", p.TimeLimit))
	if p.Topology != "" {
		parts = append(parts, "topology "+p.Topology)
	}
	if p.Nemesis != "" {
		parts = append(parts, "nemesis "+p.Nemesis)
	}
	return "broadcast: " + strings.Join(parts, ", ")
}
