package gossip

import "slices"

// This file is the relay side of the relay strategy: uploads in, one
// downlink per peer per window out, what a relay that took over holds
// back, and the values passed on between the stars of several relays.

// catchUpTicks is how late after a flush a timed upload may arrive and
// still go out at once, in a catch-up flush at the flush plus
// catchUpTicks, instead of a window later. A leaf woken late for its
// upload slot (a machine-wide stall: every leaf aims at the same
// instant) thus costs its values tens of milliseconds, not a window.
const catchUpTicks = 6

// downValue is a value waiting for the next downlink flush.
type downValue struct {
	v    int64
	from string // the peer it came from ("" for this node's clients)
	// kidsOnly: only the nodes relaying through this one get it (a value
	// of this node's clients, uploaded to its own relay too).
	kidsOnly bool
}

// uploader is a peer that uploads to this node.
type uploader struct {
	acked uint64 // highest upload number acknowledged to it
	// wants is the number of its last upload or probe, which an
	// acknowledgement must reach (the push numbering of a link also
	// counts the downlinks of a node that relays: they want none).
	wants    uint64
	arrived  int64 // tick its highest upload arrived
	lastSeen int64 // tick of its last upload with values (if uploaded)
	uploaded bool  // it sent an upload with values
}

// gridAfter returns the first flush tick after t.
func (r *relay) gridAfter(t int64) int64 {
	w := int64(r.c.cfg.WindowTicks)
	return (t/w + 1) * w
}

// handleUpload merges an upload: its new values go out in the next flush,
// to every peer but the uploader. An upload that asks for it (Count > 0:
// a leaf that has no timing for this relay yet, starting or failing over
// to it) and a probe are acknowledged at once, so that the leaf learns
// within a round trip whether this node is reachable and when it flushes.
func (r *relay) handleUpload(from string, m Message) {
	c := r.c
	u := r.inbound[from]
	if u == nil {
		u = &uploader{}
		r.inbound[from] = u
	}
	if isDetach(m) {
		// The leaf went back to an earlier relay: stop serving it.
		delete(r.inbound, from)
		return
	}
	u.arrived = c.now
	u.wants = max(u.wants, m.Round)
	newKid := false
	if len(m.Values) > 0 { // a probe does not make the prober relay through here
		newKid = !u.uploaded || u.lastSeen < c.now-r.kidTicks()
		u.lastSeen, u.uploaded = c.now, true
	}
	if newKid && r.order[0] != c.cfg.ID {
		r.catchUpKid(from, m.Values)
	}
	fresh := false
	for _, v := range m.Values {
		if c.learn(v) {
			r.down = append(r.down, downValue{v: v, from: from})
			fresh = true
		} else {
			c.ae.confirm(v)
		}
	}
	if fresh && m.Count == 0 && r.lastFlush >= 0 && c.now-r.lastFlush <= catchUpTicks && r.catchUpAt < 0 {
		// A timed upload that just missed the flush it aimed at.
		r.catchUpAt = r.lastFlush + catchUpTicks
	}
	r.ackOnArrival(from, m)
}

// ackOnArrival acknowledges at once a numbered push that asks for it (an
// upload with Count > 0, a probe, a probing copy), with how long an
// upload waits here for the flush; the answer to a probe carries this
// node's last downlink (see recentDownlink).
func (r *relay) ackOnArrival(from string, m Message) {
	c := r.c
	if m.Round == 0 || (m.Count <= 0 && len(m.Values) > 0) {
		return
	}
	u := r.inbound[from]
	if u == nil {
		u = &uploader{}
		r.inbound[from] = u
	}
	if h := c.highestPush(from); h > u.acked {
		u.acked = h
		// Count < 0: sent on arrival; the upload waits -Count-1 ticks
		// for the flush.
		ack := Message{Kind: KindPush, Direct: true, Ack: h, Count: -int(r.nextFlush-c.now) - 1}
		if len(m.Values) == 0 || m.Direct {
			ack.Values = r.recentDownlink()
		}
		c.send(from, ack)
	}
}

// recentDownlink returns the values of this leaf's last downlink, if it
// came within a window and FailoverTicks (nil otherwise), for the answer
// to a probe: a node that probes candidates has just failed over, maybe a
// window before this one because it missed that downlink (Maelstrom
// checks a cut as each receiver takes a message off its queue, so a flush
// the cut came in reaches only some of a side). What it missed then rides
// on the answers of the candidates of its side, at no message more.
func (r *relay) recentDownlink() []int64 {
	c := r.c
	if r.self() || len(r.lastDownVals) == 0 || r.lastDown < c.now-int64(c.cfg.WindowTicks+c.cfg.FailoverTicks) {
		return nil
	}
	if len(r.lastDownVals) > maxProbeAnswerValues {
		return slices.Clone(r.lastDownVals[len(r.lastDownVals)-maxProbeAnswerValues:])
	}
	return slices.Clone(r.lastDownVals)
}

