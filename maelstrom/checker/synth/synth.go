// Package synth makes synthetic broadcast-workload runs (history.Run) with
// a seeded random source, for testing and eyeballing the analysis packages
// without starting any node process.
//
//	run := synth.Run(synth.Gossip3d())
//	res := checker.Check(run)
//
// The model: clients issue operations on Maelstrom's schedule (gaps uniform
// on [0, 2/rate)), worker t talks to node t mod N; a broadcast value becomes
// visible on node n after (grid distance × latency) plus jitter, later if a
// partition separates them; a read returns what is visible on its node.
// After the time limit: a heal, 10 s of quiet, one final read per worker.
package synth

import (
	"encoding/json"
	"math"
	"math/rand"
	"sort"
	"strconv"

	"broadcast/maelstrom/history"
)

// Config describes a synthetic run.
type Config struct {
	// Seed makes the run reproducible.
	Seed int64
	// Nodes is the number of server nodes (n0..).
	Nodes int
	// Concurrency is the number of client workers (0: Nodes).
	Concurrency int
	// Rate is client operations per second; TimeLimit the main phase in s.
	Rate      float64
	TimeLimit float64
	// LatencyMS is the one-hop server latency in ms.
	LatencyMS float64
	// ClientMS is the mean client round trip in ms.
	ClientMS float64
	// Partitions adds alternating partitions (mean 5 s on, 5 s off).
	Partitions bool
	// LoseEvery, if > 0, makes every LoseEvery-th value reach only its
	// origin node (so most of them come out lost).
	LoseEvery int
	// TimeoutEvery, if > 0, makes every TimeoutEvery-th operation time out
	// (broadcast: info, read: fail) after 5 s.
	TimeoutEvery int
	// MsgsPerBroadcast is the server messages sent per broadcast.
	MsgsPerBroadcast int
}

// Gossip3d is a run shaped like Gossip Glomers 3d: 25 nodes, rate 100,
// latency 100 ms, 20 s.
func Gossip3d() Config {
	return Config{Seed: 1, Nodes: 25, Rate: 100, TimeLimit: 20, LatencyMS: 100, ClientMS: 1.5, MsgsPerBroadcast: 48}
}

type visibility struct {
	value int64
	raw   json.RawMessage
	at    []float64 // per node, seconds
}

