package synth

import (
	"reflect"
	"testing"

	"broadcast/maelstrom/history"
)

func TestRunIsWellFormed(t *testing.T) {
	for seed := int64(1); seed <= 3; seed++ {
		cfg := Gossip3d()
		cfg.Seed, cfg.Partitions, cfg.TimeoutEvery, cfg.TimeLimit = seed, true, 50, 8
		run := Run(cfg)
		pending := map[int]bool{}
		var last int64
		for i, op := range run.Ops {
			if op.Index != i {
				t.Fatalf("seed %d: op %d has index %d", seed, i, op.Index)
			}
			if op.Time < last {
				t.Fatalf("seed %d: time goes back at %d", seed, i)
			}
			last = op.Time
			if op.Process < 0 {
				continue
			}
			if op.Type == history.Invoke {
				if pending[op.Process] {
					t.Fatalf("seed %d: process %d invoked twice", seed, op.Process)
				}
				pending[op.Process] = true
			} else {
				if !pending[op.Process] {
					t.Fatalf("seed %d: completion %d without invocation", seed, i)
				}
				delete(pending, op.Process)
			}
		}
		if len(pending) != 0 {
			t.Fatalf("seed %d: %d ops never completed", seed, len(pending))
		}
		if !reflect.DeepEqual(Run(cfg), run) {
			t.Fatalf("seed %d: not reproducible", seed)
		}
	}
}