// maxProbeAnswerValues caps the values a probe's answer carries (one
// message: a downlink of 100 nodes may run to several).
const maxProbeAnswerValues = 256

// catchUpKid sends a node that starts relaying through this one (after a
// failover; not the first relay, whose leaves come back with a round) the
// values this node learned in the last SettleTicks, but those it
// uploaded: this node spread them only up to its own relay, or to the
// nodes that relayed through it then. The leaf's round at its switch
// (see choose) covers what came before.
func (r *relay) catchUpKid(kid string, uploaded []int64) {
	c := r.c
	var vals []int64
	for _, v := range c.recentQ[c.recentHead:] {
		if _, ok := c.recent[v]; ok && !slices.Contains(uploaded, v) {
			vals = append(vals, v)
		}
	}
	c.sendValues(kid, vals, func(part []int64) Message {
		return Message{Kind: KindPush, Values: part, Direct: true}
	})
}

// passOn hands values a leaf learned from a relay's downlink, at once, to
// the other relays it hears (not to the sender). After a failover that only
// some nodes made (a cut that is not transitive, like Maelstrom's
// majorities ring), several relays serve the cluster, and a leaf that hears
// two of them joins their stars. With one relay (no fault) this sends
// nothing.
func (r *relay) passOn(from string, vals []int64, ttl int) {
	c := r.c
	for _, p := range c.peers {
		if p == from || p == c.cfg.ID {
			continue
		}
		if !r.relayHeard(p) {
			continue
		}
		// Unnumbered, like failover copies: only a relay's flushes make
		// their sender a relay heard (see handlePush). Count is how many
		// more times the copy may be passed on.
		c.sendValues(p, vals, func(part []int64) Message {
			return Message{Kind: KindPush, Values: part, Direct: true, Count: ttl}
		})
	}
}

// relayHeard reports whether p flushed to this node in the last two
// windows: it relays now (a relay whose stars rejoined its own relay's
// stops flushing within a window).
func (r *relay) relayHeard(p string) bool {
	heard, ok := r.heardRelay[p]
	return ok && heard >= r.c.now-2*int64(r.c.cfg.WindowTicks)
}

// kidTicks is how recently a peer must have uploaded to count as relaying
// through this node (and a relay must have been heard to count as one).
func (r *relay) kidTicks() int64 { return 4 * int64(r.c.cfg.FailoverTicks) }

// relaying reports whether some peer relays through this node (uploaded
// in the last kidTicks).
func (r *relay) relaying() bool {
	limit := r.c.now - r.kidTicks()
	for _, u := range r.inbound {
		if u.uploaded && u.lastSeen >= limit {
			return true
		}
	}
	return false
}

// flush sends every peer the queued values it may lack (not those it sent
// here; those from another relay only to uploaders and relays), with the
// acknowledgement of its uploads; a peer owed nothing gets nothing. A
// catch-up flush (off the grid) tells an acknowledged leaf how long its
// upload would have waited for the grid's next flush, as an
// acknowledgement on arrival does, so that the leaf's slots stay on the
// grid.
func (r *relay) flush(catchUp bool) {
	c := r.c
	r.pruneHeldBack()
	resend := r.resend && len(r.heldBack) > 0
	if len(r.down) == 0 && !r.owesAck() && !resend {
		return
	}
	var vals []int64
	limit := c.now - r.kidTicks()
	if r.servingSince < 0 {
		r.servingSince, r.spellStart = c.now, c.now
	}
	skipped := false
	for _, p := range c.peers {
		u := r.inbound[p]
		kid := u != nil && u.uploaded && u.lastSeen >= limit
		vals = vals[:0]
		peerRelays := r.relayHeard(p)
		if !kid && !peerRelays && !r.flushTarget(p) {
			skipped = true
			continue
		}
		// kidsOnly values go to the nodes that relay through this one
		// and to the relays it hears; the others hear the sender, but a
		// sender across a cut or flushing to its side only may not reach
		// them. So the first relay (every node's, unless a cut hides it;
		// an idle leaf uploads to it rarely) gives them to every peer,
		// and any relay adds them to a downlink that goes anyway.
		all := kid || peerRelays || r.order[0] == c.cfg.ID
		for _, d := range r.down {
			if d.from != p && (all || !d.kidsOnly) {
				vals = append(vals, d.v)
			}
		}
		if !all && len(vals) > 0 {
			for _, d := range r.down {
				if d.from != p && d.kidsOnly {
					vals = append(vals, d.v)
				}
			}
		}
		if resend {
			for _, w := range r.heldBack {
				if w.from != p {
					vals = append(vals, w.v)
				}
			}
		}
		var ack uint64
		waited := int64(0)
		if u != nil {
			if h := c.highestPush(p); u.wants > u.acked {
				ack, u.acked = h, h
				waited = c.now - u.arrived
				if catchUp {
					waited = -(r.nextFlush - u.arrived) - 1
				}
			}
		}
		if len(vals) == 0 {
			if ack > 0 {
				c.send(p, Message{Kind: KindPush, Direct: true, Ack: ack, Count: int(waited)})
				r.flushedAt[p] = c.now
			}
			continue
		}
		r.flushedTo = append(r.flushedTo, p)
		r.flushedAt[p] = c.now
		first := true
		c.sendValues(p, vals, func(part []int64) Message {
			r.seqs[p]++
			m := Message{Kind: KindPush, Values: part, Direct: true, Round: r.seqs[p]}
			if first {
				m.Ack, m.Count, first = ack, int(waited), false
			}
			return m
		})
	}
	if len(r.down) > 0 || resend {
		r.noteBusy()
	}
	if resend {
		r.heldBack = r.heldBack[:0]
		r.resend = false
	}
	if skipped {
		for _, d := range r.down {
			if !d.kidsOnly {
				r.heldBack = append(r.heldBack, heldValue{downValue: d, at: c.now})
			}
		}
	}
	r.down = r.down[:0]
}

