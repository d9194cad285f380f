package gossip

// strategy is the dissemination part of the core: it decides where a new
// value goes and when. The Core has already merged and reported every
// value it hands over (learn), owns the clock (c.now) and the outbox
// (c.send); a strategy keeps its own queues and timers. A new strategy is
// a new file with a type implementing this, and a case in New.
type strategy interface {
	// clientValue sends a new value a client broadcast on this node on
	// its way.
	clientValue(v int64)
	// handlePush merges (c.learn) and routes the values of a KindPush
	// from peer from.
	handlePush(from string, m Message)
	// syncedValue routes a new value anti-entropy brought from peer
	// from; synced follows each batch of them.
	syncedValue(v int64, from string)
	synced(from string)
	// withheld takes values anti-entropy brought that no push brought
	// within SettleTicks: a cut withheld them from this node, and maybe
	// from others.
	withheld(vals []int64)
	// heard runs after every valid message from peer from (liveness).
	heard(from string, m Message)
	// peerRestarted forgets per-peer state of a peer that restarted.
	peerRestarted(peer string)
	// setTopology takes the topology Maelstrom sent (most strategies
	// ignore it).
	setTopology(topo map[string][]string)
	// advance runs the timers due at c.now.
	advance()
	// nextDeadline returns the earliest tick advance has work, or
	// NoDeadline.
	nextDeadline() int64
	// degraded reports that the strategy sees a fault (a silent relay or
	// parent): anti-entropy then stays at its base interval and skips no
	// round.
	degraded() bool
	// respreads reports whether values anti-entropy brings are spread on
	// by the strategy (a relay re-spreads what was withheld), so that an
	// idle node may stop opening rounds; without it rounds go on at
	// MaxSyncTicks.
	respreads() bool
	// watchesClientValues reports whether the strategy watches this
	// node's client values until they are safe (an upload acknowledged,
	// or copied on at a failover; a flush of its own), so that a value
	// learned from a client gives anti-entropy no reason for a round:
	// a node that has learned nothing else since its last round (a node
	// just started, whose first downlink has not come) stays idle.
	watchesClientValues() bool
	// helloTargets lists the peers a restarted node greets first.
	helloTargets() []string
	// spreads reports whether what a round with peer finds missing on
	// either side is spread on without anti-entropy's help: the values
	// this node lacked came from a node that spread them, and those the
	// peer lacked it spreads now (the relay strategy's relay, with
	// peer; a relay, itself). Such a gap is no reason to speed rounds
	// up or to spread the values again: after a cut heals, every leaf
	// that comes back to the first relay finds both in its round.
	spreads(peer string) bool
	// pushesSent returns the number of the last push this node sent to
	// peer (Message.Round; 0: none numbered). A round's messages carry it,
	// so that the peer takes the holes up to it as repaired by the round
	// (see Core.coverPushes).
	pushesSent(peer string) uint64
}
