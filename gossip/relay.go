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
	// lastDown; see failover and handleUpload), prevDownVals those of the
	// one before (see answerMissedFlush).
	lastDownVals, prevDownVals []int64
	// missed holds the answers to peers that missed the last downlink
	// (see answerMissedFlush).
	missed missedFlush
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
	// phases keeps the upload timing of each relay this node left (see
	// choose): a relay's flush grid stays where it was until it restarts.
	phases map[string]uploadTiming
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
	// answered maps the candidates that answered a probe to the tick of
	// the answer (see unprobedCandidates).
	answered map[string]int64
	// heardRelay maps the peers heard sending downlinks with values to
	// the tick of the last one.
	heardRelay map[string]int64
	// leftAt maps the relays this node left for one ahead of them (a
	// detach) to the tick it left (see handlePush).
	leftAt map[string]int64
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

// dropBefore removes the leading entries of s (in tick order) stamped
// before limit.
func dropBefore[T any](s []T, tick func(T) int64, limit int64) []T {
	i := 0
	for i < len(s) && tick(s[i]) < limit {
		i++
	}
	return slices.Delete(s, 0, i)
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
		leftAt:     make(map[string]int64),
		phases:     make(map[string]uploadTiming),
		probes:     make(map[string]sentUpload),
		answered:   make(map[string]int64),
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

// choose sets current to the first node of the order not suspected.
func (r *relay) choose() {
	for _, id := range r.order {
		if id == r.c.cfg.ID || !r.suspected[id] {
			if id != r.current {
				switched := r.current != ""
				if switched {
					r.c.cfg.Logf("relay %s -> %s", r.current, id)
				}
				if r.phaseOK {
					r.phases[r.current] = uploadTiming{phase: r.phase, late: r.late}
				}
				r.current = id
				r.phaseOK, r.upDue = false, -1
				if t, ok := r.phases[id]; ok {
					// Back to a relay this node uploaded to before (a cut
					// healed): its grid is where it was, so the uploads
					// are timed at once and need no acknowledgement on
					// arrival. If it is not (a restart this node missed),
					// the first acknowledgement moves the timing, and the
					// upload waits at most a window: the relay's
					// downlinks keep the failover away.
					r.phase, r.late, r.phaseOK = t.phase, t.late, true
				}
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

// uploadTiming is a relay's upload timing (see phases).
type uploadTiming struct{ phase, late int64 }

// leftLately reports whether this node left relay p for one ahead of it
// in the last window (see heard): p's flushes in flight, or its last,
// neither make it a relay heard nor are passed on. Its side comes back
// with this node, each with a round with the relay ahead.
func (r *relay) leftLately(p string) bool {
	left, ok := r.leftAt[p]
	return ok && r.c.now-left <= int64(r.c.cfg.WindowTicks)
}

// ahead reports whether a comes before b in the order.
func (r *relay) ahead(a, b string) bool {
	return slices.Index(r.order, a) < slices.Index(r.order, b)
}

// self reports whether this node is its own relay.
func (r *relay) self() bool { return r.current == r.c.cfg.ID }

// handlePush merges a push: an upload (not Direct) from a peer that
// relays through this node, or a downlink (Direct) from a relay.
func (r *relay) handlePush(from string, m Message) {
	c := r.c
	if len(m.Values) > 0 {
		c.ae.pushArrived()
		r.noteBusy()
	}
	if m.Direct && m.Round > 0 && from != r.current && !r.self() && !r.relaying() && r.hearsRelay() {
		// A flush or probing copy from a node other than this leaf's
		// sound relay that skipped numbers: a cut between them healed,
		// and the pushes lost in it held what that node's side learned.
		// This leaf needs no round for them: the nodes of that side
		// switch back to the first relay with a round each, and it
		// flushes what they bring to this leaf (without this, every leaf
		// of the first relay opened a round with the other side's relay
		// at each heal).
		c.coverPushes(from, m.Round-1)
	}
	if c.skipsUncovered(from, m.Round) {
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
	// A failover copy: values, unnumbered with Count 0, or a probing copy;
	// or the answer to one (see answerMissedFlush).
	failoverCopy := len(m.Values) > 0 && ((m.Round == 0 && (m.Count == 0 || m.Count == missedFlushCount)) || isProbingCopy(m))
	if failoverCopy {
		r.ackOnArrival(from, m) // a probing copy's probe (a plain copy asks for none)
		if m.Count != missedFlushCount {
			r.answerMissedFlush(from, m.Values)
		}
	}
	if failoverCopy || (len(m.Values) > 0 && m.Round > 0 && from != r.current) {
		// A failover copy (some node lost its relay), or a flush from a
		// relay other than this node's (some nodes relay elsewhere).
		r.lastAlarm = c.now
	}
	if len(m.Values) > 0 && m.Round > 0 && !failoverCopy { // a relay's flush, not a copy passed on or a failover copy
		if !r.leftLately(from) {
			r.heardRelay[from] = c.now
		}
		if from == r.current {
			if c.now != r.lastDown || from != r.downFrom {
				r.prevDownVals, r.lastDownVals = r.lastDownVals, r.prevDownVals[:0]
				if from == r.downFrom {
					r.noteDownlinkGap(c.now - r.lastDown)
				} else {
					r.prevDownVals = r.prevDownVals[:0]
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
	switch {
	case failoverCopy:
		ttl = 0
	case m.Round > 0:
		ttl = 2
	}
	if len(fresh) > 0 && failoverCopy && (r.self() || r.relaying()) {
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
		} else if !r.leftLately(from) {
			r.passOn(from, fresh, int(ttl-1))
		}
	}
	if from == r.current && isRootNotice(m) {
		c.ae.noteRoot(from, m.Root)
	}
	if p, ok := r.probes[from]; ok && m.Ack >= p.seq {
		delete(r.probes, from) // reachable
		r.answered[from] = c.now
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

// syncedValue re-spreads a value anti-entropy brought to a node that is
// its own relay (what a cut withheld from it may be withheld from
// others), and hands it to the kids of a leaf that relays for some (they
// cannot reach its relay, so its relay's flush does not bring it to them).
// A plain leaf keeps it: it may only be in flight; see withheld.
func (r *relay) syncedValue(v int64, from string) {
	c := r.c
	switch {
	case r.self():
		r.down = append(r.down, downValue{v: v, from: from})
		if r.catchUpAt < 0 && r.nextFlush-c.now > syncedCollectTicks+int64(c.cfg.WindowTicks)/4 {
			// What a cut withheld from this side: the leaves that come
			// back from it bring it in their rounds, together, within a
			// few ticks. A flush then, rather than at the grid's next
			// slot (unless that comes within a quarter window anyway),
			// saves the nodes of this side up to a window: they need a
			// round with no node of the other side.
			r.catchUpAt = c.now + syncedCollectTicks
		}
	case r.relaying():
		r.down = append(r.down, downValue{v: v, from: from, kidsOnly: true})
	}
}

// syncedCollectTicks is how long a relay that learned values by sync
// waits for more before it flushes them (see syncedValue).
const syncedCollectTicks = 3

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
		// A new contact: the cut may have changed. (After the switch
		// below: back to a relay ahead of it, this node is a leaf again,
		// and reopens nothing.)
		defer r.reopenFlushes()
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
		// Back to a relay ahead of the one it leaves: the cut that
		// hid it is over, and so, likely, is the suspicion of the
		// nodes after it, which that cut (or an earlier one) hid
		// too: nothing else would clear it while this node hears
		// its relay. A stale suspicion at the next failover made a
		// node of a side relay for itself while the others chose
		// one ahead of it (two relays on one side, their leaves
		// passing values between them).
		for id := range r.suspected {
			if r.ahead(r.current, id) {
				delete(r.suspected, id)
			}
		}
		if before != r.c.cfg.ID && !r.suspected[before] {
			r.c.send(before, detach())
			// It relayed for this node's side of a cut that healed: it
			// comes back too, and needs no values passed on (see
			// relayHeard) unless it flushes to this node again.
			delete(r.heardRelay, before)
			r.leftAt[before] = r.c.now
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

// peerRestarted forgets a restarted uploader, and the grid of a
// restarted relay.
func (r *relay) peerRestarted(peer string) {
	delete(r.inbound, peer)
	delete(r.phases, peer)
}

// setTopology ignores Maelstrom's topology: the relay order comes from the
// node ids.
func (r *relay) setTopology(map[string][]string) {
	r.c.cfg.Logf("topology ignored (strategy relay)")
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
			if r.flushedAt[p] != c.now && r.serves() {
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

// helloTargets is the relay.
func (r *relay) helloTargets() []string {
	if r.self() {
		return nil
	}
	return []string{r.current}
}

// spreads: this node's relay flushes what it learns to every peer it
// reaches, and a node that relays itself flushes what it learns by sync
// (syncedValue).
func (r *relay) spreads(peer string) bool { return r.self() || peer == r.current }

// pushesSent: uploads, probes and downlinks share one numbering per peer.
func (r *relay) pushesSent(peer string) uint64 { return r.seqs[peer] }

// respreads: values learned by sync are pushed on.
func (r *relay) respreads() bool { return true }

// watchesClientValues: uploads are acknowledged (or copied on at a failover); a relay flushes its own, and a leaf that lost the flush sees a skipped push or a root notice that does not match.
func (r *relay) watchesClientValues() bool { return true }
