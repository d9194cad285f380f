package gossip

import (
	"fmt"
	"slices"
)

// relay is the default strategy (StrategyRelay): a star whose hub is
// chosen, not fixed. Every node orders the ids the same way (sortedIDs);
// its relay is the first node of that order it does not suspect, itself
// included.
//
//   - A leaf uploads the values its clients broadcast to its relay, batched:
//     one upload per WindowTicks at most, timed to reach the relay just
//     before it flushes (below), or at once when no timing is known yet.
//   - A node that receives an upload relays it: the new values go, with
//     the node's own clients' values, in one downlink per peer per window
//     (flushed on a grid of WindowTicks of its own clock), marked Direct
//     (keep, do not relay). A downlink to a leaf acknowledges its uploads
//     (Message.Ack: the highest upload number received) and says how many
//     ticks the last one waited for this flush (Message.Count). The leaf
//     moves its next uploads so that they arrive LeadTicks before the
//     flush: a feedback loop, with no clock shared. A timed upload that
//     arrives less than catchUpTicks after the flush goes out in a
//     catch-up flush then.
//   - A node that relays for others and learns values from another
//     relay's downlink passes them on to the nodes that upload to it (and
//     to the relays it hears; the others hear the sender), so that the
//     stars of two relays (after a failover that only some nodes made)
//     stay joined.
//   - A leaf whose oldest unacknowledged upload is older than its failover
//     timeout (a little over the slowest acknowledgement it has seen,
//     within FailoverTicks), or whose relay says nothing for a window and
//     the margin after a downlink with values (see advance), suspects its
//     relay: it sends the values at risk to every peer itself, once
//     (see failover), and uploads to
//     the next node of the order from then on, after an anti-entropy
//     round with it (a relay other than the first sends a newcomer the
//     values of the last SettleTicks too). A node that suspects every
//     node before it is its own relay: its values go to every peer in its
//     downlinks. Any message from a suspected node clears the suspicion
//     (the first relay is back), so the relay role falls back to the
//     first reachable node in the order; the leaf sends the relay it
//     leaves a detach, and that relay stops serving it.
//
// Nothing new to send: nothing is sent (no heartbeats); acknowledgements
// ride on the downlinks, and only uploads are watched for them. A node
// that suspects a node ahead of its relay rechecks it while quiet (see
// recheckAt).
type relay struct {
	c     *Core
	order []string // every id, this node included, canonical order

	suspected map[string]bool // nodes this node does not upload to
	current   string          // the relay this node uploads to (itself: it relays for itself)

	// Leaf side: values waiting for the next upload, the uploads not
	// acknowledged yet, and the upload timing.
	up []int64
	// seqs numbers the pushes to each peer, uploads and downlinks alike
	// (Message.Round), so that the receiver notices lost ones.
	seqs    map[string]uint64
	unacked []sentUpload
	// ackedRecently holds the uploads acknowledged in the last window and
	// FailoverTicks: a failover copies them too.
	ackedRecently []ackedUpload
	// lastDownVals are the values of the last downlink from current (at
	// lastDown; see failover and handleUpload).
	lastDownVals []int64
	// lastFailover is the tick of the last failover: anti-entropy stays
	// fast for degradedTicks after it.
	lastFailover int64
	// lastBusy is the tick this node last sent or received values (a
	// client's, an upload, a downlink, a copy, a flush); lastRecheck the
	// tick of the last probe of a suspected node ahead of its relay, and
	// recheckEvery the quiet it waits for before the next (see
	// recheckAt).
	lastBusy, lastRecheck, recheckEvery int64
	// phase is a tick at which an upload should leave (uploads leave at
	// phase + k*WindowTicks); phaseOK says the relay's feedback has set it.
	phase   int64
	phaseOK bool
	// upDue is the slot the queued values (up) wait for (-1: none set):
	// fixed when they are queued, so that an Advance that skips the slot's
	// tick (a driver that sleeps until a deadline and wakes late) still
	// sends them then, instead of at the next slot after now.
	upDue int64
	// lastDown is the tick of the last downlink with values from current;
	// probed says a probe went since (see maybeProbe). lastAlarm is the
	// tick of the last failover copy from another node, or downlink from a
	// relay other than current (signs of a cut).
	lastDown, lastAlarm int64
	probed              bool
	// late is the recent largest lateness of the relay's flush against the
	// slot a timed upload aimed at (a decaying maximum, ticks).
	late int64
	// expectBy is the tick by which the current relay must send again
	// (NoDeadline: nothing expected): a downlink with values promises
	// another message within a window (see flush), and the relay's
	// silence past that and the margin is a failover.
	expectBy int64
	// downLate is the recent largest lateness of a downlink from current
	// after the one a window before it (a decaying maximum, ticks): the
	// spread of the latency, which the silence allows for. onTime counts
	// the downlinks in a row that came within half the margin of a
	// window after the one before: a silence is a failover only after
	// onTimeForFailover of them, a probe before (see advance).
	downLate int64
	onTime   int
	downFrom string // the relay lastDown came from
	// heardCurrent is the tick of the last message from the current relay
	// (or of the switch to it).
	heardCurrent int64
	// slack is added to the failover timeout after a false suspicion (a
	// relay heard from right after the failover); acknowledgements wear it
	// down.
	slack int64
	// probes holds the probes sent to the next candidates in the order
	// at a failover, not acknowledged yet (see probeCandidates).
	probes map[string]sentUpload
	// heardRelay maps the peers heard sending downlinks with values to
	// the tick of the last one.
	heardRelay map[string]int64
	// rtt is the recent slowest round trip to the relay, ticks: the time
	// from an upload to its acknowledgement less the time it waited there
	// for the flush (a maximum that decays by 1/8 of the gap per sample;
	// 0: none seen yet).
	rtt int64

	// Relay side: values waiting for the next flush, per peer what it is
	// owed, and the flush grid.
	down      []downValue
	inbound   map[string]*uploader
	nextFlush int64
	// lastFlush is the tick of the last flush on the grid; catchUpAt the
	// tick of a catch-up flush due (-1: none; see handleUpload).
	lastFlush, catchUpAt int64
	// heardFrom maps each peer to the tick of its last message of any
	// kind; spellStart is the tick of the first flush of this node's
	// current spell of relaying, servingSince that or the last
	// reopenFlushes (-1: not relaying at the last flush). See
	// flushTarget.
	heardFrom                map[string]int64
	spellStart, servingSince int64
	// heldBack holds the values flushes of the last heldBackTicks did
	// not send to every peer (flushTarget); resend says the next flush
	// sends them to every peer (see reopenFlushes).
	heldBack []heldValue
	resend   bool
	// flushedTo lists the peers the flushes since the last grid flush
	// with nothing new sent values to: they get a root notice at the next
	// empty grid slot (see noticeRoot).
	flushedTo []string
	// prevFlushed lists the peers the last grid flush sent values to,
	// flushedAt the tick each peer was last sent a downlink or an
	// acknowledgement (see advance).
	prevFlushed []string
	flushedAt   map[string]int64
}

