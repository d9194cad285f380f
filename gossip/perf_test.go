package gossip

import (
	"flag"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

var flagTable = flag.Bool("sim.table", false, "print the 3d/3e simulation table for the default config and alternatives")

// loadResult is what one simulated Gossip Glomers 3d/3e run measured.
type loadResult struct {
	ops, broadcasts   int
	serverMsgs        int
	msgsPerOp         float64
	byKind            map[Kind]int
	propP50, propMax  float64 // ms from broadcast until every node has the value
	stableP50, stable float64 // Maelstrom's :stable-latencies 0.5 and 1, ms
	unconverged       int
	healMs            float64 // ms from the heal until every node held every value broadcast before it
	// For runs with a cut: values broadcast during it on a node that could
	// reach others (both ways), and the ms until every node it could reach
	// held each (Maelstrom-style quantiles).
	compValues       int
	compP50, compMax float64
	compUnreached    int // such values some group member never held
	// pushes of the acknowledgement machinery: direct copies, acks, probes
	directSent, ackOnly, probes int
}

// loadSpec describes a simulated run in milliseconds (1 step = 1 ms).
type loadSpec struct {
	nodes      int
	latencyMs  int64
	uniform    bool    // latency uniform on [0, 2*latencyMs) as Maelstrom's --latency-dist uniform; else constant
	rate       float64 // client ops per second, half broadcasts, half reads
	seconds    int64   // main phase
	recoveryMs int64   // quiet phase before the final reads (Maelstrom: 10 s)
	tickMs     int64
	// partition, if >= 0, applies that Maelstrom partition shape (0..3,
	// see nemesisPartition) from partitionAt to healAt (ms).
	partition           int
	partitionAt, healAt int64
	// groups, if set (and partition < 0), cuts the network into these
	// groups of node ids instead (nodes not listed form one more group)
	// from partitionAt to healAt.
	groups [][]string
}

func spec3d() loadSpec {
	return loadSpec{nodes: 25, latencyMs: 100, rate: 100, seconds: 20, recoveryMs: 10000, tickMs: 10, partition: -1}
}

// simulateLoad runs the Maelstrom broadcast workload (spec 4.1-4.2, 4.6,
// 5) against cfg on a simNet: ops at uniform gaps in [0, 2/rate) to random
// nodes, reads answered from the node's set at once (client latency 0),
// then a quiet phase and one final read per node. Server messages are
// counted over the whole run, as Maelstrom does.
func simulateLoad(seed int64, sp loadSpec, cfg Config) (loadResult, error) {
	lat := sp.latencyMs
	latency := func(*rand.Rand) int64 { return lat }
	if sp.uniform {
		latency = func(r *rand.Rand) int64 { return r.Int63n(2 * lat) }
	}
	s, err := newSimNet(seed, sp.nodes, sp.tickMs, latency, cfg)
	if err != nil {
		return loadResult{}, err
	}
	rng := rand.New(rand.NewSource(seed ^ 0x5eed))
	bornAt := map[int64]int64{}
	holders := map[int64]int{}
	doneAt := map[int64]int64{}
	cut := sp.partition >= 0 || sp.groups != nil
	// Values broadcast during the cut, and the nodes each can reach (both
	// ways, the origin included); compHolders counts those holding it.
	compOrigin := map[int64]string{}
	compReach := map[int64]map[string]bool{}
	compHolders := map[int64]int{}
	compDoneAt := map[int64]int64{}
	reach := func(o string) map[string]bool {
		r := map[string]bool{}
		for _, id := range s.ids {
			if id == o || !s.blocked[id][o] && !s.blocked[o][id] {
				r[id] = true
			}
		}
		return r
	}
	s.learned = func(id string, v int64) {
		holders[v]++
		if holders[v] == sp.nodes {
			doneAt[v] = s.now
		}
		if r, ok := compReach[v]; ok && r[id] {
			if compHolders[v]++; compHolders[v] == len(r) {
				compDoneAt[v] = s.now
			}
		}
	}
	lastAbsent := map[int64]int64{}
	var pending []int64 // values not yet everywhere
	read := func(id string) {
		c := s.cores[id]
		keep := pending[:0]
		for _, v := range pending {
			if !c.Has(v) {
				lastAbsent[v] = s.now
			}
			if _, done := doneAt[v]; !done {
				keep = append(keep, v)
			}
		}
		pending = keep
	}
	var res loadResult
	end := sp.seconds * 1000
	nextOp := 0.0
	var next int64
	for s.now < end+sp.recoveryMs {
		if sp.partition >= 0 && s.now == sp.partitionAt {
			s.nemesisPartition(sp.partition)
		}
		if sp.partition < 0 && sp.groups != nil && s.now == sp.partitionAt {
			s.partition(sp.groups...)
		}
		if cut && s.now == sp.healAt {
			s.heal()
		}
		for s.now < end && float64(s.now) >= nextOp {
			id := s.ids[rng.Intn(sp.nodes)]
			res.ops++
			if rng.Intn(2) == 0 {
				bornAt[next] = s.now
				pending = append(pending, next)
				if cut && s.now >= sp.partitionAt && s.now < sp.healAt {
					if r := reach(id); len(r) > 1 {
						compOrigin[next], compReach[next] = id, r
					}
				}
				s.broadcast(id, next)
				res.broadcasts++
				next++
			} else {
				read(id)
			}
			nextOp += rng.Float64() * 2000 / sp.rate
		}
		s.step()
	}
	for _, id := range s.ids { // final reads
		res.ops++
		read(id)
	}
	if len(s.errs) > 0 {
		return res, fmt.Errorf("protocol errors: %v", s.errs[:min(3, len(s.errs))])
	}
	res.serverMsgs = s.sent
	res.directSent, res.ackOnly, res.probes = s.directSent, s.ackOnly, s.probes
	res.byKind = s.sentByKind
	res.msgsPerOp = float64(s.sent) / float64(res.ops)
	var prop, stable []float64
	if cut {
		for v, born := range bornAt {
			if born < sp.healAt {
				res.healMs = max(res.healMs, float64(doneAt[v]-sp.healAt))
			}
		}
	}
	for v, born := range bornAt {
		if d, ok := doneAt[v]; ok {
			prop = append(prop, float64(d-born))
		} else {
			res.unconverged++
		}
		stable = append(stable, float64(max(0, lastAbsent[v]-born)))
	}
	var comp []float64
	for v := range compOrigin {
		if d, ok := compDoneAt[v]; ok {
			comp = append(comp, float64(d-bornAt[v]))
		} else {
			res.compUnreached++
		}
	}
	res.compValues = len(compOrigin)
	res.compP50, res.compMax = quantile(comp, 0.5), quantile(comp, 1)
	res.propP50, res.propMax = quantile(prop, 0.5), quantile(prop, 1)
	res.stableP50, res.stable = quantile(stable, 0.5), quantile(stable, 1)
	return res, nil
}

// quantile follows Maelstrom's checker: sorted[min(n-1, floor(n*q))].
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[min(len(xs)-1, int(float64(len(xs))*q))]
}

