package gossip

import (
	"fmt"
	"slices"
)

// chooseOverlay computes the push overlay from the node ids (OverlayTree,
// OverlayFull); OverlayGiven waits for SetTopology.
func (c *Core) chooseOverlay() {
	switch c.cfg.Overlay {
	case OverlayTree:
		ids := sortedIDs(c.cfg.NodeIDs)
		parent, children := treeNeighbours(ids, c.cfg.ID, c.cfg.TreeFanout)
		c.relayPush = true
		c.setNeighbours(append(slices.Clone(parent), children...), parent)
		if len(parent) > 0 {
			c.parent = parent[0]
		}
		for _, o := range c.out {
			o.child = slices.Contains(children, o.to)
		}
		c.cfg.Logf("overlay %s: parent %v, children %v", c.overlayName(), parent, children)
	case OverlayFull:
		c.relayPush = false
		c.setNeighbours(c.peers, c.peers)
		c.cfg.Logf("overlay full: %d neighbours", len(c.peers))
	case OverlayGiven:
		c.relayPush = true
	}
}

func (c *Core) overlayName() string {
	switch c.cfg.Overlay {
	case OverlayTree:
		if n := len(c.cfg.NodeIDs); c.cfg.TreeFanout < 1 || c.cfg.TreeFanout >= n-1 {
			return "star"
		}
		return fmt.Sprintf("tree fanout %d", c.cfg.TreeFanout)
	case OverlayFull:
		return "full"
	default:
		return "given"
	}
}

// setNeighbours replaces the overlay neighbours, keeping the links of
// those that stay. Values queued for a dropped neighbour are forgotten:
// anti-entropy repairs whatever that withholds.
func (c *Core) setNeighbours(ns, upward []string) {
	old := make(map[string]*outLink, len(c.out))
	for _, o := range c.out {
		old[o.to] = o
	}
	c.neighbours = ns
	c.out = make([]*outLink, len(ns))
	c.queued = 0
	for i, n := range ns {
		o := old[n]
		if o == nil {
			o = &outLink{to: n, lastFlush: c.now - int64(c.cfg.RelayTicks)}
		}
		o.upward = slices.Contains(upward, n)
		c.out[i] = o
		c.queued += len(o.queue)
	}
}

// route queues a new value for the overlay neighbours except from (the
// neighbour it came from; "" for a client's value). While the parent is
// suspect, a value on its way up (a client's, or one a child pushed) goes
// directly to every node instead, except the parent, which still gets its
// numbered push so that its acknowledgement can end the suspicion.
func (c *Core) route(v int64, from string) {
	if !c.suspect || from == c.parent {
		c.enqueue(v, from)
		return
	}
	c.direct = append(c.direct, v)
	if o := c.parentLink(); o != nil {
		o.queue = append(o.queue, v)
		c.queued++
	}
}

// enqueue queues a new value for every overlay neighbour except the one it
// came from.
func (c *Core) enqueue(v int64, except string) {
	for _, o := range c.out {
		if o.to != except {
			o.queue = append(o.queue, v)
			c.queued++
		}
	}
}

// maybeFlush flushes every queue that holds values and was last flushed
// RelayTicks ago or more: a queue idle for a while sends at once, a busy
// one sends at most once per RelayTicks.
func (c *Core) maybeFlush() {
	if len(c.direct) > 0 && c.now-c.lastDirect >= int64(c.cfg.RelayTicks) {
		c.flushDirect()
	}
	if c.queued == 0 {
		return
	}
	for _, o := range c.out {
		if len(o.queue) > 0 && c.now-o.lastFlush >= int64(c.cfg.RelayTicks) {
			c.flush(o)
		}
	}
}

// flush sends everything queued for one neighbour (nothing if its queue is
// empty).
func (c *Core) flush(o *outLink) {
	if len(o.queue) == 0 {
		return
	}
	c.sendValues(o.to, KindPush, o.queue, o)
	c.queued -= len(o.queue)
	o.queue = o.queue[:0]
	o.lastFlush = c.now
}

// handlePush merges pushed values and forwards the new ones along the
// overlay (dedup at the edge: only new values travel on).
//
// A direct push (a suspect node sent it to every node) is merged and not
// relayed; it says nothing about the overlay's health, so it does not
// count as a push received. A push with neither values nor number only
// carries an acknowledgement (see heardFromParent); one with a number
// and no values is a probe from a child that suspects this node: it is
// acknowledged like any push.
func (c *Core) handlePush(from string, m Message) {
	if !m.Direct {
		if len(m.Values) == 0 && m.Round == 0 {
			return
		}
		if len(m.Values) > 0 { // not a probe (see probeParent)
			c.pushesReceived++
		}
		c.notePushSeq(from, m.Round)
		if c.acking {
			c.noteOwed(from)
		}
	}
	for _, v := range m.Values {
		if c.learn(v) {
			if c.relayPush && !m.Direct {
				c.route(v, from)
			}
		} else if _, ok := c.unconfirmed[v]; ok {
			delete(c.unconfirmed, v) // it was only in flight
		}
	}
}

// sendValues sends vals to peer in as many messages of the given kind
// (KindPush or KindSyncValues) as MaxMessageBytes requires, never an empty
// one. vals is copied. Pushes (link != nil) carry the link's next
// sequence number in Round.
//
// A push to an overlay child carries the acknowledgement of the child's
// pushes (Message.Ack); a push to the parent is remembered until the
// parent acknowledges it (see checkParent).
func (c *Core) sendValues(to string, kind Kind, vals []int64, link *outLink) {
	c.splitValues(vals, func(part []int64) {
		m := Message{Kind: kind, Values: append([]int64(nil), part...)}
		if link != nil {
			link.seq++
			m.Round = link.seq
			if c.acking {
				if link.child {
					m.Ack = c.ackFor(to)
				} else if to == c.parent {
					c.sentUp(link.seq, part)
				}
			}
		}
		c.send(to, m)
	})
}

// splitValues cuts vals into consecutive parts that each fit one message
// under MaxMessageBytes, and calls emit on each (never on an empty part).
func (c *Core) splitValues(vals []int64, emit func(part []int64)) {
	start, size := 0, envelopeBytes
	for i, v := range vals {
		s := intBytes(v)
		if size+s > c.cfg.MaxMessageBytes && i > start {
			emit(vals[start:i])
			start, size = i, envelopeBytes
		}
		size += s
	}
	if start < len(vals) {
		emit(vals[start:])
	}
}

// inLink tracks the push sequence numbers received from one peer.
type inLink struct {
	highest uint64
	missing map[uint64]int64 // numbers skipped over -> tick noticed
	// For a child's link: the highest number acknowledged to it, and
	// whether (and since when) an acknowledgement of highest is owed.
	ackSent   uint64
	owed      bool
	owedSince int64
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
		c.gapFound(from, fmt.Sprintf("%d pushes lost", seq-l.highest-1), true)
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
			c.gapFound(p, fmt.Sprintf("%d pushes lost", lost), true)
		}
	}
}
