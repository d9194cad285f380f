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
	a.openRound("n2")
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
		r, err = simulateLoad(seed, spec3d(), DefaultConfig())
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
