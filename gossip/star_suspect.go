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
func (s *star) parentLink() *outLink {
	if s.parent == "" {
		return nil
	}
	for _, o := range s.out {
		if o.to == s.parent {
			return o
		}
	}
	return nil
}

// sentUp records a push (numbered seq, carrying vals) sent to the parent:
// unless the parent is already suspect, it waits for its acknowledgement.
func (s *star) sentUp(seq uint64, vals []int64) {
	c := s.c
	s.lastUp = c.now
	if !s.suspect {
		s.unacked = append(s.unacked, sentPush{seq: seq, at: c.now, values: slices.Clone(vals)})
	}
}

// probeParent sends, while the parent is suspect, an empty numbered push
// to it every SuspectTicks that nothing else went to it: once the parent
// is reachable again it acknowledges the probe, which ends the suspicion
// even when the parent has nothing else to send (quiet times), and the
// gap in the numbers shows it which pushes it lost.
func (s *star) probeParent() {
	c := s.c
	if s.suspect && c.now-s.lastUp >= int64(c.cfg.SuspectTicks) {
		s.sendProbe(nil)
	}
}

// sendProbe sends the parent an empty numbered push. Acknowledgements are
// cumulative (the highest number received), so its acknowledgement covers
// every earlier push, lost ones included. It waits for it like a push
// carrying vals (values of earlier pushes that may be lost).
func (s *star) sendProbe(vals []int64) {
	c := s.c
	o := s.parentLink()
	if o == nil {
		return
	}
	o.seq++
	s.lastUp = c.now
	if !s.suspect {
		s.unacked = append(s.unacked, sentPush{seq: o.seq, at: c.now, values: vals})
	}
	c.send(o.to, Message{Kind: KindPush, Round: o.seq})
}

// ackFor returns the acknowledgement to put on a push to child to (the
// highest push number received from it) and records it as sent.
func (s *star) ackFor(to string) uint64 {
	highest := s.c.highestPush(to)
	if highest == 0 {
		return 0
	}
	a := s.ackState(to)
	a.ackSent = highest
	if a.owed {
		a.owed = false
		s.acksOwed--
	}
	return highest
}

// ackState returns the acknowledgement state of child to.
func (s *star) ackState(to string) *childAck {
	a := s.acks[to]
	if a == nil {
		a = &childAck{}
		s.acks[to] = a
	}
	return a
}

// noteOwed records, after a numbered push from peer from, that an
// acknowledgement is owed if from is an overlay child whose highest push
// number was not acknowledged yet.
func (s *star) noteOwed(from string) {
	c := s.c
	highest := c.highestPush(from)
	if highest == 0 || !s.isChild(from) {
		return
	}
	a := s.ackState(from)
	if a.owed || highest <= a.ackSent {
		return
	}
	a.owed, a.owedSince = true, c.now
	if s.acksOwed == 0 {
		s.nextAck = c.now + int64(c.cfg.AckTicks)
	}
	s.acksOwed++
}

// isChild reports whether peer is an overlay child of this node.
func (s *star) isChild(peer string) bool {
	for _, o := range s.out {
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
func (s *star) maybeAck() {
	c := s.c
	if s.acksOwed == 0 || c.now < s.nextAck {
		return
	}
	next := int64(math.MaxInt64)
	for _, o := range s.out {
		a := s.acks[o.to]
		if !o.child || a == nil || !a.owed {
			continue
		}
		if due := a.owedSince + int64(c.cfg.AckTicks); due > c.now {
			next = min(next, due)
			continue
		}
		c.send(o.to, Message{Kind: KindPush, Ack: s.ackFor(o.to)})
	}
	s.nextAck = next
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
func (s *star) checkParent() {
	c := s.c
	if s.suspect || len(s.unacked) == 0 || c.now-s.unacked[0].at < int64(c.cfg.SuspectTicks) {
		return
	}
	if s.lastHeard >= s.unacked[0].at+int64(c.cfg.SuspectTicks/2) {
		var vals []int64
		for _, p := range s.unacked {
			vals = append(vals, p.values...)
		}
		s.unacked = s.unacked[:0]
		s.sendProbe(vals)
		return
	}
	s.suspect = true
	for _, p := range s.unacked {
		s.direct = append(s.direct, p.values...)
	}
	if o := s.parentLink(); o != nil {
		s.direct = append(s.direct, o.queue...)
	}
	c.cfg.Logf("parent %s suspect: push #%d unacknowledged for %d ticks; its %d values and new ones go to every node directly",
		s.parent, s.unacked[0].seq, c.now-s.unacked[0].at, len(s.direct))
	s.unacked = nil
	s.lastUp = c.now
	s.flushDirect()
	c.ae.resetSync()
	if others := len(c.peers) - 1; others > 0 {
		p := c.peers[c.rng.Intn(others)]
		if p == s.parent {
			p = c.peers[others] // peers without the parent, uniformly
		}
		c.ae.openRound(p)
	}
}

// heardFromParent handles the acknowledgement a parent's message may
// carry, and ends a suspicion: the parent is reachable again. If pushes
// sent to it may have been lost (they are not all acknowledged), a round
// with it is opened at once, so that it learns them and relays them.
func (s *star) heardFromParent(m Message) {
	c := s.c
	s.lastHeard = c.now
	if m.Kind == KindPush && m.Ack > 0 {
		i := 0
		for i < len(s.unacked) && s.unacked[i].seq <= m.Ack {
			i++
		}
		s.unacked = slices.Delete(s.unacked, 0, i)
	}
	if !s.suspect {
		return
	}
	s.suspect = false
	what := fmt.Sprintf("a %s", m.Kind)
	if m.Kind == KindPush && m.Ack > 0 {
		what = fmt.Sprintf("a push acknowledging #%d", m.Ack)
	}
	o := s.parentLink()
	c.cfg.Logf("parent %s reachable again (%s)", s.parent, what)
	if o != nil && (m.Kind != KindPush || m.Ack < o.seq) {
		c.ae.gapFound(s.parent, fmt.Sprintf("pushes up to #%d sent while it was suspect may be lost", o.seq), true)
	}
}

// flushDirect sends the values waiting in direct to every peer but the
// parent, marked not to be relayed.
func (s *star) flushDirect() {
	c := s.c
	if len(s.direct) == 0 {
		return
	}
	for _, p := range c.peers {
		if p == s.parent {
			continue
		}
		c.splitValues(s.direct, func(part []int64) {
			c.send(p, Message{Kind: KindPush, Values: slices.Clone(part), Direct: true})
		})
	}
	s.direct = s.direct[:0]
	s.lastDirect = c.now
}
