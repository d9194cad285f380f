package gossip

import (
	"fmt"
	"math"
	"slices"
)

// This file holds the acknowledgement of pushes towards the overlay's root
// and the suspicion of a parent that stops acknowledging them.
//
// A parent acknowledges its children's pushes on the pushes it sends them
// anyway (Message.Ack); a child whose push to its parent stays
// unacknowledged for SuspectTicks suspects its path to the root, and until
// it hears from the parent again sends the values on their way up directly
// to every node (Message.Direct), so that they reach its own side of a
// partition at once instead of waiting for anti-entropy.

// sentPush is a push sent to the parent and not acknowledged yet.
type sentPush struct {
	seq    uint64
	at     int64   // tick sent
	values []int64 // a copy
}

// parentLink returns the outLink of the parent, or nil.
func (c *Core) parentLink() *outLink {
	if c.parent == "" {
		return nil
	}
	for _, o := range c.out {
		if o.to == c.parent {
			return o
		}
	}
	return nil
}

// sentUp records a push (numbered seq, carrying vals) sent to the parent:
// unless the parent is already suspect, it waits for its acknowledgement.
func (c *Core) sentUp(seq uint64, vals []int64) {
	c.lastUp = c.now
	if !c.suspect {
		c.unacked = append(c.unacked, sentPush{seq: seq, at: c.now, values: slices.Clone(vals)})
	}
}

// probeParent sends, while the parent is suspect, an empty numbered push
// to it every SuspectTicks that nothing else went to it: once the parent
// is reachable again it acknowledges the probe, which ends the suspicion
// even when the parent has nothing else to send (quiet times), and the
// gap in the numbers shows it which pushes it lost.
func (c *Core) probeParent() {
	if c.suspect && c.now-c.lastUp >= int64(c.cfg.SuspectTicks) {
		c.sendProbe(nil)
	}
}

// sendProbe sends the parent an empty numbered push. Acknowledgements are
// cumulative (the highest number received), so its acknowledgement covers
// every earlier push, lost ones included. It waits for it like a push
// carrying vals (values of earlier pushes that may be lost).
func (c *Core) sendProbe(vals []int64) {
	o := c.parentLink()
	if o == nil {
		return
	}
	o.seq++
	c.lastUp = c.now
	if !c.suspect {
		c.unacked = append(c.unacked, sentPush{seq: o.seq, at: c.now, values: vals})
	}
	c.send(o.to, Message{Kind: KindPush, Round: o.seq})
}

// ackFor returns the acknowledgement to put on a push to child to (the
// highest push number received from it) and records it as sent.
func (c *Core) ackFor(to string) uint64 {
	l := c.links[to]
	if l == nil {
		return 0
	}
	l.ackSent = l.highest
	if l.owed {
		l.owed = false
		c.acksOwed--
	}
	return l.highest
}

// noteOwed records, after a numbered push from peer from, that an
// acknowledgement is owed if from is an overlay child whose highest push
// number was not acknowledged yet.
func (c *Core) noteOwed(from string) {
	l := c.links[from]
	if l == nil || l.owed || l.highest <= l.ackSent || !c.isChild(from) {
		return
	}
	l.owed, l.owedSince = true, c.now
	if c.acksOwed == 0 {
		c.nextAck = c.now + int64(c.cfg.AckTicks)
	}
	c.acksOwed++
}

// isChild reports whether peer is an overlay child of this node.
func (c *Core) isChild(peer string) bool {
	for _, o := range c.out {
		if o.to == peer {
			return o.child
		}
	}
	return false
}

// maybeAck sends an acknowledgement-only push to every child owed one for
// AckTicks: a child whose pushes got no push back in that time (under
// load the parent pushes to every child at least every RelayTicks, which
// carries the acknowledgement, so this sends nothing).
func (c *Core) maybeAck() {
	if c.acksOwed == 0 || c.now < c.nextAck {
		return
	}
	next := int64(math.MaxInt64)
	for _, o := range c.out {
		l := c.links[o.to]
		if !o.child || l == nil || !l.owed {
			continue
		}
		if due := l.owedSince + int64(c.cfg.AckTicks); due > c.now {
			next = min(next, due)
			continue
		}
		c.send(o.to, Message{Kind: KindPush, Ack: c.ackFor(o.to)})
	}
	c.nextAck = next
}

