package results_test

import (
	"testing"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/checker/synth"
	"broadcast/maelstrom/results"
)

// BenchmarkWrite3d writes all five files for a 3d-shaped run.
func BenchmarkWrite3d(b *testing.B) {
	run := synth.Run(synth.Gossip3d())
	res := checker.Check(run)
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := results.Write(dir, run, res); err != nil {
			b.Fatal(err)
		}
	}
}
