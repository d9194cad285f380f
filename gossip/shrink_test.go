package gossip

import (
	"runtime"
	"testing"
)

// Rule: a burst of values does not leave its memory behind once the
// values have settled: the recent-values map is rebuilt at a quarter of
// its peak, so a core that learned 100,000 values at once keeps about
// what a core that learned them slowly keeps (the set, the summary and the
// bucket index), well under the node's budget of 64 bytes per value.
func TestBurstMemoryIsGivenBack(t *testing.T) {
	const n = 100_000
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	c := newCore(t, "n1", 25, quiet)
	c.Ready()
	for v := int64(0); v < n; v++ {
		c.Broadcast(v)
		if v%500 == 499 {
			c.Ready()
		}
	}
	c.Ready()
	if c.recentPeak < n/2 && len(c.recent) < n/2 {
		t.Fatalf("the burst never filled the recent map (len %d, peak %d): the test measures nothing", len(c.recent), c.recentPeak)
	}
	for range c.cfg.SettleTicks + 2 {
		c.Tick()
		c.Ready()
	}
	if len(c.recent) != 0 {
		t.Fatalf("%d values still recent after SettleTicks", len(c.recent))
	}
	perValue := float64(heap()-before) / n
	runtime.KeepAlive(c)
	t.Logf("retained heap after the burst settled: %.1f B/value", perValue)
	if perValue > 32 {
		t.Errorf("retained heap %.1f B/value after a settled burst, want <= 32 (the map of a burst is kept)", perValue)
	}
}
