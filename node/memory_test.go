package node

import (
	"fmt"
	"math/rand"
	"runtime"
	"strings"
	"testing"

	"broadcast/internal/feed"
)

// feedPushes delivers the values [from, to) to the node as gossip pushes
// (feed.Pushes), each read answered before it goes on.
func feedPushes(b *testing.B, tr *Mem, rng *rand.Rand, from, to int64, perSec int, msgID *int64) {
	b.Helper()
	feed.Pushes(rng, from, to, perSec, func(line []byte) { tr.Deliver(line) }, func() {
		*msgID++
		tr.Deliver(fmt.Appendf(nil, `{"src":"c1","dest":"n1","body":{"type":"read","msg_id":%d}}`, *msgID))
		want := fmt.Appendf(nil, `"in_reply_to":%d}`, *msgID)
		for {
			line, err := tr.Next(waitLong)
			if err != nil {
				b.Fatal(err)
			}
			if strings.Contains(string(line), `"dest":"c1"`) && strings.Contains(string(line), string(want)) {
				return
			}
		}
	})
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkNodeHeapPerValue runs a node in this process (durability disk,
// ticker on) among n1 and n2, gives it 10,000 values from its peer, then
// 140,000 more, and reports the growth of the live heap per value next to
// the target of 64 bytes of resident memory per value: everything the
// node and its gossip core and store keep per value. "fast" pushes as fast
// as the node takes values; "paced" at 10,000 values a second, so that the
// gossip core's structures for recently learned values (held for
// SettleTicks) stay as small as in a run.
func BenchmarkNodeHeapPerValue(b *testing.B) {
	const warm, total = 10_000, 150_000
	for _, tc := range []struct {
		name   string
		perSec int
	}{{"fast", 0}, {"paced", 10_000}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				tr, n := startBenchNode(b, DefaultConfig(), `["n1","n2"]`)
				rng := rand.New(rand.NewSource(1))
				var msgID int64 = 1
				feedPushes(b, tr, rng, 0, warm, tc.perSec, &msgID)
				tr.Pending()
				h0 := heapInUse()
				feedPushes(b, tr, rng, warm, total, tc.perSec, &msgID)
				tr.Pending()
				h1 := heapInUse()
				n.Stop()
				b.ReportMetric(float64(int64(h1)-int64(h0))/(total-warm), "heap-B/value")
				b.ReportMetric(64, "target-B/value")
			}
		})
	}
}
