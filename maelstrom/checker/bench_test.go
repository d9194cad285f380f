package checker_test

import (
	"testing"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/checker/synth"
)

// BenchmarkCheck3d checks a 3d-shaped run (25 nodes, rate 100, 20 s:
// ~2000 ops, ~1000 values). Target: well under a second, so analysis never
// dominates a 35 s bench run.
func BenchmarkCheck3d(b *testing.B) {
	run := synth.Run(synth.Gossip3d())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		checker.Check(run)
	}
	b.ReportMetric(float64(len(run.Ops)), "ops/run")
}

// BenchmarkCheck60s checks a 60 s run at rate 100 (~6000 ops): the
// per-read sweep is O(values) per read, so this grows quadratically.
func BenchmarkCheck60s(b *testing.B) {
	cfg := synth.Gossip3d()
	cfg.TimeLimit = 60
	run := synth.Run(cfg)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		checker.Check(run)
	}
	b.ReportMetric(float64(len(run.Ops)), "ops/run")
}
