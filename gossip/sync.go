package gossip

import (
	"bytes"
	"fmt"
	"slices"

	"broadcast/merkle"
)

// roundDue runs when an anti-entropy round comes due. The interval backs
// off (doubles up to MaxSyncTicks); it only comes back to SyncTicks when a
// real gap is found (see gapFound). The round is skipped while the push
// stream is healthy: pushes arrived since the last due round, with no lost
// one and no other gap, and a real round was opened less than MaxSkipTicks
// ago.
//
// While the parent is suspect the interval stays at SyncTicks and no
// round is skipped.
func (c *Core) roundDue() {
	if c.suspect {
		c.syncInterval = c.cfg.SyncTicks
	} else {
		c.syncInterval = min(c.syncInterval*2, c.cfg.MaxSyncTicks)
	}
	c.nextSync = c.now + c.jitter(c.syncInterval)
	healthy := !c.suspect && c.pushesReceived > 0 && !c.gapSeen && c.now-c.lastRealRound < int64(c.cfg.MaxSkipTicks)
	c.pushesReceived, c.gapSeen = 0, false
	if healthy || len(c.peers) == 0 {
		return
	}
	// Any node, not only overlay neighbours, so that rounds work around a
	// cut-off hub.
	c.openRound(c.peers[c.rng.Intn(len(c.peers))])
}

// openRound sends a KindSync with this node's summary to peer.
func (c *Core) openRound(peer string) {
	c.lastRealRound = c.now
	c.lastPeerRound[peer] = c.now
	c.lastRound++
	c.send(peer, Message{
		Kind:        KindSync,
		Root:        slices.Clone(c.tree.Root()),
		Digests:     slices.Clone(c.tree.Digests()),
		Count:       c.values.Len(),
		Incarnation: c.incarnation,
		Round:       c.lastRound,
	})
}

// resetSync brings the anti-entropy interval back to SyncTicks, makes the
// next due round a real one, and reschedules it if it was further away.
func (c *Core) resetSync() {
	c.syncInterval = c.cfg.SyncTicks
	c.gapSeen = true
	if next := c.now + c.jitter(c.cfg.SyncTicks); next < c.nextSync {
		c.nextSync = next
	}
}

// gapFound records a real gap between this node and peer (values one side
// had held for SettleTicks were missing on the other, or pushes from peer
// were lost): anti-entropy comes back to its base interval and, if
// roundNow, opens a round with peer at once (at most one per peer every
// SettleTicks/2).
func (c *Core) gapFound(peer, what string, roundNow bool) {
	if c.syncInterval > c.cfg.SyncTicks {
		c.cfg.Logf("sync gap with %s: %s; interval %d -> %d ticks", peer, what, c.syncInterval, c.cfg.SyncTicks)
	}
	c.resetSync()
	if last, ok := c.lastPeerRound[peer]; roundNow && (!ok || c.now-last >= int64(c.cfg.SettleTicks/2)) {
		c.openRound(peer)
	}
}

// noteIncarnation records the incarnation a peer announced; a change (or a
// hello) means the peer restarted: its push numbering starts again.
func (c *Core) noteIncarnation(from, inc string, hello bool) {
	old, seen := c.peerInc[from]
	c.peerInc[from] = inc
	if hello || (seen && old != inc) {
		c.cfg.Logf("peer %s rejoined (incarnation %q)", from, inc)
		if l := c.links[from]; l != nil {
			c.holes -= len(l.missing)
			if l.owed {
				c.acksOwed--
			}
			delete(c.links, from)
		}
		c.resetSync()
	}
}

// handleSync answers a KindSync round or a KindHello: nothing when the
// roots agree; otherwise the values this node holds in the differing
// buckets, and the list of those buckets, in KindSyncReply messages.
func (c *Core) handleSync(from string, m Message) error {
	if err := merkle.CheckDigests(m.Digests, c.cfg.MerkleBuckets); err != nil {
		return fmt.Errorf("%w: %s from %s: %w", ErrBadMessage, m.Kind, from, err)
	}
	c.noteIncarnation(from, m.Incarnation, m.Kind == KindHello)
	if bytes.Equal(m.Root, c.tree.Root()) {
		return nil
	}
	diff, err := merkle.Diff(c.tree.Digests(), m.Digests)
	if err != nil {
		return fmt.Errorf("%w: %s from %s: %w", ErrBadMessage, m.Kind, from, err)
	}
	if len(diff) > 0 {
		c.sendBuckets(from, m.Round, diff)
	}
	return nil
}

