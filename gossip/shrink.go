package gossip

// A Go map keeps the buckets of its largest size for good. The maps that
// hold only recent values (learned in the last SettleTicks) would therefore
// keep the memory of the largest burst a node ever saw (a catch-up after a
// partition) for the rest of its life.

// shrinkMinPeak is the size below which a recent-values map is never
// rebuilt: small maps cost little, and rebuilding them would be churn.
const shrinkMinPeak = 4096

// shrunk returns m, or a copy of m in a new map when m has fallen to a
// quarter of the largest size it reached since it was last built (*peak),
// so that a burst's memory is given back. The copy costs O(len(m)), paid
// for by the removals since the peak. Call it after removing from m; it
// keeps *peak up to date.
func shrunk[K comparable, V any](m map[K]V, peak *int) map[K]V {
	n := len(m)
	if n > *peak {
		*peak = n
	}
	if *peak < shrinkMinPeak || n > *peak/4 {
		return m
	}
	fresh := make(map[K]V, n)
	for k, v := range m {
		fresh[k] = v
	}
	*peak = n
	return fresh
}

// shrunkQueue returns q with its unused head capacity given back when it
// is mostly empty: q[0] is the oldest entry still wanted, and a resliced
// queue otherwise pins the backing array of its largest burst.
func shrunkQueue[T any](q []T) []T {
	if cap(q) < shrinkMinPeak || len(q) > cap(q)/4 {
		return q
	}
	return append(make([]T, 0, 2*len(q)), q...)
}
