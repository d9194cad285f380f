package gossip

import "fmt"

// This file numbers pushes per link so that a receiver notices lost ones:
// every strategy that numbers its pushes (Message.Round) gets loss
// detection for free, and a loss opens an anti-entropy round with the
// sender at once.

// inLink tracks the push sequence numbers received from one peer.
type inLink struct {
	highest uint64
	missing map[uint64]int64 // numbers skipped over -> tick noticed
	// covered is the highest push number a round with the peer covers
	// (see coverPushes): a hole at or below it is no loss to repair.
	covered uint64
}

// maxReorder is the largest jump in a link's push sequence numbers that
// may still be reordering; a larger jump is a loss at once.
const maxReorder = 4

// notePushSeq records push number seq from peer. A jump by more than
// maxReorder is a real gap at once; smaller holes are given SettleTicks/2
// to fill (messages may be reordered) before checkLinks calls them lost.
func (c *Core) notePushSeq(from string, seq uint64) {
	if seq == 0 {
		return // a sender that does not number its pushes
	}
	l := c.link(from)
	if seq <= l.highest {
		if _, ok := l.missing[seq]; ok { // a late one
			delete(l.missing, seq)
			c.holes--
		}
		return
	}
	first := max(l.highest, l.covered) + 1 // the first number a hole may be lost at
	switch {
	case seq > first+maxReorder:
		c.ae.gapFound(from, fmt.Sprintf("%d pushes lost", seq-first), true)
	case seq > first:
		if c.holes == 0 {
			c.nextHoleCheck = c.now + int64(c.cfg.SettleTicks/2)
		}
		for s := first; s < seq; s++ {
			l.missing[s] = c.now
			c.holes++
		}
	}
	l.highest = seq
}

// link returns the inbound link of peer, made on first use. Numbering
// starts at 1, so a first push numbered higher means earlier ones were
// lost (or this node restarted: then the round it causes helps it catch
// up).
func (c *Core) link(peer string) *inLink {
	l := c.links[peer]
	if l == nil {
		l = &inLink{missing: map[uint64]int64{}}
		c.links[peer] = l
	}
	return l
}

// skipsUncovered reports whether push number seq from peer skips numbers
// that no round covers: pushes lost since the last one received.
func (c *Core) skipsUncovered(peer string, seq uint64) bool {
	l := c.links[peer]
	if l == nil {
		return seq > 1
	}
	return seq > max(l.highest, l.covered)+1
}

// coverPushes records that a round with peer covers its pushes up to
// number upTo: the peer sent them before the round's message (KindSync
// or KindSyncReply, whose Ack says so; see antiEntropy.openRound), and
// the round brings every value the peer held then. A hole up to there,
// open or still to be revealed by a later push, is no loss to repair.
// After a cut heals, the pushes lost in it show as holes once the links
// carry pushes again, and a round each side opened on the heal already
// repaired them: without this, each hole opened another round.
func (c *Core) coverPushes(peer string, upTo uint64) {
	if upTo == 0 {
		return
	}
	l := c.link(peer)
	l.covered = max(l.covered, upTo)
	for s := range l.missing {
		if s <= upTo {
			delete(l.missing, s)
			c.holes--
		}
	}
}

// highestPush returns the highest push number received from peer (0:
// none).
func (c *Core) highestPush(peer string) uint64 {
	if l := c.links[peer]; l != nil {
		return l.highest
	}
	return 0
}

// forgetLink drops the push numbering of a peer that restarted: its
// numbering starts again.
func (c *Core) forgetLink(peer string) {
	if l := c.links[peer]; l != nil {
		c.holes -= len(l.missing)
		delete(c.links, peer)
	}
}

// checkLinks turns holes in push sequences that stayed open for
// SettleTicks/2 into real gaps.
func (c *Core) checkLinks() {
	limit := c.now - int64(c.cfg.SettleTicks/2)
	oldest := c.now
	defer func() { c.nextHoleCheck = oldest + int64(c.cfg.SettleTicks/2) }()
	for _, p := range c.peers {
		l := c.links[p]
		if l == nil || len(l.missing) == 0 {
			continue
		}
		lost := 0
		for s, t := range l.missing {
			if t <= limit {
				delete(l.missing, s)
				c.holes--
				lost++
			} else {
				oldest = min(oldest, t)
			}
		}
		if lost > 0 {
			c.ae.gapFound(p, fmt.Sprintf("%d pushes lost", lost), true)
		}
	}
}
