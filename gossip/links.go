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
	l := c.links[from]
	if l == nil {
		// Numbering starts at 1, so a first push numbered higher means
		// earlier ones were lost (or this node restarted: then the round
		// it causes helps it catch up).
		l = &inLink{missing: map[uint64]int64{}}
		c.links[from] = l
	}
	switch {
	case seq > l.highest+1+maxReorder:
		c.ae.gapFound(from, fmt.Sprintf("%d pushes lost", seq-l.highest-1), true)
	case seq > l.highest+1:
		if c.holes == 0 {
			c.nextHoleCheck = c.now + int64(c.cfg.SettleTicks/2)
		}
		for s := l.highest + 1; s < seq; s++ {
			l.missing[s] = c.now
			c.holes++
		}
	case seq <= l.highest:
		if _, ok := l.missing[seq]; ok { // a late one
			delete(l.missing, seq)
			c.holes--
		}
		return
	}
	l.highest = seq
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
