package plot

import (
	"strings"
	"testing"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/checker/synth"
)

// Rule: the stable-latency figure marks p95 and max of both staleness
// figures, and its y axis reaches the highest mark; pauses have their own
// shade and legend entry.
func TestStalenessMarksAndPauseShade(t *testing.T) {
	cfg := synth.Gossip3d()
	cfg.Partitions = true
	run := synth.Run(cfg)
	res := checker.Check(run)
	if res.Bench.Staleness == nil {
		t.Fatal("no staleness figures")
	}
	d := newData(run, res)
	marks := stalenessMarks(d)
	if len(marks) != 4 {
		t.Fatalf("%d marks, want 4", len(marks))
	}
	maxReach, _ := res.Bench.Staleness.Reachable.At(1)
	if !strings.Contains(marks[1].label, "reachable max") || marks[1].ms != maxReach {
		t.Fatalf("mark %+v, want while reachable max %d", marks[1], maxReach)
	}
	fig := stableLatency(d)
	for _, m := range marks {
		if float64(m.ms) > fig.p.Y.Max {
			t.Fatalf("mark %s above the y axis (%v)", m.label, fig.p.Y.Max)
		}
	}
	if faultLabel("pause") != "node paused" || faultColor("pause") != pauseColor {
		t.Fatal("pause shade")
	}
}
