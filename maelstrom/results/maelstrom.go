package results

import (
	"sort"

	"broadcast/maelstrom/checker"
)

// Maelstrom renders res as Maelstrom's results map: exactly the keys :perf
// :timeline :exceptions :stats :availability :net :workload :valid?, each
// shaped as jepsen 0.3.7 / Maelstrom write them (MODEL.md, "Checker", "Other checkers", "Msgs-per-op").
func Maelstrom(res checker.Results) Map {
	return Map{
		kv("perf", Map{
			kv("latency-graph", Map{kv("valid?", validity(res.Perf.LatencyGraphValid))}),
			kv("rate-graph", Map{kv("valid?", validity(res.Perf.RateGraphValid))}),
			kv("valid?", validity(res.Perf.Valid)),
		}),
		kv("timeline", Map{kv("valid?", validity(res.Timeline.Valid))}),
		kv("exceptions", exceptions(res.Exceptions)),
		kv("stats", stats(res.Stats)),
		kv("availability", availability(res.Availability)),
		kv("net", net(res.Net)),
		kv("workload", workload(res.Workload)),
		kv("valid?", validity(res.Valid)),
	}
}

// errored is the map a checker that threw becomes.
func errored(msg string) Map {
	return Map{kv("valid?", validity(checker.Unknown)), kv("error", msg)}
}

func exceptions(e checker.Exceptions) Map {
	if e.Error != "" {
		return errored(e.Error)
	}
	m := Map{kv("valid?", validity(e.Valid))}
	if len(e.Groups) > 0 {
		l := List{}
		for _, g := range e.Groups {
			l = append(l, Map{
				kv("count", int64(g.Count)),
				kv("class", classValue(g.Class)),
				kv("example", Tagged{OpTag, OpMap(g.Example, "")}),
			})
		}
		m = append(m, kv("exceptions", l))
	}
	return m
}

func opStats(s checker.OpStats) Map {
	return Map{
		kv("valid?", validity(s.Valid)),
		kv("count", int64(s.Count)),
		kv("ok-count", int64(s.OKCount)),
		kv("fail-count", int64(s.FailCount)),
		kv("info-count", int64(s.InfoCount)),
	}
}

func stats(s checker.Stats) Map {
	if s.Error != "" {
		return errored(s.Error)
	}
	m := opStats(s.OpStats)
	fs := make([]string, 0, len(s.ByF))
	for f := range s.ByF {
		fs = append(fs, f)
	}
	sort.Strings(fs) // (into (sorted-map) by-f)
	byF := Map{}
	for _, f := range fs {
		byF = append(byF, kv(f, opStats(s.ByF[f])))
	}
	return append(m, kv("by-f", byF))
}

func availability(a checker.Availability) Map {
	if a.Error != "" {
		return errored(a.Error)
	}
	var frac any = Float32(a.OKFraction)
	if a.NoInvocations {
		frac = int64(1) // Maelstrom writes the integer 1
	}
	return Map{kv("valid?", validity(a.Valid)), kv("ok-fraction", frac)}
}

func netGroup(g checker.NetGroup) Map {
	m := Map{
		kv("send-count", g.SendCount),
		kv("recv-count", g.RecvCount),
		kv("msg-count", g.MsgCount),
	}
	if g.HasMsgsPerOp {
		m = append(m, kv("msgs-per-op", Float32(g.MsgsPerOp)))
	}
	return m
}

func net(n checker.Net) Map {
	if n.Error != "" {
		return errored(n.Error)
	}
	return Map{
		kv("all", netGroup(n.All)),
		kv("clients", netGroup(n.Clients)),
		kv("servers", netGroup(n.Servers)),
		kv("valid?", validity(n.Valid)),
	}
}

// Quantiles renders a latency distribution as {0 a, 0.5 b, 0.95 c, 0.99 d,
// 1 e}: 0 and 1 are integer keys, the others doubles, as in jepsen.
func Quantiles(qs checker.Quantiles) Map {
	m := Map{}
	for _, q := range qs {
		m = append(m, Entry{quantileKey(q.Q), q.Value})
	}
	return m
}

func quantileKey(q float64) any {
	if q == 0 || q == 1 {
		return int64(q)
	}
	return Double(q)
}

func int64List(xs []int64) List {
	l := List{}
	for _, x := range xs {
		l = append(l, x)
	}
	return l
}

func optInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// elementMap is set-full-element-results' map; its ops are Op records
// (#jepsen.history.Op{...}) showing :f :add, as the workload checker saw them.
func elementMap(e checker.Element) Map {
	var known, absent any
	if e.Known != nil && e.Known.Op != nil {
		known = Tagged{OpTag, OpMap(*e.Known.Op, addName(e.Known.Op.F))}
	}
	if e.LastAbsent != nil && e.LastAbsent.Op != nil {
		absent = Tagged{OpTag, OpMap(*e.LastAbsent.Op, addName(e.LastAbsent.Op.F))}
	}
	return Map{
		kv("element", e.Value),
		kv("outcome", Keyword(e.Outcome)),
		kv("stable-latency", optInt(e.StableLatency)),
		kv("lost-latency", optInt(e.LostLatency)),
		kv("known", known),
		kv("last-absent", absent),
	}
}

func addName(f string) string {
	if f == "broadcast" {
		return "add"
	}
	return f
}

