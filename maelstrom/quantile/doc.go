// Package quantile is the one definition of the latency quantiles the bench
// reports, as Maelstrom's checker computes them: the points, and jepsen's
// frequency-distribution index into sorted samples.
//
//	sort.Slice(ms, ...)
//	for _, q := range quantile.Points {
//		v := ms[quantile.Index(len(ms), q)]
//	}
package quantile
