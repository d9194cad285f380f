package gossip

import (
	"bytes"
	"fmt"
	"slices"

	"broadcast/merkle"
)

// antiEntropy is the repair part of the core, whatever the strategy: every
// sync interval it opens a round with a random peer (KindSync with its
// Merkle root and bucket digests); rounds exchange the values of the
// differing buckets. The interval backs off while rounds find nothing,
// rounds are skipped while pushes flow without loss or nothing happens at
// all, and a real gap brings it back to SyncTicks.
type antiEntropy struct {
	c *Core
	// unconfirmed holds the values learned through anti-entropy in the
	// last SettleTicks that no push has brought since; unconfirmedQ lists
	// them in learning order (entries already confirmed are skipped). A
	// value that was only in flight arrives by push soon after; one that
	// never does was withheld from this node (a partition or a lost
	// message): a real gap, unless the peer it came from spreads what it
	// learns on its own (the value maps to that: see strategy.spreads).
	unconfirmed     map[int64]bool
	unconfirmedPeak int // the most entries unconfirmed held since it was built (see shrunk)
	unconfirmedQ    []learnedAt

	syncInterval   int   // current adaptive interval, ticks
	nextSync       int64 // tick at which the next round is due
	lastRound      uint64
	lastRealRound  int64            // tick the last round was actually opened
	lastPeerRound  map[string]int64 // tick of the last round opened with, or by, each peer
	pushesReceived int              // pushes received since the last due round
	gapSeen        bool             // a real gap was found since the last due round
	// learnedSince counts the values learned since the last real round:
	// with none, and no push or gap either, nothing happened that a round
	// could repair, and due rounds are skipped (an idle node sends
	// nothing).
	learnedSince int
	// confirmed says the peer of the last real round answered that their
	// roots are equal: with nothing learned since, this node has no reason
	// to think it lacks anything (an unanswered round, a cut or a dead
	// peer, confirms nothing).
	confirmed bool

	peerInc map[string]string // last incarnation seen from each peer

	// root is the Merkle root the last downlink of rootFrom (this node's
	// relay) carried: see matchesRoot.
	root     []byte
	rootFrom string
}

// init sets up the part for core c.
func (a *antiEntropy) init(c *Core) {
	a.c = c
	a.unconfirmed = make(map[int64]bool)
	a.lastPeerRound = make(map[string]int64)
	a.peerInc = make(map[string]string)
	a.syncInterval = c.cfg.SyncTicks
	a.nextSync = c.jitter(c.cfg.SyncTicks)
	a.confirmed = true // a new node learns by push; Rejoin opens rounds
}

// nextDeadline is the earliest tick the part has work: the next due round
// (for an idle node, the round MaxSkipTicks after the last), or the end of
// the oldest unconfirmed value's wait.
func (a *antiEntropy) nextDeadline() int64 {
	c := a.c
	d := a.nextSync
	if c.strat.respreads() && a.pushesReceived == 0 && a.learnedSince == 0 && a.confirmed && !a.gapSeen && !c.strat.degraded() {
		// Idle: due rounds would be skipped until MaxSkipTicks.
		d = max(d, a.lastRealRound+int64(c.cfg.MaxSkipTicks))
	}
	if len(a.unconfirmedQ) > 0 {
		d = min(d, a.unconfirmedQ[0].at+int64(c.cfg.SettleTicks))
	}
	return d
}

// pushArrived notes a push carrying values: the push stream is alive.
func (a *antiEntropy) pushArrived() { a.pushesReceived++ }

// learned notes a new value (from any source).
func (a *antiEntropy) learned() { a.learnedSince++ }

// confirm notes that v came by push: if anti-entropy brought it first, it
// was only in flight.
func (a *antiEntropy) confirm(v int64) { delete(a.unconfirmed, v) }

// hello sends KindHello with this node's summary to peers (after a
// restart) and restarts the schedule.
func (a *antiEntropy) hello(to []string) {
	c := a.c
	a.lastRound++
	for _, p := range to {
		c.send(p, a.summary(KindHello))
	}
	a.resetSync()
}

// roundDue runs when a round comes due. The interval backs off (doubles
// up to MaxSyncTicks); it only comes back to SyncTicks when a real gap is
// found (see gapFound). The round is skipped while the push stream is
// healthy (pushes arrived since the last due round, with no lost one and
// no other gap, and a real round was opened less than MaxSkipTicks ago),
// and while nothing happens at all (no value learned since the last real
// round, which the peer answered with equal roots; no gap; at most
// MaxSkipTicks): an idle node sends nothing.
//
// While the strategy sees a fault (a silent relay or parent) the interval
// stays at SyncTicks and no round is skipped.
func (a *antiEntropy) roundDue() {
	c := a.c
	degraded := c.strat.degraded()
	if degraded {
		a.syncInterval = c.cfg.SyncTicks
	} else {
		a.syncInterval = min(a.syncInterval*2, c.cfg.MaxSyncTicks)
	}
	a.nextSync = c.now + c.jitter(a.syncInterval)
	streaming := a.pushesReceived > 0 && c.now-a.lastRealRound < int64(c.cfg.MaxSkipTicks)
	idle := c.strat.respreads() && a.pushesReceived == 0 && a.learnedSince == 0 && a.confirmed &&
		c.now-a.lastRealRound < int64(c.cfg.MaxSkipTicks)
	healthy := !degraded && !a.gapSeen && (streaming || idle)
	confirmed := !healthy && !degraded && !a.gapSeen && a.matchesRoot()
	a.pushesReceived, a.gapSeen = 0, false
	if healthy || confirmed || len(c.peers) == 0 {
		return
	}
	// Any node, not only the strategy's neighbours, so that rounds work
	// around a cut-off relay.
	a.openRound(c.peers[c.rng.Intn(len(c.peers))])
}

