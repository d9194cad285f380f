// Package feed is the load that the node's memory benchmarks share: values
// pushed to a node as gossip from a peer, at a set pace, with a read now and
// then that proves the node holds them. The node package drives it over its
// in-memory transport, tests/ over the built binary's pipes.
//
//	feed.Pushes(rng, 0, 150_000, 10_000, func(line []byte) { send(line) }, func() { read() })
package feed

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"time"
)

// Batch is how many values one push carries; ReadEvery is how many values
// pass between two reads.
const (
	Batch     = 500
	ReadEvery = 5000
)

// Pushes hands send the gossip pushes from n2 to n1 that carry the values
// [from, to), Batch at a time (shuffled within the batch), at about perSec
// values a second (0: as fast as send returns), and calls read after every
// ReadEvery values and after the last batch. read must return only once the
// node has answered a read (a read waits until the values before it are
// durable, so the node then holds them all).
func Pushes(rng *rand.Rand, from, to int64, perSec int, send func(line []byte), read func()) {
	batch := make([]string, 0, Batch)
	start, sent := time.Now(), 0
	for v := from; v < to; v += Batch {
		batch = batch[:0]
		for x := v; x < min(v+Batch, to); x++ {
			batch = append(batch, strconv.FormatInt(x, 10))
		}
		rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		send(fmt.Appendf(nil, `{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":[%s]}}`, strings.Join(batch, ",")))
		sent += len(batch)
		if perSec > 0 {
			if ahead := time.Duration(sent)*time.Second/time.Duration(perSec) - time.Since(start); ahead > 0 {
				time.Sleep(ahead)
			}
		}
		if (v-from)%ReadEvery == ReadEvery-Batch || v+Batch >= to {
			read()
		}
	}
}