// heldValue is a value a flush withheld from some peers (see heldBack).
type heldValue struct {
	downValue
	at int64
}

// heldBackTicks is how long the values a flush held back are kept for a
// resend (see reopenFlushes): a relay hears the other side within a
// window and a latency of a heal (the first relay flushes to every node).
func (r *relay) heldBackTicks() int64 { return 3 * int64(r.c.cfg.WindowTicks) }

// pruneHeldBack forgets the held-back values older than heldBackTicks.
func (r *relay) pruneHeldBack() {
	r.heldBack = dropBefore(r.heldBack, func(h heldValue) int64 { return h.at }, r.c.now-r.heldBackTicks())
}

// reopenFlushes starts a new grace period of flushes to every peer (see
// flushTarget) and has the next flush resend the values held back lately:
// this node switched relays or heard from a new contact, so a cut may
// have healed, and what it spread only to its side must cross now.
//
// Not while it is a leaf (its relay is ahead of it in the order: a cut
// healed): that relay got what this node held back in the round at the
// switch, and so did its leaves, each with a round; the relay flushes
// what they bring (see syncedValue).
func (r *relay) reopenFlushes() {
	if r.servingSince < 0 {
		return // not relaying: nothing withheld
	}
	if !r.self() {
		return // a leaf again (above)
	}
	r.servingSince = r.c.now
	r.resend = true
}

// flushTarget reports whether a flush goes to p, which neither uploads to
// this node nor relays. The first node of the order flushes to every
// peer: at a low load its leaves may upload rarely, and it is every
// node's relay unless a cut hides it. A relay that took over (a cut, a
// failover) flushes to every peer for its first servingGraceWindows
// windows, and then only to the peers it heard from since shortly
// before it took over (kidTicks): the others are across the cut (their
// flushes would be dropped) or hear another relay. The nodes of its side
// come to it (uploads, probes, copies, rounds), idle ones too (a probe
// of their silent relay fails over to it); a leaf of another relay that
// hears it (a bridge, in a majorities ring) passes its values on to it.
func (r *relay) flushTarget(p string) bool {
	c := r.c
	if r.order[0] == c.cfg.ID || c.now-r.servingSince < servingGraceWindows*int64(c.cfg.WindowTicks) {
		return true
	}
	heard, ok := r.heardFrom[p]
	return ok && heard >= r.spellStart-r.kidTicks()
}

// servingGraceWindows is how many windows a relay that took over flushes
// to every peer (see flushTarget).
const servingGraceWindows = 2

// noticeRoot sends the peers that the last flush sent values to (if any)
// a root notice: the Merkle root of this node's set, now that a flush
// slot has found nothing new. A leaf whose set equals it lacks nothing
// this node has and needs no anti-entropy round when the load stops (see
// antiEntropy.matchesRoot); one that lost a downlink differs and opens
// one. It costs one message per peer per burst of load, where a closing
// round costs two.
func (r *relay) noticeRoot() {
	if r.serves() {
		for _, p := range r.flushedTo {
			r.sendRootNotice(p)
		}
	}
	r.flushedTo = r.flushedTo[:0]
}

// serves reports whether this node relays for others: it is its own
// relay, or leaves upload to it. A node back to being a leaf (a cut
// healed, its leaves left) sends no root notices: no peer takes its root
// for its relay's, nor waits for its next flush.
func (r *relay) serves() bool { return r.self() || r.relaying() }

// sendRootNotice sends p a root notice.
func (r *relay) sendRootNotice(p string) {
	r.c.send(p, Message{Kind: KindPush, Direct: true, Root: slices.Clone(r.c.tree.Root())})
}

// isRootNotice reports whether m, a push, is a root notice (see
// noticeRoot): Direct, with a root and nothing else.
func isRootNotice(m Message) bool {
	return m.Direct && len(m.Root) > 0 && len(m.Values) == 0 && m.Round == 0 && m.Ack == 0
}

// owesAck reports whether some uploader waits for an acknowledgement.
func (r *relay) owesAck() bool {
	for _, u := range r.inbound {
		if u.acked < u.wants {
			return true
		}
	}
	return false
}
