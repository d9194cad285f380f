package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
	"broadcast/maelstrom/quantile"
)

// Maelstrom's verdict lines (jepsen.cli), printed last.
const (
	VerdictValid   = "Everything looks good! ヽ(‘ー`)ノ"
	VerdictInvalid = "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻"
	VerdictUnknown = "Errors occurred during analysis, but no anomalies found. ಠ~ಠ"
)

// Verdict returns Maelstrom's line for a merged verdict.
func Verdict(v checker.Validity) string {
	switch v {
	case checker.Valid:
		return VerdictValid
	case checker.Invalid:
		return VerdictInvalid
	default:
		return VerdictUnknown
	}
}

// ExitCode maps the merged verdict to Maelstrom's exit status: 0 valid,
// 1 invalid, 2 unknown.
func ExitCode(res checker.Results) int {
	switch res.Valid {
	case checker.Valid:
		return 0
	case checker.Invalid:
		return 1
	default:
		return 2
	}
}

// maxLostShown is how many lost values the summary lists.
const maxLostShown = 10

// Summary prints a short aligned table of the run's figures, the Gossip
// Glomers 3d/3e targets when the run looks like those challenges, and
// Maelstrom's verdict line. Write errors are ignored (it is a terminal
// report).
func Summary(w io.Writer, run history.Run, res checker.Results) {
	b := &strings.Builder{}
	t := &table{}
	row := func(cells ...string) { t.row(cells...) }
	flush := func() { b.WriteString(t.String()); t = &table{} }

	fmt.Fprintln(b, title(run, res))
	fmt.Fprintln(b)

	// Operations by f and outcome.
	row("operations", "ok", "fail", "info", "total")
	fs := make([]string, 0, len(res.Stats.ByF))
	for f := range res.Stats.ByF {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	for _, f := range fs {
		s := res.Stats.ByF[f]
		row(f, itoa(s.OKCount), itoa(s.FailCount), itoa(s.InfoCount), itoa(s.Count))
	}
	s := res.Stats.OpStats
	row("all", itoa(s.OKCount), itoa(s.FailCount), itoa(s.InfoCount), itoa(s.Count))
	flush()
	if errs := errorCounts(res.Bench.Errors); errs != "" {
		fmt.Fprintln(b, "errors: "+errs)
	}
	fmt.Fprintln(b)

	// Workload counts.
	wl := res.Workload
	if wl.Error != "" {
		fmt.Fprintf(b, "workload checker failed: %s\n\n", wl.Error)
	} else {
		row("workload", "attempted", "stable", "lost", "never-read", "stale")
		row("broadcast values", itoa(wl.AttemptCount), itoa(wl.StableCount), itoa(wl.LostCount), itoa(wl.NeverReadCount), itoa(wl.StaleCount))
		flush()
		if len(wl.Lost) > 0 {
			fmt.Fprintln(b, "lost values: "+firstFew(wl.Lost, maxLostShown))
		}
		fmt.Fprintln(b)
	}

	// Latencies: stable (visibility) beside client acknowledgement.
	row("latency (ms)", "n", "p0", "p50", "p95", "p99", "max")
	if len(wl.StableLatencies) > 0 {
		cells := []string{"stable (visible everywhere)", itoa(wl.StableCount)}
		for _, q := range quantile.Points {
			v, _ := wl.StableLatencies.At(q)
			cells = append(cells, strconv.FormatInt(v, 10))
		}
		row(cells...)
	} else {
		row("stable (visible everywhere)", "0", "-", "-", "-", "-", "-")
	}
	if len(wl.LostLatencies) > 0 {
		cells := []string{"lost", itoa(wl.LostCount)}
		for _, q := range quantile.Points {
			v, _ := wl.LostLatencies.At(q)
			cells = append(cells, strconv.FormatInt(v, 10))
		}
		row(cells...)
	}
	stalenessRows(row, res.Bench)
	for _, f := range []string{"broadcast", "read"} {
		l := res.Bench.Latency[f]
		name := "read (client round trip)"
		if f == "broadcast" {
			name = "broadcast ack (client)"
		}
		cells := []string{name, itoa(l.Count)}
		for _, q := range quantile.Points {
			if v, ok := l.At(q); ok {
				cells = append(cells, ms(v))
			} else {
				cells = append(cells, "-")
			}
		}
		row(cells...)
	}
	flush()
	fmt.Fprintln(b)

	// Network.
	n := res.Net
	if n.Error != "" {
		fmt.Fprintf(b, "net checker failed: %s\n\n", n.Error)
	} else {
		row("messages", "sent", "received", "msgs-per-op")
		row("servers", i64(n.Servers.SendCount), i64(n.Servers.RecvCount), perOp(n.Servers))
		row("clients", i64(n.Clients.SendCount), i64(n.Clients.RecvCount), "")
		row("all", i64(n.All.SendCount), i64(n.All.RecvCount), perOp(n.All))
		flush()
		fmt.Fprintf(b, "op-count (client invocations): %d\n", n.OpCount)
		if r := opRate(res.Bench.OpRate); r != "" {
			fmt.Fprintln(b, "op rate per minute of the main phase (invocations/s): "+r)
		}
		fmt.Fprintln(b)
	}

	// Availability and exceptions.
	a := res.Availability
	if a.Error != "" {
		fmt.Fprintf(b, "availability: checker failed: %s\n", a.Error)
	} else {
		req := "no requirement"
		if t := res.Bench.AvailabilityThreshold; t != "" {
			req = "required " + t
		}
		fmt.Fprintf(b, "availability: ok-fraction %s (%s) -> %s\n", strconv.FormatFloat(float64(a.OKFraction), 'g', 6, 32), req, a.Valid)
	}
	for _, g := range res.Exceptions.Groups {
		fmt.Fprintf(b, "exception: %d x %s, e.g. op %d: %v\n", g.Count, g.Class, g.Example.Index, g.Example.Error)
	}

	// Gossip Glomers targets.
	if tg := targets(run, res); tg != "" {
		fmt.Fprintln(b)
		fmt.Fprint(b, tg)
	}

	// Per-checker verdicts, then Maelstrom's line.
	fmt.Fprintln(b)
	fmt.Fprintln(b, "valid?: "+partVerdicts(res))
	fmt.Fprintln(b)
	fmt.Fprintln(b, Verdict(res.Valid))
	io.WriteString(w, b.String())
}

func title(run history.Run, res checker.Results) string {
	if p := res.Bench.Params; p != nil {
		parts := []string{fmt.Sprintf("%d nodes", p.NodeCount)}
		if p.Concurrency > 0 {
			parts = append(parts, fmt.Sprintf("concurrency %d", p.Concurrency))
		}
		parts = append(parts, fmt.Sprintf("rate %g/s", p.Rate), fmt.Sprintf("latency %d ms", p.Latency),
			fmt.Sprintf("time limit %g s", p.TimeLimit))
		if p.Topology != "" {
			parts = append(parts, "topology "+p.Topology)
		}
		if p.Nemesis != "" {
			parts = append(parts, "nemesis "+p.Nemesis)
		}
		return "broadcast run: " + strings.Join(parts, ", ")
	}
	return fmt.Sprintf("broadcast run: %d nodes, concurrency %d", len(run.Nodes), run.Concurrency)
}

// opRate renders the per-minute rates as "0: 498.1, 1: 501.3 (40 s)".
func opRate(ms []checker.MinuteRate) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%d: %.1f", m.Minute, m.PerSecond)
		if m.Seconds < 60 {
			parts[i] += fmt.Sprintf(" (%.0f s)", m.Seconds)
		}
	}
	return strings.Join(parts, ", ")
}