func workload(w checker.Workload) Map {
	if w.Error != "" {
		return errored(w.Error)
	}
	worst := List{}
	for _, e := range w.WorstStale {
		worst = append(worst, elementMap(e))
	}
	m := Map{
		kv("valid?", validity(w.Valid)),
		kv("attempt-count", int64(w.AttemptCount)),
		kv("stable-count", int64(w.StableCount)),
		kv("lost-count", int64(w.LostCount)),
		kv("lost", int64List(w.Lost)),
		kv("never-read-count", int64(w.NeverReadCount)),
		kv("never-read", int64List(w.NeverRead)),
		kv("stale-count", int64(w.StaleCount)),
		kv("stale", int64List(w.Stale)),
		kv("worst-stale", worst),
	}
	if len(w.StableLatencies) > 0 {
		m = append(m, kv("stable-latencies", Quantiles(w.StableLatencies)))
	}
	if len(w.LostLatencies) > 0 {
		m = append(m, kv("lost-latencies", Quantiles(w.LostLatencies)))
	}
	return append(m,
		kv("duplicated-count", int64(w.DuplicatedCount)),
		kv("duplicated", Map{}))
}

// BenchKey is the results.json key holding the bench's own figures.
const BenchKey = "bench"

// Deviations lists where maelstrom-local knowingly differs from Maelstrom
// (MODEL.md, "Deviations", explains each); every run's results carry it.
var Deviations = []string{
	"no services: lin-kv, seq-kv, lww-kv and lin-tso are not simulated; a message to one is an Invalid dest",
	"not written: test.jepsen, net-journal/ (messages.journal instead, a binary format of our own); messages.svg draws every message up to a 9.5 MB bound, on a real-time scale, clients on one line; PNG plots instead of gnuplot's, with buckets sized to the run",
	"after a fatal stdout line the node's output is no longer read, without spinning a CPU core",
	"a node that does not read its stdin (paused or slow) gets up to 64 KiB more, in the bench's write buffer, before its delivery thread waits",
	"the bench raises its own priority (nice -20) when allowed and delivers with one OS thread per node; the nodes keep the caller's nice value",
	"deadline ties break in send order; init and topology client ids are assigned in node order",
	"node-to-node numbers are passed through as written, not re-encoded",
	"node stderr is copied per chunk of complete lines; jepsen.log op lines are the history.txt lines",
	"a crash report cuts each of the node's last 32 stdout and stderr lines to 4 KiB",
	"EDN key order follows MODEL.md; checker errors are strings; exceptions carry no stack trace; nemesis drop sets print as vectors",
	"extensions: --seed, --nemesis kill, kill-all and pause, --nemesis-targets, --history-format delta, MAELSTROM_RUN_DIR in the node environment, the bench key, bench.json, PNG plots",
	"exit status 2 also covers a failure of the bench itself",
}

// Bench renders the figures beyond Maelstrom: client latency per f beside
// the stable latencies, fault intervals, error counts, parameters.
func Bench(res checker.Results) Map {
	b := res.Bench
	var params any
	if p := b.Params; p != nil {
		params = Map{
			kv("node-count", int64(p.NodeCount)),
			kv("concurrency", int64(p.Concurrency)),
			kv("time-limit", Double(p.TimeLimit)),
			kv("rate", Double(p.Rate)),
			kv("latency", int64(p.Latency)),
			kv("latency-dist", p.LatencyDist),
			kv("topology", p.Topology),
			kv("nemesis", p.Nemesis),
			kv("bin", p.Bin),
		}
	}
	fs := make([]string, 0, len(b.Latency))
	for f := range b.Latency {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	lat := Map{}
	for _, f := range fs {
		l := b.Latency[f]
		qs := Map{}
		for _, q := range l.Quantiles {
			qs = append(qs, Entry{quantileKey(q.Q), Double(q.MS)})
		}
		lat = append(lat, kv(f, Map{kv("count", int64(l.Count)), kv("mean", Double(l.MeanMS)), kv("quantiles", qs)}))
	}
	var stable any
	if len(res.Workload.StableLatencies) > 0 {
		stable = Quantiles(res.Workload.StableLatencies)
	}
	faults := List{}
	for _, f := range b.Faults {
		faults = append(faults, Map{kv("kind", f.Kind), kv("start", f.Start), kv("end", f.End), kv("detail", f.Detail)})
	}
	efs := make([]string, 0, len(b.Errors))
	for f := range b.Errors {
		efs = append(efs, f)
	}
	sort.Strings(efs)
	errs := Map{}
	for _, f := range efs {
		names := make([]string, 0, len(b.Errors[f]))
		for n := range b.Errors[f] {
			names = append(names, n)
		}
		sort.Strings(names)
		byName := Map{}
		for _, n := range names {
			byName = append(byName, Entry{n, int64(b.Errors[f][n])})
		}
		errs = append(errs, kv(f, byName))
	}
	var threshold any
	if b.AvailabilityThreshold != "" {
		threshold = b.AvailabilityThreshold
	}
	rates := List{}
	for _, m := range b.OpRate {
		rates = append(rates, Map{kv("minute", int64(m.Minute)), kv("invocations", int64(m.Invocations)),
			kv("seconds", Double(m.Seconds)), kv("per-second", Double(m.PerSecond))})
	}
	devs := make(List, len(Deviations))
	for i, d := range Deviations {
		devs[i] = d
	}
	return Map{
		kv("note", "bench extension: not part of Maelstrom's results"),
		kv("deviations", devs),
		kv("params", params),
		kv("client-latency-ms", lat),
		kv("stable-latencies-ms", stable),
		kv("staleness", stalenessTree(b)),
		kv("op-count", int64(res.Net.OpCount)),
		kv("op-rate-per-minute", rates),
		kv("faults", faults),
		kv("errors", errs),
		kv("availability-threshold", threshold),
	}
}