// catchUpTicks is how late after a flush a timed upload may arrive and
// still go out at once, in a catch-up flush at the flush plus
// catchUpTicks, instead of a window later. A leaf woken late for its
// upload slot (a machine-wide stall: every leaf aims at the same
// instant) thus costs its values tens of milliseconds, not a window.
const catchUpTicks = 6

// ackedUpload is an upload acknowledged at tick at (see ackedRecently).
type ackedUpload struct {
	at     int64
	values []int64
}

// pruneAcked forgets the uploads acknowledged more than a window and
// FailoverTicks ago: the next upload's failover comes within that.
func (r *relay) pruneAcked() {
	limit := r.c.now - int64(r.c.cfg.WindowTicks+r.c.cfg.FailoverTicks)
	r.ackedRecently = dropBefore(r.ackedRecently, func(u ackedUpload) int64 { return u.at }, limit)
}

// dropBefore removes the leading entries of s (in tick order) stamped
// before limit.
func dropBefore[T any](s []T, tick func(T) int64, limit int64) []T {
	i := 0
	for i < len(s) && tick(s[i]) < limit {
		i++
	}
	return slices.Delete(s, 0, i)
}

// sentUpload is an upload (or a probe) not acknowledged yet.
type sentUpload struct {
	seq    uint64
	at     int64
	timed  bool // sent in a slot set by the relay's feedback
	values []int64
	// due, on a probe, is the tick it times out if that is sooner than
	// probeTimeout after at (see siblingAnswered); 0: not set.
	due int64
}

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
	acked    uint64 // highest upload number acknowledged to it
	arrived  int64  // tick its highest upload arrived
	lastSeen int64  // tick of its last upload with values (if uploaded)
	uploaded bool   // it sent an upload with values
}

// newRelay returns the relay strategy of core c.
func newRelay(c *Core) *relay {
	r := &relay{
		c:          c,
		order:      sortedIDs(c.cfg.NodeIDs),
		suspected:  make(map[string]bool),
		inbound:    make(map[string]*uploader),
		seqs:       make(map[string]uint64),
		heardRelay: make(map[string]int64),
		probes:     make(map[string]sentUpload),
		heardFrom:  make(map[string]int64),
		flushedAt:  make(map[string]int64),
	}
	r.servingSince = -1
	r.lastFailover = -degradedTicks
	r.recheckEvery = int64(c.cfg.SettleTicks)
	r.upDue = -1
	r.expectBy = NoDeadline
	r.lastFlush, r.catchUpAt = -1, -1
	r.choose()
	r.nextFlush = r.gridAfter(c.now)
	return r
}

// gridAfter returns the first flush tick after t.
func (r *relay) gridAfter(t int64) int64 {
	w := int64(r.c.cfg.WindowTicks)
	return (t/w + 1) * w
}