// checkParent suspects the parent when its oldest unacknowledged push is
// SuspectTicks old: the values of the unacknowledged pushes (and those
// still queued for it) go directly to every other node, once; from now on
// the values on their way up do too (see route); anti-entropy comes back
// to its base interval and opens a round at once.
//
// If the parent was heard from well after that push was sent (at least
// SuspectTicks/2: not a message that merely crossed it), it is alive: the
// push (or its acknowledgement) was lost, which is no reason to suspect
// it. Then a probe replaces the unacknowledged pushes, and only the probe
// going unacknowledged for SuspectTicks makes the parent suspect.
func (c *Core) checkParent() {
	if c.suspect || len(c.unacked) == 0 || c.now-c.unacked[0].at < int64(c.cfg.SuspectTicks) {
		return
	}
	if c.lastHeard >= c.unacked[0].at+int64(c.cfg.SuspectTicks/2) {
		var vals []int64
		for _, p := range c.unacked {
			vals = append(vals, p.values...)
		}
		c.unacked = c.unacked[:0]
		c.sendProbe(vals)
		return
	}
	c.suspect = true
	for _, p := range c.unacked {
		c.direct = append(c.direct, p.values...)
	}
	if o := c.parentLink(); o != nil {
		c.direct = append(c.direct, o.queue...)
	}
	c.cfg.Logf("parent %s suspect: push #%d unacknowledged for %d ticks; its %d values and new ones go to every node directly",
		c.parent, c.unacked[0].seq, c.now-c.unacked[0].at, len(c.direct))
	c.unacked = nil
	c.lastUp = c.now
	c.flushDirect()
	c.resetSync()
	if others := len(c.peers) - 1; others > 0 {
		p := c.peers[c.rng.Intn(others)]
		if p == c.parent {
			p = c.peers[others] // peers without the parent, uniformly
		}
		c.openRound(p)
	}
}

// heardFromParent handles the acknowledgement a parent's message may
// carry, and ends a suspicion: the parent is reachable again. If pushes
// sent to it may have been lost (they are not all acknowledged), a round
// with it is opened at once, so that it learns them and relays them.
func (c *Core) heardFromParent(m Message) {
	c.lastHeard = c.now
	if m.Kind == KindPush && m.Ack > 0 {
		i := 0
		for i < len(c.unacked) && c.unacked[i].seq <= m.Ack {
			i++
		}
		c.unacked = slices.Delete(c.unacked, 0, i)
	}
	if !c.suspect {
		return
	}
	c.suspect = false
	what := fmt.Sprintf("a %s", m.Kind)
	if m.Kind == KindPush && m.Ack > 0 {
		what = fmt.Sprintf("a push acknowledging #%d", m.Ack)
	}
	o := c.parentLink()
	c.cfg.Logf("parent %s reachable again (%s)", c.parent, what)
	if o != nil && (m.Kind != KindPush || m.Ack < o.seq) {
		c.gapFound(c.parent, fmt.Sprintf("pushes up to #%d sent while it was suspect may be lost", o.seq), true)
	}
}

// flushDirect sends the values waiting in direct to every peer but the
// parent, marked not to be relayed.
func (c *Core) flushDirect() {
	if len(c.direct) == 0 {
		return
	}
	for _, p := range c.peers {
		if p == c.parent {
			continue
		}
		c.splitValues(c.direct, func(part []int64) {
			c.send(p, Message{Kind: KindPush, Values: slices.Clone(part), Direct: true})
		})
	}
	c.direct = c.direct[:0]
	c.lastDirect = c.now
}
