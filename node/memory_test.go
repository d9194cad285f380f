package node

import (
	"fmt"
	"math/rand"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// feedPushes delivers the values [from, to) as gossip pushes from n2 in
// batches of 500 (shuffled within the batch), pacing them at about perSec
// values a second (0: as fast as the node takes them), with a read every
// 5,000 values; a read is answered once every value before it is durable.
func feedPushes(b *testing.B, tr *Mem, rng *rand.Rand, from, to int64, perSec int, msgID *int64) {
	b.Helper()
	batch := make([]string, 0, 500)
	start, sent := time.Now(), 0
	for v := from; v < to; v += 500 {
		batch = batch[:0]
		for x := v; x < min(v+500, to); x++ {
			batch = append(batch, strconv.FormatInt(x, 10))
		}
		rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		tr.Deliver(fmt.Appendf(nil, `{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":[%s]}}`, strings.Join(batch, ",")))
		sent += len(batch)
		if perSec > 0 {
			if ahead := time.Duration(sent)*time.Second/time.Duration(perSec) - time.Since(start); ahead > 0 {
				time.Sleep(ahead)
			}
		}
		if (v-from)%5000 == 4500 || v+500 >= to {
			*msgID++
			tr.Deliver(fmt.Appendf(nil, `{"src":"c1","dest":"n1","body":{"type":"read","msg_id":%d}}`, *msgID))
			want := fmt.Appendf(nil, `"in_reply_to":%d}`, *msgID)
			for {
				line, err := tr.Next(waitLong)
				if err != nil {
					b.Fatal(err)
				}
				if strings.Contains(string(line), `"dest":"c1"`) && strings.Contains(string(line), string(want)) {
					break
				}
			}
		}
	}
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