func itoa(n int) string   { return strconv.Itoa(n) }
func i64(n int64) string  { return strconv.FormatInt(n, 10) }
func ms(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func perOp(g checker.NetGroup) string {
	if !g.HasMsgsPerOp {
		return "-"
	}
	return strconv.FormatFloat(float64(g.MsgsPerOp), 'f', 2, 32)
}

// firstFew lists up to k values, noting how many more there are.
func firstFew(vs []int64, k int) string {
	var parts []string
	for i, v := range vs {
		if i == k {
			parts = append(parts, fmt.Sprintf("... (%d more)", len(vs)-k))
			break
		}
		parts = append(parts, strconv.FormatInt(v, 10))
	}
	return strings.Join(parts, " ")
}

// errorCounts renders {f: {error: n}} as "broadcast net-timeout 3, ...".
func errorCounts(m map[string]map[string]int) string {
	var parts []string
	fs := make([]string, 0, len(m))
	for f := range m {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	for _, f := range fs {
		names := make([]string, 0, len(m[f]))
		for n := range m[f] {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			parts = append(parts, fmt.Sprintf("%s %s x%d", f, n, m[f][n]))
		}
	}
	return strings.Join(parts, ", ")
}

func partVerdicts(res checker.Results) string {
	parts := []struct {
		name string
		v    checker.Validity
	}{
		{"perf", res.Perf.Valid}, {"timeline", res.Timeline.Valid}, {"exceptions", res.Exceptions.Valid},
		{"stats", res.Stats.Valid}, {"availability", res.Availability.Valid}, {"net", res.Net.Valid},
		{"workload", res.Workload.Valid},
	}
	var out []string
	for _, p := range parts {
		out = append(out, p.name+" "+p.v.String())
	}
	return strings.Join(out, ", ") + " => " + res.Valid.String()
}