// Run makes the run.
func Run(cfg Config) history.Run {
	if cfg.Nodes <= 0 {
		cfg.Nodes = 1
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = cfg.Nodes
	}
	if cfg.ClientMS <= 0 {
		cfg.ClientMS = 1
	}
	rng := rand.New(rand.NewSource(cfg.Seed))
	run := history.Run{Concurrency: cfg.Concurrency, SeriesWidth: 1e9, Start: "2025-01-01T00:00:00Z"}
	for i := 0; i < cfg.Nodes; i++ {
		run.Nodes = append(run.Nodes, "n"+strconv.Itoa(i))
	}
	side := int(math.Ceil(math.Sqrt(float64(cfg.Nodes))))
	dist := func(a, b int) float64 {
		return math.Abs(float64(a/side-b/side)) + math.Abs(float64(a%side-b%side))
	}

	// Partitions: intervals plus, for each, which nodes are on side A.
	type part struct {
		start, end float64
		sideA      []bool
	}
	var parts []part
	if cfg.Partitions {
		for t := 0.0; t < cfg.TimeLimit; {
			on := rng.Float64() * 10
			p := part{start: t, end: math.Min(t+on, cfg.TimeLimit), sideA: make([]bool, cfg.Nodes)}
			for i := range p.sideA {
				p.sideA[i] = rng.Intn(2) == 0
			}
			parts = append(parts, p)
			t = p.end + rng.Float64()*10
		}
	}
	arrival := func(from, to int, sent float64) float64 {
		t := sent + dist(from, to)*cfg.LatencyMS/1000 + rng.Float64()*cfg.LatencyMS/1000*0.3
		for _, p := range parts {
			if t >= p.start && sent < p.end && p.sideA[from] != p.sideA[to] {
				t = p.end + dist(from, to)*cfg.LatencyMS/1000
			}
		}
		return t
	}

	var ops []history.Op
	add := func(op history.Op) { op.Index = len(ops); ops = append(ops, op) }
	ns := func(s float64) int64 { return int64(s * 1e9) }
	var events []history.Op // completions, merged by time
	var vis []visibility
	var next int64
	procs := make([]int, cfg.Concurrency)
	busyUntil := make([]float64, cfg.Concurrency)
	for i := range procs {
		procs[i] = i
	}
	readAt := func(node int, t float64) []json.RawMessage {
		out := []json.RawMessage{}
		for _, v := range vis {
			if v.at[node] <= t {
				out = append(out, v.raw)
			}
		}
		return out
	}
	flushUntil := func(t float64) {
		sort.SliceStable(events, func(a, b int) bool { return events[a].Time < events[b].Time })
		i := 0
		for ; i < len(events) && (math.IsInf(t, 1) || events[i].Time <= ns(t)); i++ {
			add(events[i])
		}
		events = events[i:]
	}
	var serverMsgs, clientMsgs []float64
	opCount := 0
	var t float64
	w := 0
	for cfg.Rate > 0 {
		t += rng.Float64() * 2 / cfg.Rate
		if t >= cfg.TimeLimit {
			break
		}
		// Round-robin over free workers.
		found := false
		for k := 0; k < cfg.Concurrency; k++ {
			c := (w + k) % cfg.Concurrency
			if busyUntil[c] <= t {
				w, found = c, true
				break
			}
		}
		if !found {
			continue
		}
		flushUntil(t)
		node := w % cfg.Nodes
		lat := rng.ExpFloat64() * cfg.ClientMS / 1000
		opCount++
		timeout := cfg.TimeoutEvery > 0 && opCount%cfg.TimeoutEvery == 0
		if rng.Intn(2) == 0 {
			v := next
			next++
			add(history.Op{Time: ns(t), Type: history.Invoke, Process: procs[w], F: "broadcast", Value: v, Node: run.Nodes[node]})
			vz := visibility{value: v, raw: json.RawMessage(strconv.FormatInt(v, 10)), at: make([]float64, cfg.Nodes)}
			for n := range vz.at {
				switch {
				case n == node:
					vz.at[n] = t + lat/2
				case cfg.LoseEvery > 0 && int(v)%cfg.LoseEvery == 0:
					vz.at[n] = math.Inf(1)
				default:
					vz.at[n] = arrival(node, n, t+lat/2)
				}
			}
			vis = append(vis, vz)
			done := history.Op{Time: ns(t + lat), Type: history.OK, Process: procs[w], F: "broadcast", Value: v, Node: run.Nodes[node]}
			if timeout {
				done.Time, done.Type, done.Error = ns(t+5), history.Info, "net-timeout"
			}
			events = append(events, done)
			for k := 0; k < cfg.MsgsPerBroadcast; k++ {
				serverMsgs = append(serverMsgs, t+rng.Float64()*cfg.LatencyMS/1000*float64(side))
			}
		} else {
			add(history.Op{Time: ns(t), Type: history.Invoke, Process: procs[w], F: "read", Node: run.Nodes[node]})
			done := history.Op{Time: ns(t + lat), Type: history.OK, Process: procs[w], F: "read", Value: readAt(node, t+lat/2), Node: run.Nodes[node]}
			if timeout {
				done.Time, done.Type, done.Value, done.Error = ns(t+5), history.Fail, nil, "net-timeout"
			}
			events = append(events, done)
		}
		clientMsgs = append(clientMsgs, t, t+lat)
		busyUntil[w] = float64(events[len(events)-1].Time) / 1e9
		if events[len(events)-1].Type == history.Info {
			procs[w] += cfg.Concurrency
		}
		w = (w + 1) % cfg.Concurrency
	}
	flushUntil(math.Inf(1))
	for _, p := range parts {
		add(history.Op{Time: ns(p.start), Type: history.Info, Process: history.NemesisProcess, F: "start-partition", Value: "majority"})
		run.Faults = append(run.Faults, history.Interval{Kind: "partition", Start: ns(p.start), End: ns(p.end), Detail: "majority"})
	}
	// Keep the history in time order (nemesis ops were appended late).
	sort.SliceStable(ops, func(a, b int) bool { return ops[a].Time < ops[b].Time })
	for i := range ops {
		ops[i].Index = i
	}
	end := cfg.TimeLimit
	for _, o := range ops {
		end = math.Max(end, float64(o.Time)/1e9)
	}
	final := end + 10
	for c := 0; c < cfg.Concurrency; c++ {
		add(history.Op{Time: ns(final + float64(c)*1e-4), Type: history.Invoke, Process: procs[c], F: "read", Final: true, Node: run.Nodes[c%cfg.Nodes]})
	}
	for c := 0; c < cfg.Concurrency; c++ {
		at := final + float64(cfg.Concurrency+c)*1e-4 + 0.001
		add(history.Op{Time: ns(at), Type: history.OK, Process: procs[c], F: "read", Final: true, Value: readAt(c%cfg.Nodes, at), Node: run.Nodes[c%cfg.Nodes]})
		clientMsgs = append(clientMsgs, at, at)
	}

	// Counters and the per-second series.
	invokes := 0
	for _, o := range ops {
		if o.Type == history.Invoke {
			invokes++
		}
	}
	client := int64(4*cfg.Nodes + 2*invokes)
	server := int64(len(serverMsgs))
	dropped := int64(0)
	buckets := int(math.Ceil(final)) + 1
	run.Series = make([]history.Sample, buckets)
	for i := range run.Series {
		run.Series[i].Time = int64(i) * 1e9
	}
	for _, s := range serverMsgs {
		b := min(int(s), buckets-1)
		run.Series[b].ServerMsgs++
		for _, p := range parts {
			if s >= p.start && s < p.end && rng.Intn(2) == 0 {
				run.Series[b].Dropped++
				dropped++
				break
			}
		}
	}
	for _, s := range clientMsgs {
		run.Series[min(int(s), buckets-1)].ClientMsgs++
	}
	run.Net = history.Net{
		All:     history.Counts{Send: client + server, Recv: client + server - dropped, Msg: client + server},
		Clients: history.Counts{Send: client, Recv: client, Msg: client},
		Servers: history.Counts{Send: server, Recv: server - dropped, Msg: server},
	}
	run.Ops = ops
	return run
}
