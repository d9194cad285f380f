package plot_test

import (
	"testing"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/checker/synth"
	"broadcast/maelstrom/plot"
)

// BenchmarkWrite3d draws all five PNGs for a 3d-shaped run.
func BenchmarkWrite3d(b *testing.B) {
	run := synth.Run(synth.Gossip3d())
	res := checker.Check(run)
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := plot.Write(dir, run, res); err != nil {
			b.Fatal(err)
		}
	}
}