// handleSyncReply merges the replier's values and sends back, in
// KindSyncValues, the values this node holds in the listed buckets that the
// replier lacked. If some of those were settled here, the replier had a
// real gap.
func (c *Core) handleSyncReply(from string, m Message) error {
	for _, b := range m.Buckets {
		if b < 0 || b >= c.cfg.MerkleBuckets {
			return fmt.Errorf("%w: sync reply from %s lists bucket %d of %d", ErrBadMessage, from, b, c.cfg.MerkleBuckets)
		}
	}
	c.mergeSynced(from, m.Values)
	theirs := make(map[int64]struct{}, len(m.Values))
	for _, v := range m.Values {
		theirs[v] = struct{}{}
	}
	var lacking []int64
	settled := 0
	seen := make(map[int]bool, len(m.Buckets))
	for _, b := range m.Buckets {
		if seen[b] {
			continue
		}
		seen[b] = true
		for _, v := range c.byBucket[b] {
			if _, ok := theirs[v]; !ok {
				lacking = append(lacking, v)
				if c.settled(v) {
					settled++
				}
			}
		}
	}
	if len(lacking) > 0 {
		c.sendValues(from, KindSyncValues, lacking, nil)
	}
	if settled > 0 {
		c.gapFound(from, fmt.Sprintf("it lacked %d values held here for %d+ ticks", settled, c.cfg.SettleTicks), false)
	}
	return nil
}

// handleSyncValues merges the values that closed a round.
func (c *Core) handleSyncValues(from string, m Message) {
	c.mergeSynced(from, m.Values)
}

// mergeSynced adds values learned through anti-entropy. New ones are new
// values like any other: reported in Ready and pushed on along the overlay
// (so the hub re-spreads what a partition withheld); they stay
// unconfirmed until a push brings them too.
func (c *Core) mergeSynced(from string, vals []int64) {
	for _, v := range vals {
		if c.learn(v) {
			c.unconfirmed[v] = struct{}{}
			c.unconfirmedQ = append(c.unconfirmedQ, learnedAt{v, c.now})
			c.enqueue(v, from)
		}
	}
}

// checkUnconfirmed turns values learned through anti-entropy that no push
// brought within SettleTicks into a real gap.
func (c *Core) checkUnconfirmed() {
	limit := c.now - int64(c.cfg.SettleTicks)
	n := 0
	for len(c.unconfirmedQ) > 0 && c.unconfirmedQ[0].at <= limit {
		v := c.unconfirmedQ[0].v
		c.unconfirmedQ = c.unconfirmedQ[1:]
		if _, ok := c.unconfirmed[v]; ok {
			delete(c.unconfirmed, v)
			n++
		}
	}
	if n > 0 {
		c.gapFound("peers", fmt.Sprintf("%d values learned by sync never came by push", n), false)
	}
}

// sendBuckets sends, in KindSyncReply messages within MaxMessageBytes,
// the values this node holds in the given buckets, each message listing
// the buckets it speaks for. A bucket too large for one message is split
// over several that all list it (the opener then sends back some values
// the replier had: harmless, values are idempotent).
func (c *Core) sendBuckets(to string, round uint64, buckets []int) {
	var vals []int64
	var bs []int
	size := envelopeBytes
	emit := func() {
		c.send(to, Message{Kind: KindSyncReply, Round: round, Values: vals, Buckets: bs})
		vals, bs, size = nil, nil, envelopeBytes
	}
	for _, b := range buckets {
		need := intBytes(int64(b))
		for _, v := range c.byBucket[b] {
			need += intBytes(v)
		}
		if size+need > c.cfg.MaxMessageBytes && len(bs) > 0 {
			emit()
		}
		if envelopeBytes+need <= c.cfg.MaxMessageBytes {
			vals = append(vals, c.byBucket[b]...)
			bs = append(bs, b)
			size += need
			continue
		}
		// Oversized bucket: split it, every part listing b.
		part := envelopeBytes + intBytes(int64(b))
		bs = []int{b}
		for _, v := range c.byBucket[b] {
			if s := intBytes(v); part+s > c.cfg.MaxMessageBytes && len(vals) > 0 {
				c.send(to, Message{Kind: KindSyncReply, Round: round, Values: vals, Buckets: bs})
				vals, bs, part = nil, []int{b}, envelopeBytes+intBytes(int64(b))
			}
			vals = append(vals, v)
			part += intBytes(v)
		}
		emit()
	}
	if len(bs) > 0 {
		emit()
	}
}