// choose sets current to the first node of the order not suspected.
func (r *relay) choose() {
	for _, id := range r.order {
		if id == r.c.cfg.ID || !r.suspected[id] {
			if id != r.current {
				switched := r.current != ""
				if switched {
					r.c.cfg.Logf("relay %s -> %s", r.current, id)
				}
				r.current = id
				r.phaseOK, r.upDue = false, -1
				r.heardCurrent, r.probed = r.c.now, false
				r.expectBy = NoDeadline
				r.reopenFlushes()
				if r.self() { // this node relays its own values now
					for _, v := range r.up {
						r.down = append(r.down, downValue{v: v})
					}
					r.up = r.up[:0]
				} else if switched {
					// A round with the new relay at once: each gets what
					// the other learned before this node relayed through
					// it (values it spread to others, not to this node,
					// and what this node missed while its relay was gone).
					// One that ran lately, either way, did that (a gap in
					// its pushes found as it came back from a cut).
					r.c.ae.openRoundUnlessLately(r.current)
				}
			}
			return
		}
	}
}

// self reports whether this node is its own relay.
func (r *relay) self() bool { return r.current == r.c.cfg.ID }

// clientValue queues a client's value: for this node's own downlinks if it
// is its own relay or relays for others, and for the next upload if it is
// not its own relay.
func (r *relay) clientValue(v int64) {
	r.noteBusy()
	if r.self() {
		r.down = append(r.down, downValue{v: v})
		return
	}
	if r.relaying() {
		// Nodes relay through this one because they cannot reach its own
		// relay: they would not get the value from there.
		r.down = append(r.down, downValue{v: v, kidsOnly: true})
	}
	r.up = append(r.up, v)
	r.maybeUpload()
}

// maybeUpload sends the queued values to the relay if their slot has come
// (at once when no timing is known).
func (r *relay) maybeUpload() {
	c := r.c
	if len(r.up) == 0 || r.self() {
		return
	}
	if r.phaseOK {
		if r.upDue < 0 {
			r.upDue = r.nextSlot()
		}
		if c.now < r.upDue {
			return
		}
	}
	r.upload(r.up)
	r.up = r.up[:0]
	r.upDue = -1
}

// nextSlot returns the first upload slot at or after now.
func (r *relay) nextSlot() int64 {
	c := r.c
	w := int64(c.cfg.WindowTicks)
	k := (c.now - r.phase + w - 1) / w
	if c.now < r.phase {
		k = 0
	}
	return r.phase + max(k, 0)*w
}

// upload sends vals (not empty) to the relay as numbered pushes and waits
// for their acknowledgement.
func (r *relay) upload(vals []int64) {
	c := r.c
	c.sendValues(r.current, vals, func(part []int64) Message {
		r.seqs[r.current]++
		seq := r.seqs[r.current]
		r.unacked = append(r.unacked, sentUpload{seq: seq, at: c.now, timed: r.phaseOK, values: part})
		m := Message{Kind: KindPush, Values: slices.Clone(part), Round: seq}
		if !r.phaseOK {
			m.Count = 1 // acknowledge on arrival
		}
		return m
	})
}