type namedConfig struct {
	name string
	cfg  Config
}

func alternatives() []namedConfig {
	d := starConfig()
	with := func(name string, f func(*Config)) namedConfig {
		c := d
		f(&c)
		return namedConfig{name, c}
	}
	relayWith := func(name string, f func(*Config)) namedConfig {
		c := DefaultConfig()
		f(&c)
		return namedConfig{name, c}
	}
	return []namedConfig{
		{"relay (default)", DefaultConfig()},
		relayWith("relay window=30", func(c *Config) { c.WindowTicks = 30 }),
		relayWith("relay window=45", func(c *Config) { c.WindowTicks = 45 }),
		relayWith("direct", func(c *Config) { c.Strategy = StrategyDirect }),
		{"star", d},
		with("relay=5", func(c *Config) { c.RelayTicks = 5 }),
		with("relay=8", func(c *Config) { c.RelayTicks = 8 }),
		with("relay=10", func(c *Config) { c.RelayTicks = 10 }),
		with("relay=12", func(c *Config) { c.RelayTicks = 12 }),
		with("relay=20", func(c *Config) { c.RelayTicks = 20 }),
		with("flush=all", func(c *Config) { c.ClientFlush = FlushAll }),
		with("flush=none", func(c *Config) { c.ClientFlush = FlushNone }),
		with("fanout=4", func(c *Config) { c.TreeFanout = 4 }),
		with("fanout=2", func(c *Config) { c.TreeFanout = 2 }),
		with("overlay=full", func(c *Config) { c.Overlay = OverlayFull }),
		with("sync=25..100", func(c *Config) { c.SyncTicks, c.MaxSyncTicks = 25, 100 }),
		with("sync=50..200", func(c *Config) { c.SyncTicks, c.MaxSyncTicks = 50, 200 }),
		with("sync=100..800", func(c *Config) { c.SyncTicks, c.MaxSyncTicks = 100, 800 }),
		with("sync=fixed 100", func(c *Config) { c.SyncTicks, c.MaxSyncTicks = 100, 100 }),
		with("noskip", func(c *Config) { c.MaxSkipTicks = 1 }),
		with("skip=400", func(c *Config) { c.MaxSkipTicks = 400 }),
		with("skip=2000", func(c *Config) { c.MaxSkipTicks = 2000 }),
		with("buckets=256", func(c *Config) { c.MerkleBuckets = 256 }),
	}
}