// openRound sends a KindSync with this node's summary to peer.
func (a *antiEntropy) openRound(peer string) {
	c := a.c
	a.lastRealRound = c.now
	a.learnedSince = 0
	a.confirmed = false
	a.lastPeerRound[peer] = c.now
	a.lastRound++
	m := a.summary(KindSync)
	m.Ack = c.strat.pushesSent(peer)
	c.send(peer, m)
}

// noteRoot keeps the Merkle root of peer's set that its root notice
// carried (a relay with nothing new to flush): see matchesRoot.
func (a *antiEntropy) noteRoot(peer string, root []byte) {
	a.rootFrom = peer
	a.root = append(a.root[:0], root...)
}

// matchesRoot reports whether this node's set equals its relay's as of
// the relay's last root notice (see noteRoot), sent after its last
// downlink. If so, that is as good as a round with the relay that found
// equal roots: this node lacks nothing the relay had, and when the load
// stops it needs no closing round. A lost downlink makes the sets
// differ; a lost notice leaves no root: either way the round happens.
func (a *antiEntropy) matchesRoot() bool {
	c := a.c
	if len(a.root) == 0 || !bytes.Equal(a.root, c.tree.Root()) {
		return false
	}
	a.confirmed = true
	a.learnedSince = 0
	a.lastRealRound = c.now
	a.lastPeerRound[a.rootFrom] = c.now
	a.root = a.root[:0] // one confirmation per notice
	return true
}

// resetSync brings the anti-entropy interval back to SyncTicks, makes the
// next due round a real one, and reschedules it if it was further away.
func (a *antiEntropy) resetSync() {
	c := a.c
	a.syncInterval = c.cfg.SyncTicks
	a.gapSeen = true
	if next := c.now + c.jitter(c.cfg.SyncTicks); next < a.nextSync {
		a.nextSync = next
	}
}

// gapFound records a real gap between this node and peer (values one side
// had held for SettleTicks were missing on the other, or pushes from peer
// were lost). If roundNow, it opens a round with peer at once (at most
// one per peer every SettleTicks/2), which is the repair: the schedule
// is left as it is. Otherwise anti-entropy comes back to its base
// interval.
func (a *antiEntropy) gapFound(peer, what string, roundNow bool) {
	c := a.c
	if roundNow {
		// The round with peer at once is the repair (its answer shows any
		// further gap); the schedule goes on backing off.
		if !a.roundedLately(peer) {
			c.cfg.Logf("sync gap with %s: %s; a round with it now", peer, what)
			a.openRound(peer)
		}
		return
	}
	if a.syncInterval > c.cfg.SyncTicks {
		c.cfg.Logf("sync gap with %s: %s; interval %d -> %d ticks", peer, what, a.syncInterval, c.cfg.SyncTicks)
	}
	a.resetSync()
}

// roundedLately reports whether a round with peer was opened, by either
// side, in the last SettleTicks/2: a round serves both ways (the opener's
// last message carries what the other lacked), so another one now would
// find what that one finds.
func (a *antiEntropy) roundedLately(peer string) bool {
	last, ok := a.lastPeerRound[peer]
	return ok && a.c.now-last < int64(a.c.cfg.SettleTicks/2)
}

// openRoundUnlessLately opens a round with peer unless roundedLately.
func (a *antiEntropy) openRoundUnlessLately(peer string) {
	if !a.roundedLately(peer) {
		a.openRound(peer)
	}
}

// noteIncarnation records the incarnation a peer announced; a change (or a
// hello) means the peer restarted: its push numbering starts again.
func (a *antiEntropy) noteIncarnation(from, inc string, hello bool) {
	c := a.c
	old, seen := a.peerInc[from]
	a.peerInc[from] = inc
	if hello || (seen && old != inc) {
		c.cfg.Logf("peer %s rejoined (incarnation %q)", from, inc)
		c.forgetLink(from)
		c.strat.peerRestarted(from)
		a.resetSync()
	}
}