// handlePush merges a push: an upload (not Direct) from a peer that
// relays through this node, or a downlink (Direct) from a relay.
func (r *relay) handlePush(from string, m Message) {
	c := r.c
	if len(m.Values) > 0 {
		c.ae.pushArrived()
		r.noteBusy()
	}
	if m.Round > c.highestPush(from)+1 {
		// A numbered push skipped one: between a leaf and its relay the
		// pushes of a link come in order (one per window), so it is lost,
		// not late. A round with the sender at once gets its values back
		// within a round trip, not after the hole's wait (SettleTicks/2).
		c.ae.gapFound(from, fmt.Sprintf("push #%d skipped", c.highestPush(from)+1), true)
	}
	c.notePushSeq(from, m.Round)
	if !m.Direct {
		r.handleUpload(from, m)
		return
	}
	if len(m.Values) > 0 && ((m.Round == 0 && m.Count == 0) || (m.Round > 0 && from != r.current)) {
		// A failover copy (some node lost its relay), or a flush from a
		// relay other than this node's (some nodes relay elsewhere).
		r.lastAlarm = c.now
	}
	if len(m.Values) > 0 && m.Round > 0 { // a relay's flush, not a copy passed on or a failover copy
		r.heardRelay[from] = c.now
		if from == r.current {
			if c.now != r.lastDown || from != r.downFrom {
				r.lastDownVals = r.lastDownVals[:0]
				if from == r.downFrom {
					r.noteDownlinkGap(c.now - r.lastDown)
				}
			}
			r.downFrom = from
			r.lastDownVals = append(r.lastDownVals, m.Values...)
			r.lastDown, r.probed = c.now, false
			r.expectBy = c.now + int64(c.cfg.WindowTicks) + r.marginTicks() + r.slack + r.downLate
		}
	} else if from == r.current && (isRootNotice(m) || (len(m.Values) == 0 && m.Ack > 0 && m.Count >= 0)) {
		// The next grid flush sent a root notice or only an
		// acknowledgement: it promises nothing more. (An acknowledgement
		// on arrival, Count < 0, is not that flush.)
		r.expectBy = NoDeadline
	}
	var fresh []int64
	for _, v := range m.Values {
		if c.learn(v) {
			fresh = append(fresh, v)
		} else {
			c.ae.confirm(v)
		}
	}
	// A relay's flush may be passed on twice (a bridge, then the relay of
	// the receiving star); a copy carries how many more times. A node
	// that relays puts what it passes on in its next flush (to every peer
	// but the sender: no extra message per value); a leaf that hears two
	// relays (a bridge) hands it to the other relays at once.
	ttl := int64(m.Count)
	if m.Round > 0 {
		ttl = 2
	}
	if len(fresh) > 0 && m.Round == 0 && m.Count == 0 && (r.self() || r.relaying()) {
		// A failover copy reaches the origin's side of the cut, which
		// may not hold this node's kids (a cut that is not transitive:
		// they upload here because they cannot reach the first relay).
		// Their next downlink carries it; the others got the copy.
		for _, v := range fresh {
			r.down = append(r.down, downValue{v: v, from: from, kidsOnly: true})
		}
	}
	if len(fresh) > 0 && ttl > 0 {
		if r.self() || r.relaying() {
			// Only the nodes that relay through this one (and the other
			// relays it hears) need them: the rest hear the sender.
			for _, v := range fresh {
				r.down = append(r.down, downValue{v: v, from: from, kidsOnly: true})
			}
		} else {
			r.passOn(from, fresh, int(ttl-1))
		}
	}
	if from == r.current && isRootNotice(m) {
		c.ae.noteRoot(from, m.Root)
	}
	if p, ok := r.probes[from]; ok && m.Ack >= p.seq {
		delete(r.probes, from) // reachable
		// A round trip: at a cut that comes before any acknowledgement
		// (Maelstrom's first), the other candidates' probes then time out
		// within it and the margin, not FailoverTicks.
		r.noteRTT(c.now - p.at)
		r.siblingAnswered(p.at)
	}
	if from == r.current && m.Ack > 0 {
		r.acked(m.Ack, int64(m.Count))
	}
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
	if (m.Count > 0 || len(m.Values) == 0) && m.Round > 0 {
		if h := c.highestPush(from); h > u.acked {
			u.acked = h
			// Count < 0: sent on arrival; the upload waits -Count-1 ticks
			// for the flush.
			ack := Message{Kind: KindPush, Direct: true, Ack: h, Count: -int(r.nextFlush-c.now) - 1}
			if len(m.Values) == 0 {
				ack.Values = r.recentDownlink()
			}
			c.send(from, ack)
		}
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

// detach returns the message a leaf sends the relay it leaves for an
// earlier one (back from a cut): an upload with no values, unnumbered,
// Count -1.
func detach() Message { return Message{Kind: KindPush, Count: -1} }

// isDetach reports whether m, an upload, is a detach.
func isDetach(m Message) bool {
	return !m.Direct && len(m.Values) == 0 && m.Round == 0 && m.Ack == 0 && m.Count < 0
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

// acked handles an acknowledgement of uploads up to seq from the relay.
// count >= 0: it came with the flush and the last of them waited count
// ticks there; count < 0: it was sent on arrival and the upload waits
// -count-1 ticks for the flush.
func (r *relay) acked(seq uint64, count int64) {
	c := r.c
	i := 0
	var last sentUpload
	for i < len(r.unacked) && r.unacked[i].seq <= seq {
		last = r.unacked[i]
		i++
	}
	if i == 0 {
		return
	}
	for _, u := range r.unacked[:i] {
		r.ackedRecently = append(r.ackedRecently, ackedUpload{at: c.now, values: u.values})
	}
	r.unacked = slices.Delete(r.unacked, 0, i)
	r.pruneAcked()
	if last.seq != seq {
		return
	}
	waited, rtt := count, c.now-last.at-count
	if count < 0 {
		waited, rtt = -count-1, c.now-last.at
	}
	r.slack -= (r.slack + 7) / 8
	if last.timed && count >= 0 {
		// How much later than aimed the relay flushed (a busy relay, a
		// loaded machine): timed uploads allow for it.
		late := max(0, waited-r.leadTicks())
		if late >= r.late {
			r.late = late
		} else {
			r.late -= (r.late - late + 7) / 8
		}
	}
	r.noteRTT(rtt)
	// The upload left at last.at and waited `waited` ticks for the flush:
	// leaving at last.at+waited-LeadTicks would have waited LeadTicks. The
	// relay flushes every WindowTicks on its grid.
	r.phase = last.at + waited - r.leadTicks()
	r.phaseOK = true
	if r.upDue >= 0 {
		// Values are queued: they go at the new timing's next slot, or
		// at the one they waited for if that comes first (the new timing
		// may put its slot a tick or two before now, as the first timings
		// settle: they would wait a whole window more).
		r.upDue = min(r.upDue, r.nextSlot())
	}
	// This runs in a Step, between ticks: the slot may be this very tick.
	r.maybeUpload()
}

// onTimeForFailover is how many downlinks in a row must come on time
// before a silence is a failover rather than a probe: under
// --latency-dist exponential (mean 100 ms) about one downlink in four is
// over 60 ms late, so 16 in a row come a few times a run, and each false
// failover cost about 40 messages; with a constant latency it takes the
// first 16 windows with values, about 6 s.
const onTimeForFailover = 16

// noteDownlinkGap takes the ticks between two downlinks from current
// into downLate, if they are a window or so apart (consecutive flushes;
// a catch-up flush comes sooner, an idle spell later).
func (r *relay) noteDownlinkGap(gap int64) {
	w := int64(r.c.cfg.WindowTicks)
	if gap < w/2 || gap >= 2*w {
		return
	}
	late := max(0, gap-w)
	if late <= r.marginTicks()/2 {
		r.onTime++
	} else {
		r.onTime = 0
	}
	if late >= r.downLate {
		r.downLate = late
	} else {
		r.downLate -= (r.downLate - late + 7) / 8
	}
}

// noteRTT takes a round-trip sample (ticks) into rtt.
func (r *relay) noteRTT(rtt int64) {
	rtt = max(1, rtt)
	if rtt >= r.rtt {
		r.rtt = rtt
	} else {
		r.rtt -= (r.rtt - rtt) / 8
	}
}

// syncedValue re-spreads a value anti-entropy brought to a node that is
// its own relay (what a cut withheld from it may be withheld from
// others), and hands it to the kids of a leaf that relays for some (they
// cannot reach its relay, so its relay's flush does not bring it to them).
// A plain leaf keeps it: it may only be in flight; see withheld.
func (r *relay) syncedValue(v int64, from string) {
	switch {
	case r.self():
		r.down = append(r.down, downValue{v: v, from: from})
	case r.relaying():
		r.down = append(r.down, downValue{v: v, from: from, kidsOnly: true})
	}
}

// withheld uploads values anti-entropy brought that no downlink brought:
// the relay may lack them too.
func (r *relay) withheld(vals []int64) {
	if r.self() {
		return // syncedValue spread them
	}
	r.up = append(r.up, vals...)
	r.maybeUpload()
}

// synced uploads what anti-entropy queued.
func (r *relay) synced(string) { r.maybeUpload() }

// heard clears the suspicion of a node heard from: it is reachable again.
func (r *relay) heard(from string, m Message) {
	if last, ok := r.heardFrom[from]; !ok || last < r.c.now-r.kidTicks() {
		r.reopenFlushes() // a new contact: the cut may have changed
	}
	r.heardFrom[from] = r.c.now
	if from == r.current {
		r.heardCurrent = r.c.now
	}
	if r.suspected[from] {
		delete(r.suspected, from)
		if r.c.now-r.lastFailover < 2*int64(r.c.cfg.FailoverTicks) && from == r.order[0] {
			// The first relay answers right after the failover: it was
			// slow (a stalled process, a loaded machine), not gone. Allow
			// it more time from now on (halved back by acknowledgements).
			r.slack = min(int64(r.c.cfg.FailoverTicks), 2*r.slack+r.marginTicks())
		}
		r.c.cfg.Logf("%s heard from again (a %s)", from, m.Kind)
		before := r.current
		r.choose()
		if r.current == before {
			return
		}
		if before != r.c.cfg.ID && !r.suspected[before] {
			r.c.send(before, detach())
		}
		// Back to an earlier relay, cut off until now: the round choose
		// opened with it gives it what this side learned meanwhile, and
		// it spreads that. Uploads to the relay left behind may be lost:
		// their values go to the new one.
		if len(r.unacked) > 0 {
			var vals []int64
			for _, u := range r.unacked {
				vals = append(vals, u.values...)
			}
			r.unacked = nil
			r.up = append(r.up, vals...)
			r.maybeUpload()
		}
	}
}

// peerRestarted forgets a restarted uploader.
func (r *relay) peerRestarted(peer string) { delete(r.inbound, peer) }

// setTopology ignores Maelstrom's topology: the relay order comes from the
// node ids.
func (r *relay) setTopology(map[string][]string) {
	r.c.cfg.Logf("topology ignored (strategy relay)")
}

// leadTicks is how long before the relay's flush a timed upload aims to
// arrive: LeadTicks, and a tick more per 25 nodes beyond the first 25.
// All the leaves aim at the same instant, and the relay reads their
// uploads one by one: at 100 nodes on a loaded machine a 20 ms lead made
// about one flush in five need a catch-up flush (a message per peer) for
// an upload read just after it.
func (r *relay) leadTicks() int64 {
	return int64(r.c.cfg.LeadTicks + (len(r.order)-1)/25)
}

// marginTicks is the failover margin: FailoverMarginTicks per started 25
// nodes. A relay's flush and acknowledgements grow with the nodes it
// serves, and so do its stalls on a loaded machine: at 100 nodes on two
// cores a 120 ms margin made leaves fail over from a relay that was only
// late (each false failover cost about 2,500 messages there).
func (r *relay) marginTicks() int64 {
	return int64(r.c.cfg.FailoverMarginTicks) * int64(max(1, (len(r.order)+24)/25))
}

// failoverAt returns the tick at which the oldest-due unacknowledged
// upload makes the relay suspect (NoDeadline: none), but not before the
// relay has been silent for a window and FailoverMarginTicks. An upload may stay
// unacknowledged for the recent slowest round trip, plus its wait at the
// relay (LeadTicks and the relay's recent lateness for a timed upload;
// none for one that asked to be acknowledged on arrival), plus
// FailoverMarginTicks and any slack; at most FailoverTicks.
func (r *relay) failoverAt() int64 {
	cfg := &r.c.cfg
	d := NoDeadline
	for _, u := range r.unacked {
		t := int64(cfg.FailoverTicks)
		if r.rtt > 0 {
			wait := int64(0) // acknowledged on arrival
			if u.timed {
				wait = r.leadTicks() + r.late
			}
			t = min(t, r.rtt+wait+r.marginTicks()+r.slack)
		}
		d = min(d, u.at+t)
	}
	if d != NoDeadline {
		// A relay that sent anything lately is alive, only slow (a late
		// flush on a loaded machine): fail over only after it has also
		// been silent for a window and the margin.
		d = max(d, r.heardCurrent+int64(cfg.WindowTicks)+r.marginTicks())
	}
	return d
}

// advance flushes the downlinks on the grid, sends uploads whose slot has
// come, and fails over from a relay that does not acknowledge.
func (r *relay) advance() {
	c := r.c
	if len(r.unacked) > 0 && c.now >= r.failoverAt() {
		r.failover(fmt.Sprintf("push #%d unacknowledged for %d ticks", r.unacked[0].seq, c.now-r.unacked[0].at), r.tentative())
	} else if !r.self() && c.now >= r.expectBy {
		r.expectBy = NoDeadline
		if r.onTime >= onTimeForFailover {
			r.failover(fmt.Sprintf("silent for %d ticks after a downlink", c.now-r.lastDown), r.tentative())
		} else {
			// Downlinks came late lately, by more than half the margin (a
			// latency that varies: --latency-dist exponential), or too
			// few came yet: a late one is likely, so ask first.
			r.probeRelay()
		}
	}
	r.checkProbes()
	r.maybeUpload()
	r.maybeProbe()
	r.maybeRecheck()
	if r.servingSince >= 0 && !r.self() && !r.relaying() {
		r.servingSince = -1 // a spell of relaying is over
	}
	if c.now >= r.nextFlush {
		prev := r.prevFlushed[:0]
		if len(r.down) == 0 && !r.owesAck() {
			r.noticeRoot()
		} else {
			prev = append(prev, r.flushedTo...)
			r.flushedTo = r.flushedTo[:0]
		}
		r.flush(false)
		// A peer the last flush sent values to expects a message in this
		// one (a leaf fails over from a relay silent past a window and
		// the margin after a downlink with values): one that got none
		// gets a root notice.
		for _, p := range prev {
			if r.flushedAt[p] != c.now {
				r.sendRootNotice(p)
			}
		}
		r.prevFlushed = prev
		r.lastFlush, r.catchUpAt = c.now, -1
		r.nextFlush = r.gridAfter(c.now)
	} else if r.catchUpAt >= 0 && c.now >= r.catchUpAt {
		r.flush(true)
		r.catchUpAt = -1
	}
}

// noteBusy records that values moved through this node now (see
// recheckAt).
func (r *relay) noteBusy() {
	r.lastBusy = r.c.now
	r.recheckEvery = int64(r.c.cfg.SettleTicks)
}

// firstSuspected returns the first node of the order ahead of this
// node's relay that it suspects ("" if none): the relay it would go back
// to if it heard from it.
func (r *relay) firstSuspected() string {
	for _, id := range r.order {
		if id == r.current {
			return ""
		}
		if r.suspected[id] {
			return id
		}
	}
	return ""
}

// recheckAt returns the tick at which the first suspected node ahead of
// this node's relay is probed (NoDeadline: none suspected): after
// recheckEvery ticks with no values moving through this node, and again
// after each recheckEvery since the last probe, which doubles up to
// MaxSyncTicks while nothing moves. Under load a healed cut shows itself:
// the first relay flushes to every peer, and a message from a suspected
// node clears the suspicion. When the load has stopped, nothing would
// cross the healed cut at all (no node sends with nothing new, and
// anti-entropy goes idle once the rounds of its side agree): what only
// one side learned would stay there. The probe's answer clears the
// suspicion, and the switch back opens a round with that node, which
// spreads what this side learned (and it a gap round: the probe's number
// skips the pushes lost in the cut).
func (r *relay) recheckAt() int64 {
	if r.firstSuspected() == "" {
		return NoDeadline
	}
	return max(r.lastBusy, r.lastRecheck) + r.recheckEvery
}

// maybeRecheck probes the first suspected node ahead of the relay when
// recheckAt has come.
func (r *relay) maybeRecheck() {
	c := r.c
	id := r.firstSuspected()
	if id == "" || c.now < r.recheckAt() {
		return
	}
	if r.lastRecheck > r.lastBusy {
		r.recheckEvery = min(2*r.recheckEvery, int64(c.cfg.MaxSyncTicks))
	}
	r.lastRecheck = c.now
	r.seqs[id]++
	c.send(id, Message{Kind: KindPush, Round: r.seqs[id], Count: 1})
}

// probeAt returns the tick at which a silent relay is probed (NoDeadline:
// no probe due): a window and the failover margin after its last
// downlink, once per silence, and only if another node failed over
// lately (its copies reached this one): when the load merely stops,
// nothing is probed.
func (r *relay) probeAt() int64 {
	cfg := &r.c.cfg
	// Silent since its last downlink, or since this node chose it.
	since := max(r.lastDown, r.heardCurrent)
	if r.self() || r.probed || len(r.unacked) > 0 || r.lastAlarm == 0 || r.lastAlarm < since-int64(cfg.WindowTicks) {
		return NoDeadline
	}
	return since + int64(cfg.WindowTicks) + r.marginTicks()
}

// maybeProbe sends a probe (an empty numbered upload, acknowledged on
// arrival) to a relay that has sent no downlink for a window after
// sending them: under load a relay sends every leaf a downlink per
// window, so its silence may be a cut. An unacknowledged probe fails over
// like an upload. When the load stops, each leaf sends one probe.
func (r *relay) maybeProbe() {
	c := r.c
	if c.now < r.probeAt() {
		return
	}
	r.probeRelay()
}

// probeRelay sends the relay a probe: an empty numbered upload,
// acknowledged on arrival, that fails over like an upload if it is not.
func (r *relay) probeRelay() {
	c := r.c
	r.probed = true
	r.seqs[r.current]++
	seq := r.seqs[r.current]
	r.unacked = append(r.unacked, sentUpload{seq: seq, at: c.now})
	c.send(r.current, Message{Kind: KindPush, Round: seq, Count: 1})
}

// failover suspects the current relay: the values of the unacknowledged
// uploads go to every peer at once (so that they reach this node's side
// of a cut within a latency), and the next node of the order becomes the
// relay.
//
// A relay that was tentative (chosen at a failover, its probe not
// answered yet) never confirmed that it was reachable: what was uploaded
// to it goes to the next relay as an upload, not to every peer, when a
// round trip is known (the timeout then comes within a round trip and the
// margin; before that it is FailoverTicks, and the copies go as usual).
// Every node of a side fails over together at a cut, and to the same
// wrong candidates: copying each one's uploads to every peer again cost
// 24 messages per leaf per candidate across the cut.
func (r *relay) failover(why string, tentative bool) {
	c := r.c
	old := r.current
	var vals, reupload []int64
	for _, u := range r.unacked {
		if tentative && r.rtt > 0 {
			reupload = append(reupload, u.values...)
			continue
		}
		vals = append(vals, u.values...)
	}
	// Uploads acknowledged lately too: the flush that acknowledged them
	// may have reached this node and no other, as the cut came.
	r.pruneAcked()
	for _, u := range r.ackedRecently {
		vals = append(vals, u.values...)
	}
	r.ackedRecently = r.ackedRecently[:0]
	if len(vals) > 0 && r.lastDown >= c.now-int64(c.cfg.WindowTicks+c.cfg.FailoverTicks) {
		// And the relay's last downlink: Maelstrom checks a cut as each
		// receiver takes a message off its queue, so the flush the cut
		// came in may have reached this node and only some others of its
		// side (an earlier flush reached them all: a later one came
		// here). They ride on the copies (no message more).
		vals = append(vals, r.lastDownVals...)
		slices.Sort(vals)
		vals = slices.Compact(vals)
	}
	r.lastDownVals = r.lastDownVals[:0]
	c.cfg.Logf("relay %s suspect: %s; %d values to every peer", old, why, len(vals))
	r.unacked = nil
	r.suspected[old] = true
	delete(r.probes, old)
	r.lastFailover = c.now
	r.choose()
	for _, p := range c.peers {
		c.sendValues(p, vals, func(part []int64) Message {
			return Message{Kind: KindPush, Values: part, Direct: true}
		})
	}
	r.probeCandidates()
	c.ae.resetSync()
	if r.self() { // this node relays its own values now
		for _, v := range reupload {
			r.down = append(r.down, downValue{v: v})
		}
	} else if len(reupload) > 0 {
		r.up = append(r.up, reupload...)
		r.maybeUpload()
	}
}

// tentative reports whether the current relay was chosen at a failover
// and has not answered its probe yet (see failover).
func (r *relay) tentative() bool {
	_, ok := r.probes[r.current]
	return ok
}

// probeCandidates probes the first failoverProbes nodes of the order that
// this node does not suspect (the new relay among them), at once: each
// acknowledges on arrival, and one that does not within the failover
// timeout is suspected. On a cut, the nodes of a side thus find the first
// node of the order on their side within about one timeout, instead of
// one timeout per node across the cut.
func (r *relay) probeCandidates() {
	c := r.c
	n := 0
	for _, id := range r.order {
		if n == failoverProbes {
			return
		}
		if id == c.cfg.ID || r.suspected[id] {
			continue
		}
		n++
		if _, ok := r.probes[id]; ok {
			continue
		}
		r.seqs[id]++
		r.probes[id] = sentUpload{seq: r.seqs[id], at: c.now}
		c.send(id, Message{Kind: KindPush, Round: r.seqs[id], Count: 1})
	}
}

// failoverProbes is how many candidates a failover probes.
const failoverProbes = 5

// siblingAnswered shortens the wait for the probes sent at tick at with
// one just answered (a failover probes its candidates at once): their
// answers come about together, so a candidate silent half a margin
// later is across the cut. The tentative relay, first in the order, is
// thus dropped a round trip's spread after the others answer, not a
// whole margin after the slowest round trip seen.
func (r *relay) siblingAnswered(at int64) {
	due := r.c.now + r.marginTicks()/2
	for id, p := range r.probes {
		if p.at == at && (p.due == 0 || due < p.due) {
			p.due = due
			r.probes[id] = p
		}
	}
}

// probeDue is the tick probe p times out.
func (r *relay) probeDue(p sentUpload) int64 {
	d := p.at + r.probeTimeout()
	if p.due > 0 {
		d = min(d, p.due)
	}
	return d
}

// probeTimeout is how long a probe (acknowledged on arrival) may go
// unacknowledged.
func (r *relay) probeTimeout() int64 {
	cfg := &r.c.cfg
	if r.rtt == 0 {
		return int64(cfg.FailoverTicks)
	}
	return min(int64(cfg.FailoverTicks), r.rtt+r.marginTicks()+r.slack)
}

// checkProbes suspects the candidates whose probe timed out; if that is
// the relay, it fails over.
func (r *relay) checkProbes() {
	c := r.c
	failed := false
	tentative := r.tentative()   // before its probe is dropped below
	for _, id := range r.order { // in order: deterministic
		p, ok := r.probes[id]
		if !ok || c.now < r.probeDue(p) {
			continue
		}
		delete(r.probes, id)
		r.suspected[id] = true
		failed = failed || id == r.current
	}
	if failed {
		r.failover("probe unacknowledged", tentative)
	} else {
		r.choose()
	}
}

// probesAt is the earliest tick a candidate probe times out.
func (r *relay) probesAt() int64 {
	d := NoDeadline
	for _, p := range r.probes {
		d = min(d, r.probeDue(p))
	}
	return d
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
			if h := c.highestPush(p); h > u.acked {
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
		r.noteBusy()
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
func (r *relay) reopenFlushes() {
	if r.servingSince < 0 {
		return // not relaying: nothing withheld
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
	for _, p := range r.flushedTo {
		r.sendRootNotice(p)
	}
	r.flushedTo = r.flushedTo[:0]
}

// sendRootNotice sends p a root notice.
func (r *relay) sendRootNotice(p string) {
	r.c.send(p, Message{Kind: KindPush, Direct: true, Root: slices.Clone(r.c.tree.Root())})
}

// isRootNotice reports whether m, a push, is a root notice (see
// noticeRoot): Direct, with a root and nothing else.
func isRootNotice(m Message) bool {
	return m.Direct && len(m.Root) > 0 && len(m.Values) == 0 && m.Round == 0 && m.Ack == 0
}

// nextDeadline is the earliest of: the next flush (when something waits
// for it, or a root notice is due), the next upload slot (when values wait), the failover timeout
// of the oldest unacknowledged upload.
func (r *relay) nextDeadline() int64 {
	c := r.c
	d := NoDeadline
	if len(r.down) > 0 || r.owesAck() || len(r.flushedTo) > 0 || (r.resend && len(r.heldBack) > 0) {
		d = min(d, r.nextFlush)
		if r.catchUpAt >= 0 {
			d = min(d, r.catchUpAt)
		}
	}
	if len(r.up) > 0 {
		if r.phaseOK && r.upDue >= 0 {
			d = min(d, r.upDue)
		} else if r.phaseOK {
			d = min(d, r.nextSlot())
		} else {
			d = c.now + 1
		}
	}
	d = min(d, r.failoverAt(), r.probeAt(), r.probesAt(), r.recheckAt())
	if !r.self() {
		d = min(d, r.expectBy)
	}
	return d
}

// owesAck reports whether some uploader waits for an acknowledgement.
func (r *relay) owesAck() bool {
	for p, u := range r.inbound {
		if u.acked < r.c.highestPush(p) {
			return true
		}
	}
	return false
}

// degradedTicks is how long after a failover anti-entropy runs at its
// base interval (it repairs what the failover copies missed).
const degradedTicks = 100

// degraded reports a failover in the last degradedTicks.
func (r *relay) degraded() bool {
	return r.c.now-r.lastFailover < degradedTicks
}

// helloTargets is the relay.
func (r *relay) helloTargets() []string {
	if r.self() {
		return nil
	}
	return []string{r.current}
}

// respreads: values learned by sync are pushed on.
func (r *relay) respreads() bool { return true }

// watchesClientValues: uploads are acknowledged (or copied on at a failover); a relay flushes its own, and a leaf that lost the flush sees a skipped push or a root notice that does not match.
func (r *relay) watchesClientValues() bool { return true }
