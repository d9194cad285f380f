package tests

import (
	"math/rand"
	"testing"
	"time"

	"broadcast/internal/feed"
)

// feedValues pushes the values [from, to) to the node as gossip from peer
// n2 (feed.Pushes), each read from c1 answered before it goes on.
func feedValues(t testing.TB, p *nodeProc, c1 chan reply, rng *rand.Rand, from, to int64, perSec int, msgID *int64) {
	t.Helper()
	feed.Pushes(rng, from, to, perSec, func(line []byte) { p.send("%s", line) }, func() {
		*msgID++
		p.send(`{"src":"c1","dest":"n1","body":{"type":"read","msg_id":%d}}`, *msgID)
		if r := await(t, c1, *msgID, 30*time.Second); r.typ != "read_ok" {
			t.Fatalf("read answered %q", r.typ)
		}
	})
}

// BenchmarkNodeMemoryPerValue runs the built node (durability disk, so the
// store and its snapshots count too), gives it 10,000 values, then 140,000
// more, and reports the growth of its resident memory per value next to
// the target of 64 bytes: everything the node keeps per value (the sets,
// the gossip core's per-value structures, the store, the cached read
// reply, and the Go heap's headroom). "fast" pushes values as fast as the
// node takes them; "paced" at 10,000 a second, so that the gossip core's
// structures for recently learned values stay as small as in a run.
func BenchmarkNodeMemoryPerValue(b *testing.B) {
	const warm, total = 10_000, 150_000
	for _, tc := range []struct {
		name   string
		perSec int
	}{{"fast", 0}, {"paced", 10_000}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				c0, c1 := make(chan reply, 16), make(chan reply, 16)
				p := startNode(b, map[string]chan reply{"c0": c0, "c1": c1}, nil)
				initNode(b, p, c0, `["n1","n2"]`)
				rng := rand.New(rand.NewSource(1))
				var msgID int64 = 1
				feedValues(b, p, c1, rng, 0, warm, tc.perSec, &msgID)
				time.Sleep(300 * time.Millisecond)
				s0 := p.status()
				feedValues(b, p, c1, rng, warm, total, tc.perSec, &msgID)
				time.Sleep(300 * time.Millisecond)
				s1 := p.status()
				p.stop()
				b.ReportMetric(float64(s1.RSS-s0.RSS)/float64(total-warm), "rss-B/value")
				b.ReportMetric(64, "target-B/value")
				b.ReportMetric(float64(s0.RSS)/1e6, "rss-MB@10k")
				b.ReportMetric(float64(s1.RSS)/1e6, "rss-MB@150k")
			}
		})
	}
}