// TestSimulationTable prints, for the 3d/3e setting, server messages per
// operation and propagation and stable latencies for the default config
// and alternatives (go test -run SimulationTable -sim.table -v).
func TestSimulationTable(t *testing.T) {
	if !*flagTable {
		t.Skip("run with -sim.table")
	}
	seeds := []int64{1, 2, 3}
	var b strings.Builder
	fmt.Fprintf(&b, "\n25 nodes, 100 ms latency, 100 ops/s, 20 s + 10 s quiet, %d seeds (mean)\n", len(seeds))
	fmt.Fprintf(&b, "%-16s %9s %9s %9s %9s %9s  %s\n", "config", "msgs/op", "prop-p50", "prop-max", "stab-p50", "stab-max", "messages by kind")
	for _, nc := range append(alternatives(), namedConfig{"default uniform", starConfig()}) {
		sp := spec3d()
		sp.uniform = nc.name == "default uniform"
		var sum loadResult
		kinds := map[Kind]int{}
		for _, seed := range seeds {
			r, err := simulateLoad(seed, sp, nc.cfg)
			if err != nil {
				t.Fatalf("%s seed %d: %v", nc.name, seed, err)
			}
			sum.msgsPerOp += r.msgsPerOp / float64(len(seeds))
			sum.propP50 += r.propP50 / float64(len(seeds))
			sum.propMax += r.propMax / float64(len(seeds))
			sum.stableP50 += r.stableP50 / float64(len(seeds))
			sum.stable += r.stable / float64(len(seeds))
			sum.unconverged += r.unconverged
			for k, n := range r.byKind {
				kinds[k] += n / len(seeds)
			}
		}
		fmt.Fprintf(&b, "%-16s %9.2f %9.0f %9.0f %9.0f %9.0f  %v", nc.name, sum.msgsPerOp, sum.propP50, sum.propMax, sum.stableP50, sum.stable, kinds)
		if sum.unconverged > 0 {
			fmt.Fprintf(&b, " UNCONVERGED %d", sum.unconverged)
		}
		b.WriteString("\n")
	}
	t.Log(b.String())
}

// TestSimulationPartitionTable prints, for the 3d/3e setting with each
// Maelstrom partition shape cut from 5 s to 10 s, how long after the heal
// every node held every value broadcast before it: with traffic going on,
// and with traffic stopped at the heal (as in Maelstrom's final phase).
func TestSimulationPartitionTable(t *testing.T) {
	if !*flagTable {
		t.Skip("run with -sim.table")
	}
	seeds := []int64{1, 2, 3, 4}
	var b strings.Builder
	fmt.Fprintf(&b, "\nheal -> converged, ms (max over %d seeds); shapes: one, minority-third, majority, ring\n", len(seeds))
	fmt.Fprintf(&b, "%-16s %-31s %-31s %9s\n", "config", "traffic continues", "traffic stops at heal", "msgs/op")
	for _, nc := range alternatives() {
		var cont, stop [4]float64
		mpo := 0.0
		for shape := range 4 {
			for _, seed := range seeds {
				sp := spec3d()
				sp.partition, sp.partitionAt, sp.healAt = shape, 5000, 10000
				r, err := simulateLoad(seed, sp, nc.cfg)
				if err != nil {
					t.Fatal(err)
				}
				cont[shape] = max(cont[shape], r.healMs)
				mpo += r.msgsPerOp / float64(4*len(seeds))
				sp.seconds = 10
				r, err = simulateLoad(seed, sp, nc.cfg)
				if err != nil {
					t.Fatal(err)
				}
				stop[shape] = max(stop[shape], r.healMs)
			}
		}
		fmt.Fprintf(&b, "%-16s %7.0f %7.0f %7.0f %7.0f %7.0f %7.0f %7.0f %7.0f %9.2f\n", nc.name,
			cont[0], cont[1], cont[2], cont[3], stop[0], stop[1], stop[2], stop[3], mpo)
	}
	t.Log(b.String())
}

