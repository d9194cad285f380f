package gossip

import "slices"

// This file is the leaf side of the relay strategy: uploads batched on
// the relay's timing, their acknowledgements, and the timeouts that make
// a leaf suspect its relay.

// ackedUpload is an upload acknowledged at tick at (see ackedRecently);
// onArrival says the acknowledgement came as it arrived, before the
// relay flushed it.
type ackedUpload struct {
	at        int64
	values    []int64
	onArrival bool
}

// pruneAcked forgets the uploads acknowledged more than a window and
// FailoverTicks ago: the next upload's failover comes within that.
func (r *relay) pruneAcked() {
	limit := r.c.now - int64(r.c.cfg.WindowTicks+r.c.cfg.FailoverTicks)
	r.ackedRecently = dropBefore(r.ackedRecently, func(u ackedUpload) int64 { return u.at }, limit)
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
		r.ackedRecently = append(r.ackedRecently, ackedUpload{at: c.now, values: u.values, onArrival: count < 0})
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
// before a silence is a failover rather than a probe. Under a latency with
// a long tail (Maelstrom's exponential) many downlinks come later than
// half the margin, so such runs are rare and a late downlink costs a
// probe, not a false failover (a copy per peer, probes, rounds). With a
// constant latency it takes the first onTimeForFailover windows with
// values.
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

// leadTicks is how long before the relay's flush a timed upload aims to
// arrive: LeadTicks, and a tick more per 25 nodes beyond the first 25.
// All the leaves aim at the same instant, and the relay reads their
// uploads one by one: the more nodes, the later the last one is read, and
// an upload read just after the flush costs a catch-up flush (a message
// per peer). The README gives the leads measured at 100 nodes.
func (r *relay) leadTicks() int64 {
	return int64(r.c.cfg.LeadTicks + (len(r.order)-1)/25)
}

// marginTicks is the failover margin: FailoverMarginTicks per started 25
// nodes. A relay's flush and acknowledgements grow with the nodes it
// serves, and so do its stalls on a loaded machine: with one margin for
// every size, leaves of a big cluster failed over from a relay that was
// only late, and a false failover there costs a copy per peer from each
// leaf that makes it.
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
