package results

import (
	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/checker/staleness"
	"broadcast/maelstrom/quantile"
)

// stalenessTree renders the staleness figures under bench "staleness":
// {"while-reachable" {...} "after-heal" {...}}, each with the value count,
// the stale count, the worst value and the quantiles in ms.
func stalenessTree(b checker.Bench) any {
	if b.Staleness == nil {
		if b.StalenessError != "" {
			return Map{kv("error", b.StalenessError)}
		}
		return nil
	}
	fig := func(f staleness.Figure) Map {
		qs := Map{}
		for i, ms := range f.MS {
			qs = append(qs, Entry{quantileKey(quantile.Points[i]), ms})
		}
		var worst any
		if f.WorstValue >= 0 {
			worst = f.WorstValue
		}
		return Map{
			kv("value-count", int64(f.Values)),
			kv("stale-count", int64(f.Stale)),
			kv("worst-value", worst),
			kv("quantiles-ms", qs),
		}
	}
	return Map{
		kv("while-reachable", fig(b.Staleness.Reachable)),
		kv("after-heal", fig(b.Staleness.AfterHeal)),
	}
}
