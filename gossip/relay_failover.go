package gossip

import "slices"

// This file is the relay strategy's suspicion of a relay: the failover
// and its copies, the probes of the next candidates and of a silent
// relay, and the rechecks of a suspected node by a quiet node.

// detach returns the message a leaf sends the relay it leaves for an
// earlier one (back from a cut): an upload with no values, unnumbered,
// Count -1.
func detach() Message { return Message{Kind: KindPush, Count: -1} }

// isDetach reports whether m, an upload, is a detach.
func isDetach(m Message) bool {
	return !m.Direct && len(m.Values) == 0 && m.Round == 0 && m.Ack == 0 && m.Count < 0
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
	r.sendProbe(id)
}

// sendProbe sends id a probe, an empty numbered upload that it
// acknowledges on arrival (and answers with its last downlink's values;
// see recentDownlink), and returns its number.
func (r *relay) sendProbe(id string) uint64 {
	r.seqs[id]++
	seq := r.seqs[id]
	r.c.send(id, Message{Kind: KindPush, Round: seq, Count: 1})
	return seq
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
	r.unacked = append(r.unacked, sentUpload{seq: r.sendProbe(r.current), at: c.now})
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
	// Uploads acknowledged as they arrived, with no downlink since: the
	// relay may not have flushed them.
	r.pruneAcked()
	for _, u := range r.ackedRecently {
		if u.onArrival && u.at >= r.lastDown {
			vals = append(vals, u.values...)
		}
	}
	if len(vals) > 0 {
		// Copies go: values only this node may hold are at risk. More
		// values ride on them (no message more): uploads acknowledged
		// lately, by a flush that may have reached this node and no
		// other as the cut came.
		for _, u := range r.ackedRecently {
			vals = append(vals, u.values...)
		}
		if r.lastDown >= c.now-int64(c.cfg.WindowTicks+c.cfg.FailoverTicks) {
			// The relay's last downlink: Maelstrom checks a cut as each
			// receiver takes a message off its queue, so the flush the
			// cut came in may have reached this node and only some
			// others of its side (an earlier flush reached them all: a
			// later one came here).
			vals = append(vals, r.lastDownVals...)
		}
		// This node's values still to upload (queued for the next slot,
		// or uploaded to a tentative relay): they also go to the next
		// relay, but it may be tentative too, across the cut, and a
		// value uploaded there waits another probe timeout.
		vals = append(vals, r.up...)
		vals = append(vals, reupload...)
		slices.Sort(vals)
		vals = slices.Compact(vals)
	}
	r.ackedRecently = r.ackedRecently[:0]
	r.lastDownVals, r.prevDownVals = r.lastDownVals[:0], r.prevDownVals[:0]
	c.cfg.Logf("relay %s suspect: %s; %d values to every peer", old, why, len(vals))
	r.unacked = nil
	r.suspected[old] = true
	delete(r.probes, old)
	r.lastFailover = c.now
	r.noteBusy() // the rechecks of the relay left start from here
	r.choose()
	probe := r.unprobedCandidates()
	for _, p := range c.peers {
		first := slices.Contains(probe, p)
		c.sendValues(p, vals, func(part []int64) Message {
			m := Message{Kind: KindPush, Values: part, Direct: true}
			if first { // the candidate's probe rides on its copy
				m, first = r.probingCopy(p, part), false
			}
			return m
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
// one timeout per node across the cut. A candidate already probed (by a
// probing copy, or an earlier failover) is not probed again.
func (r *relay) probeCandidates() {
	for _, id := range r.unprobedCandidates() {
		r.probes[id] = sentUpload{seq: r.sendProbe(id), at: r.c.now}
	}
}

// unprobedCandidates returns the first failoverProbes nodes of the order
// that this node does not suspect, less those with a probe outstanding.
func (r *relay) unprobedCandidates() []string {
	var ids []string
	n := 0
	for _, id := range r.order {
		if n == failoverProbes {
			break
		}
		if id == r.c.cfg.ID || r.suspected[id] {
			continue
		}
		n++
		_, probing := r.probes[id]
		at, ok := r.answered[id]
		if !probing && (!ok || r.c.now-at > int64(r.c.cfg.WindowTicks)+r.marginTicks()) {
			// (One that answered a probe within a window and the
			// margin is reachable: a failover from a tentative relay
			// across the cut, which comes within a round trip and the
			// margin of the first, probed it with the others.)
			ids = append(ids, id)
		}
	}
	return ids
}

// probingCopy returns a failover copy of vals to candidate id that is
// also its probe (one message, where a copy and a probe were two): Direct
// like a copy (the values are kept, not relayed), numbered and asking for
// an acknowledgement like a probe (see isProbingCopy).
func (r *relay) probingCopy(id string, vals []int64) Message {
	r.seqs[id]++
	seq := r.seqs[id]
	r.probes[id] = sentUpload{seq: seq, at: r.c.now}
	return Message{Kind: KindPush, Values: vals, Direct: true, Round: seq, Count: 1}
}

// isProbingCopy reports whether m, a push, is a probing copy: Direct,
// numbered, with values, no acknowledgement and Count > 0 (a relay's
// downlink with no acknowledgement has Count 0).
func isProbingCopy(m Message) bool {
	return m.Direct && m.Round > 0 && m.Ack == 0 && m.Count > 0 && len(m.Values) > 0
}

// answerMissedFlush answers a failover copy from a peer that missed the
// last flush of this node's relay, which this node got: the copy carries
// values of the flush before (the sender's last downlink) and lacks some
// of the last one's (it holds only its own uploads of those).
//
// Maelstrom checks a cut as a receiver takes a message off its queue, so a
// flush the cut came in reaches the leaves whose queue was empty then and
// not the others. Those fail over a window and the margin after the flush
// before; the leaves it reached, the origins of its values among them,
// only that long after it, so what the others missed would reach them
// about a window late. The answer, one message to the sender, carries
// that flush's values and this node's uploads acknowledged lately. Count
// missedFlushCount marks it: kept like a copy, never answered.
//
// The answers go once two peers have sent such copies for the same
// flush: a flush lost to part of a side is lost to several leaves at
// once, while a leaf whose downlink is merely late (the tail of an
// exponential latency) fails over alone, and every other leaf would
// answer it for nothing.
func (r *relay) answerMissedFlush(from string, copied []int64) {
	if !r.hearsRelay() || len(r.lastDownVals) == 0 || len(r.prevDownVals) == 0 {
		return
	}
	if r.missed.flush != r.lastDown {
		r.missed = missedFlush{flush: r.lastDown}
	}
	if slices.Contains(r.missed.from, from) {
		return // a second copy (a probing one, a second failover): answered, or waiting
	}
	has := make(map[int64]bool, len(copied))
	for _, v := range copied {
		has[v] = true
	}
	if !slices.ContainsFunc(r.prevDownVals, func(v int64) bool { return has[v] }) {
		return // not a leaf of this relay, or its last downlink came long ago
	}
	var vals []int64
	for _, v := range r.lastDownVals {
		if !has[v] {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return // it got the last flush
	}
	r.pruneAcked()
	for _, u := range r.ackedRecently {
		for _, v := range u.values {
			if !has[v] {
				vals = append(vals, v)
			}
		}
	}
	slices.Sort(vals)
	vals = slices.Compact(vals)
	r.missed.from = append(r.missed.from, from)
	r.missed.pending = append(r.missed.pending, missedAnswer{to: from, values: vals})
	if len(r.missed.from) < 2 {
		return
	}
	for _, a := range r.missed.pending {
		r.c.cfg.Logf("%s missed the last flush of %s: %d values to it", a.to, r.current, len(a.values))
		r.c.sendValues(a.to, a.values, func(part []int64) Message {
			return Message{Kind: KindPush, Values: part, Direct: true, Count: missedFlushCount}
		})
	}
	r.missed.pending = r.missed.pending[:0]
}

// missedFlush holds, for the flush of this node's relay at tick flush,
// the peers whose copies showed they missed it, and the answers not sent
// yet (see answerMissedFlush).
type missedFlush struct {
	flush   int64
	from    []string
	pending []missedAnswer
}

// missedAnswer is an answer to a peer that missed a flush.
type missedAnswer struct {
	to     string
	values []int64
}

// missedFlushCount is the Count of an answer to a failover copy (see
// answerMissedFlush).
const missedFlushCount = -2

// hearsRelay reports whether this leaf's relay is sound: not tentative,
// with a downlink within a window and half the margin. Under load a relay
// sends every leaf a downlink per window; a leaf cut from it has heard
// none for a window and the whole margin when it fails over.
func (r *relay) hearsRelay() bool {
	c := r.c
	return !r.self() && !r.tentative() && r.downFrom == r.current &&
		c.now-r.lastDown <= int64(c.cfg.WindowTicks)+r.marginTicks()/2
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

// degradedTicks is how long after a failover anti-entropy runs at its
// base interval (it repairs what the failover copies missed).
const degradedTicks = 100

// degraded reports a failover in the last degradedTicks.
func (r *relay) degraded() bool {
	return r.c.now-r.lastFailover < degradedTicks
}
