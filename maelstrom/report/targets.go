package report

import (
	"fmt"
	"strconv"
	"strings"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
)

// Target is one Gossip Glomers efficiency threshold (strict: value < Limit).
type Target struct {
	// Challenge is "3d" or "3e".
	Challenge string
	// Figure names what is compared.
	Figure string
	// Limit is the bound the value must stay under.
	Limit float64
	// Unit is "" or "ms".
	Unit string
}

// Targets are the 3d and 3e thresholds (MODEL.md, "Gossip Glomers targets"): servers msgs-per-op,
// median and maximum stable latency.
var Targets = []Target{
	{"3d", "msgs-per-op", 30, ""}, {"3e", "msgs-per-op", 20, ""},
	{"3d", "median latency", 400, "ms"}, {"3e", "median latency", 1000, "ms"},
	{"3d", "max latency", 600, "ms"}, {"3e", "max latency", 2000, "ms"},
}

// TargetResult is a target with the run's figure and whether it passed.
type TargetResult struct {
	Target
	// Value is the run's figure; Known is false when the run has none.
	Value float64
	Known bool
	Pass  bool
}

// LooksLike3d reports whether the run is the 3d/3e command (25 nodes, rate
// 100, latency 100 ms), and whether that is assumed because the runner gave
// no parameters (then only the node count was checked).
func LooksLike3d(run history.Run, res checker.Results) (yes, assumed bool) {
	if p := res.Bench.Params; p != nil {
		return p.NodeCount == 25 && p.Rate == 100 && p.Latency == 100, false
	}
	return len(run.Nodes) == 25, true
}

// EvaluateTargets compares the run against Targets: msgs-per-op is
// :net :servers :msgs-per-op; median and max are :workload
// :stable-latencies 0.5 and 1, the convention the Fly.io pages are read by.
func EvaluateTargets(res checker.Results) []TargetResult {
	var out []TargetResult
	for _, t := range Targets {
		r := TargetResult{Target: t}
		switch t.Figure {
		case "msgs-per-op":
			r.Value, r.Known = float64(res.Net.Servers.MsgsPerOp), res.Net.Servers.HasMsgsPerOp
		case "median latency":
			v, ok := res.Workload.StableLatencies.At(0.5)
			r.Value, r.Known = float64(v), ok
		case "max latency":
			v, ok := res.Workload.StableLatencies.At(1)
			r.Value, r.Known = float64(v), ok
		}
		r.Pass = r.Known && r.Value < t.Limit
		out = append(out, r)
	}
	return out
}

// targets renders the target table, or "" if the run is not 3d/3e-shaped.
func targets(run history.Run, res checker.Results) string {
	yes, assumed := LooksLike3d(run, res)
	if !yes {
		return ""
	}
	b := &strings.Builder{}
	head := "Gossip Glomers 3d/3e targets (25 nodes, rate 100, latency 100):"
	if assumed {
		head = "Gossip Glomers 3d/3e targets (25 nodes; rate and latency not given, assuming the 3d command):"
	}
	fmt.Fprintln(b, head)
	t := &table{}
	t.row("figure", "value", "3d target", "", "3e target", "")
	rs := EvaluateTargets(res)
	for i := 0; i < len(rs); i += 2 {
		d, e := rs[i], rs[i+1]
		val := "n/a"
		if d.Known {
			val = strconv.FormatFloat(d.Value, 'f', -1, 32) + " " + d.Unit
			if d.Unit == "" {
				val = strconv.FormatFloat(d.Value, 'f', 2, 32)
			}
		}
		name := d.Figure
		if d.Figure == "msgs-per-op" {
			name = "msgs-per-op (servers)"
		} else {
			name += " (stable)"
		}
		t.row(name, val, limit(d), passFail(d), limit(e), passFail(e))
	}
	b.WriteString(t.String())
	if ack, ok := res.Bench.Latency["broadcast"].At(0.5); ok {
		mx, _ := res.Bench.Latency["broadcast"].At(1)
		fmt.Fprintf(b, "  (broadcast ack latency, for comparison: median %.2f ms, max %.2f ms)\n", ack, mx)
	}
	return b.String()
}

func limit(r TargetResult) string {
	return strings.TrimSpace("< " + strconv.FormatFloat(r.Limit, 'f', -1, 64) + " " + r.Unit)
}

func passFail(r TargetResult) string {
	switch {
	case !r.Known:
		return "n/a"
	case r.Pass:
		return "PASS"
	default:
		return "FAIL"
	}
}