// handleSync answers a KindSync round or a KindHello: an empty
// KindSyncReply to a round when the roots agree (it confirms the opener
// lacks nothing it has), nothing to a hello; otherwise the values this node holds in the differing
// buckets, and the list of those buckets, in KindSyncReply messages.
func (a *antiEntropy) handleSync(from string, m Message) error {
	c := a.c
	if err := merkle.CheckDigests(m.Digests, c.cfg.MerkleBuckets); err != nil {
		return fmt.Errorf("%w: %s from %s: %w", ErrBadMessage, m.Kind, from, err)
	}
	a.noteIncarnation(from, m.Incarnation, m.Kind == KindHello)
	if m.Kind == KindSync {
		a.lastPeerRound[from] = c.now
		c.coverPushes(from, m.Ack)
	}
	if bytes.Equal(m.Root, c.tree.Root()) {
		if m.Kind == KindSync {
			// Equal: nothing to exchange.
			c.send(from, Message{Kind: KindSyncReply, Round: m.Round, Ack: c.strat.pushesSent(from)})
		}
		return nil
	}
	diff, err := merkle.Diff(c.tree.Digests(), m.Digests)
	if err != nil {
		return fmt.Errorf("%w: %s from %s: %w", ErrBadMessage, m.Kind, from, err)
	}
	if len(diff) > 0 {
		a.sendBuckets(from, m.Round, diff)
	}
	return nil
}

// handleSyncReply merges the replier's values and sends back, in
// KindSyncValues, the values this node holds in the listed buckets that the
// replier lacked. If some of those were settled here, the replier had a
// real gap.
func (a *antiEntropy) handleSyncReply(from string, m Message) error {
	c := a.c
	for _, b := range m.Buckets {
		if b < 0 || b >= c.cfg.MerkleBuckets {
			return fmt.Errorf("%w: sync reply from %s lists bucket %d of %d", ErrBadMessage, from, b, c.cfg.MerkleBuckets)
		}
	}
	c.coverPushes(from, m.Ack)
	if len(m.Buckets) == 0 && len(m.Values) == 0 {
		if m.Round == a.lastRound {
			a.confirmed = true // equal roots
		}
		return nil
	}
	a.mergeSynced(from, m.Values)
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
		c.sendValues(from, lacking, func(part []int64) Message { return Message{Kind: KindSyncValues, Values: part} })
	}
	if settled > 0 && !c.strat.spreads(from) {
		a.gapFound(from, fmt.Sprintf("it lacked %d values held here for %d+ ticks", settled, c.cfg.SettleTicks), false)
	}
	return nil
}

// handleSyncValues merges the values that closed a round.
func (a *antiEntropy) handleSyncValues(from string, m Message) {
	a.mergeSynced(from, m.Values)
}

// mergeSynced adds values learned through anti-entropy. New ones are new
// values like any other: reported in Ready and handed to the strategy (so
// that a relay re-spreads what a partition withheld); they stay
// unconfirmed until a push brings them too.
func (a *antiEntropy) mergeSynced(from string, vals []int64) {
	c := a.c
	for _, v := range vals {
		if c.learn(v) {
			a.unconfirmed[v] = c.strat.spreads(from)
			a.unconfirmedQ = append(a.unconfirmedQ, learnedAt{v, c.now})
			c.strat.syncedValue(v, from)
		}
	}
	c.strat.synced(from)
}

// checkUnconfirmed turns values learned through anti-entropy that no push
// brought within SettleTicks into a real gap.
func (a *antiEntropy) checkUnconfirmed() {
	c := a.c
	limit := c.now - int64(c.cfg.SettleTicks)
	var withheld []int64
	for len(a.unconfirmedQ) > 0 && a.unconfirmedQ[0].at <= limit {
		v := a.unconfirmedQ[0].v
		a.unconfirmedQ = a.unconfirmedQ[1:]
		if spread, ok := a.unconfirmed[v]; ok {
			delete(a.unconfirmed, v)
			if !spread {
				withheld = append(withheld, v)
			}
		}
	}
	a.unconfirmed = shrunk(a.unconfirmed, &a.unconfirmedPeak)
	a.unconfirmedQ = shrunkQueue(a.unconfirmedQ)
	if len(withheld) > 0 {
		a.gapFound("peers", fmt.Sprintf("%d values learned by sync never came by push", len(withheld)), false)
		c.strat.withheld(withheld)
	}
}

// sendBuckets sends, in KindSyncReply messages within MaxMessageBytes,
// the values this node holds in the given buckets, each message listing
// the buckets it speaks for. A bucket too large for one message is split
// over several that all list it (the opener then sends back some values
// the replier had: harmless, values are idempotent).
func (a *antiEntropy) sendBuckets(to string, round uint64, buckets []int) {
	c := a.c
	var vals []int64
	var bs []int
	size := envelopeBytes
	ack := c.strat.pushesSent(to)
	emit := func() {
		c.send(to, Message{Kind: KindSyncReply, Round: round, Values: vals, Buckets: bs, Ack: ack})
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
				c.send(to, Message{Kind: KindSyncReply, Round: round, Values: vals, Buckets: bs, Ack: ack})
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

// summary builds a message of kind that carries this node's summary (root,
// bucket digests, count, incarnation) for the current round: a hello or
// the opening of a round.
func (a *antiEntropy) summary(kind Kind) Message {
	c := a.c
	return Message{
		Kind:        kind,
		Root:        slices.Clone(c.tree.Root()),
		Digests:     slices.Clone(c.tree.Digests()),
		Count:       c.values.Len(),
		Incarnation: c.incarnation,
		Round:       a.lastRound,
	}
}
