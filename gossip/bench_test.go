package gossip

import (
	"testing"
)

// BenchmarkStepPush measures a hub of 25 nodes handling one push of 10
// new values (merge, dedup, queue for 23 leaves).
func BenchmarkStepPush(b *testing.B) {
	hub := newCore(b, "n0", 25, nil)
	v := int64(0)
	seq := uint64(0)
	for b.Loop() {
		vals := make([]int64, 10)
		for i := range vals {
			vals[i] = v
			v++
		}
		seq++
		if err := hub.Step("n7", Message{Kind: KindPush, Values: vals, Round: seq}); err != nil {
			b.Fatal(err)
		}
		hub.Tick()
		hub.Ready()
	}
}

// BenchmarkRelayStepUpload measures the relay strategy's relay of 25
// nodes handling one upload of 2 new values from a leaf, with the flush of
// its window (to 24 peers) every 10 uploads.
func BenchmarkRelayStepUpload(b *testing.B) {
	relay := newCore(b, "n0", 25, func(c *Config) { c.Strategy = StrategyRelay })
	v, n := int64(0), 0
	seqs := map[string]uint64{}
	for b.Loop() {
		from := ids(25)[1+n%24]
		seqs[from]++
		vals := []int64{v, v + 1}
		v += 2
		if err := relay.Step(from, Message{Kind: KindPush, Values: vals, Round: seqs[from]}); err != nil {
			b.Fatal(err)
		}
		n++
		if n%10 == 0 {
			relay.Advance(relay.Now() + int64(relay.cfg.WindowTicks))
		}
		relay.Ready()
	}
}

// BenchmarkStepSync measures answering a sync round between two nodes of
// 2,000 values that differ in 10.
func BenchmarkStepSync(b *testing.B) {
	a := newCore(b, "n1", 25, nil)
	r := newCore(b, "n2", 25, nil)
	for v := range int64(2000) {
		r.Restore([]int64{v})
		if v%200 != 0 {
			a.Restore([]int64{v})
		}
	}
	a.ae.openRound("n2")
	sync := a.Ready().Messages[0].Msg
	for b.Loop() {
		if err := r.Step("n1", sync); err != nil {
			b.Fatal(err)
		}
		r.Ready()
	}
}

// BenchmarkTick measures an idle tick of a hub of 25 nodes holding 2,000
// values.
func BenchmarkTick(b *testing.B) {
	hub := newCore(b, "n0", 25, nil)
	for v := range int64(2000) {
		hub.Restore([]int64{v})
	}
	for b.Loop() {
		hub.Tick()
		hub.Ready()
	}
}

// BenchmarkSimulation3d runs the simulated Gossip Glomers 3d/3e workload
// (25 nodes, 100 ms latency, 100 ops/s for 20 s, then 10 s quiet) with the
// default config and reports server messages per operation and Maelstrom's
// stable latencies next to the Fly.io targets (3d: < 30 msgs/op, median <
// 400 ms, max < 600 ms; 3e: < 20 msgs/op, median < 1 s, max < 2 s).
func BenchmarkSimulation3d(b *testing.B) {
	var r loadResult
	seed := int64(0)
	for b.Loop() {
		seed++
		var err error
		r, err = simulateLoad(seed, spec3d(), starConfig())
		if err != nil {
			b.Fatal(err)
		}
		if r.unconverged > 0 {
			b.Fatalf("seed %d: %d values never reached every node", seed, r.unconverged)
		}
	}
	b.ReportMetric(r.msgsPerOp, "msgs/op(target<20)")
	b.ReportMetric(r.stableP50, "stable-p50-ms(target<400)")
	b.ReportMetric(r.stable, "stable-max-ms(target<600)")
	b.ReportMetric(r.propMax, "prop-max-ms")
}

// BenchmarkSimulationHubCut runs the simulated 3d/3e workload with the hub
// isolated from 5 s to 15 s (and, on odd iterations, on the small side of
// a 12 | 13 split instead) and reports, for values broadcast during the
// cut, how long they took to reach every node their origin could reach,
// next to the goal (about a second), and the run's messages per operation.
func BenchmarkSimulationHubCut(b *testing.B) {
	var p50s, maxs, mpos []float64
	seed := int64(0)
	for b.Loop() {
		seed++
		sc := hubScenarios(seed, 25)[seed%2]
		r, err := simulateLoad(seed, specHubCut(sc.groups), suspectOn())
		if err != nil {
			b.Fatal(err)
		}
		if r.unconverged > 0 || r.compUnreached > 0 {
			b.Fatalf("seed %d (%s): %d values never everywhere, %d never through their side", seed, sc.name, r.unconverged, r.compUnreached)
		}
		p50s, maxs, mpos = append(p50s, r.compP50), append(maxs, r.compMax), append(mpos, r.msgsPerOp)
	}
	b.ReportMetric(quantile(p50s, 0.5), "side-p50-ms")
	b.ReportMetric(quantile(maxs, 1), "side-max-ms(target<1000)")
	b.ReportMetric(quantile(mpos, 0.5), "msgs/op")
}