// hubScenarios are the partitions that cut leaves off the hub n0 of the
// default star, for 10 s in the middle of a 20 s 3d/3e run: the hub
// isolated, and the hub on the small side (12 | 13) of a majority split,
// its 11 companions drawn from seed.
func hubScenarios(seed int64, nodes int) []struct {
	name   string
	groups [][]string
} {
	rng := rand.New(rand.NewSource(seed))
	others := make([]string, 0, nodes-1)
	for i := 1; i < nodes; i++ {
		others = append(others, fmt.Sprintf("n%d", i))
	}
	rng.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	small := append([]string{"n0"}, others[:nodes/2-1]...)
	return []struct {
		name   string
		groups [][]string
	}{
		{"hub isolated", [][]string{{"n0"}}},
		{"hub in minority", [][]string{small}},
	}
}

// specHubCut is spec3d with group cut from 5 s to 15 s.
func specHubCut(groups [][]string) loadSpec {
	sp := spec3d()
	sp.groups, sp.partitionAt, sp.healAt = groups, 5000, 15000
	return sp
}

// TestSimulationPartitionLatency prints, for the 3d/3e setting (25 nodes,
// 100 ms = 10 ticks latency, 100 ops/s, 20 s + 10 s quiet) with a cut from
// 5 s to 15 s, how long values broadcast during the cut took to reach
// every node their origin could reach (median and max per seed), and the
// messages per operation; then the healthy run. The cuts: the hub
// isolated, the hub on the small side of a 12 | 13 split, and Maelstrom's
// four shapes over shuffled nodes (go test -run PartitionLatency
// -sim.table -v).
func TestSimulationPartitionLatency(t *testing.T) {
	if !*flagTable {
		t.Skip("run with -sim.table")
	}
	seeds := []int64{1, 2, 3, 4, 5}
	configs := []namedConfig{{"default (suspicion off)", starConfig()}, {"suspicion on", suspectOn()}}
	cuts := []struct {
		name string
		spec func(seed int64) loadSpec
	}{
		{"hub isolated", func(seed int64) loadSpec { return specHubCut(hubScenarios(seed, 25)[0].groups) }},
		{"hub in minority", func(seed int64) loadSpec { return specHubCut(hubScenarios(seed, 25)[1].groups) }},
	}
	for shape, name := range []string{"one", "minority-third", "majority", "ring"} {
		cuts = append(cuts, struct {
			name string
			spec func(seed int64) loadSpec
		}{"shape " + name, func(int64) loadSpec {
			sp := spec3d()
			sp.partition, sp.partitionAt, sp.healAt = shape, 5000, 15000
			return sp
		}})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nms from broadcast (during the cut) until every node its origin could reach held it, per seed p50/max; msgs/op over the run\n")
	for _, nc := range configs {
		for _, cut := range cuts {
			fmt.Fprintf(&b, "%-12s %-20s", nc.name, cut.name)
			var p50s, maxs []float64
			mpo := 0.0
			for _, seed := range seeds {
				r, err := simulateLoad(seed, cut.spec(seed), nc.cfg)
				if err != nil {
					t.Fatal(err)
				}
				if r.unconverged > 0 || r.compUnreached > 0 {
					t.Errorf("%s %s seed %d: %d values never everywhere, %d never through their side", nc.name, cut.name, seed, r.unconverged, r.compUnreached)
				}
				fmt.Fprintf(&b, " %5.0f/%-5.0f", r.compP50, r.compMax)
				p50s, maxs = append(p50s, r.compP50), append(maxs, r.compMax)
				mpo += r.msgsPerOp / float64(len(seeds))
			}
			fmt.Fprintf(&b, "  median p50 %5.0f, worst max %5.0f, msgs/op %.3f\n", quantile(p50s, 0.5), quantile(maxs, 1), mpo)
		}
		fmt.Fprintf(&b, "%-12s %-20s", nc.name, "healthy")
		mpo, p50, mx := 0.0, 0.0, 0.0
		for _, seed := range seeds {
			r, err := simulateLoad(seed, spec3d(), nc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, " %.4f", r.msgsPerOp)
			mpo += r.msgsPerOp / float64(len(seeds))
			p50 += r.stableP50 / float64(len(seeds))
			mx += r.stable / float64(len(seeds))
		}
		fmt.Fprintf(&b, "  msgs/op %.4f, stable p50 %.0f max %.0f ms\n", mpo, p50, mx)
	}
	t.Log(b.String())
}
