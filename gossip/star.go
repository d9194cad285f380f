package gossip

import (
	"fmt"
	"slices"
)

// star is the push strategy of the first design (Config.Strategy
// StrategyStar), kept for comparison: values are pushed along an overlay
// (Config.Overlay; by default a star around the first id, a spanning tree
// with TreeFanout), every value to every overlay neighbour but the one it
// came from, and only when it is new. Client values go at once towards
// the root (Config.ClientFlush); relayed values are batched per neighbour,
// flushed at most once per RelayTicks. With SuspectTicks set, a child
// whose pushes its parent stops acknowledging sends values directly to
// every node (star_suspect.go). The root of the star is a single point of
// failure: nodes cut off from it fall back to anti-entropy.
type star struct {
	c *Core

	neighbours []string   // overlay neighbours, canonical order
	out        []*outLink // one per neighbour, same order
	queued     int        // values queued over all of out
	relayPush  bool       // forward values learned by push (false for OverlayFull)

	// Acknowledgements and suspicion (star_suspect.go); all idle unless
	// Config.SuspectTicks is set.
	acking bool   // acknowledge children's pushes and watch the parent's acks
	parent string // overlay parent (OverlayTree, not the root), or ""
	// unacked lists the pushes sent to parent not acknowledged yet, in
	// sequence order (not kept while suspect).
	unacked []sentPush
	suspect bool // parent's acks are overdue: values go directly to every node
	// lastUp is the tick of the last push to the parent: while suspect, a
	// probe goes to it every SuspectTicks (see probeParent). lastHeard is
	// the tick of the last message from the parent.
	lastUp, lastHeard int64
	// direct holds values waiting to go directly to every node (while
	// suspect); lastDirect is the tick they last went.
	direct     []int64
	lastDirect int64
	acks       map[string]*childAck // acknowledgement state per child
	acksOwed   int                  // children owed an acknowledgement
	nextAck    int64                // earliest tick an owed acknowledgement can be due
}

// outLink is the push side of one overlay neighbour.
type outLink struct {
	to        string
	upward    bool    // closer to the overlay's root than this node
	queue     []int64 // values waiting to be pushed
	lastFlush int64   // tick of the last flush; values wait until RelayTicks after it
	child     bool    // an overlay child: its pushes are acknowledged on this link
	// seq numbers the pushes on this link (Message.Round), so that the
	// receiver notices lost ones.
	seq uint64
}

// childAck is what a parent owes a child: the highest push number
// acknowledged to it, and whether (and since when) an acknowledgement of
// the highest received is owed.
type childAck struct {
	ackSent   uint64
	owed      bool
	owedSince int64
}

// newStar returns the star strategy of core c.
func newStar(c *Core) *star {
	s := &star{c: c, acks: make(map[string]*childAck)}
	s.acking = c.cfg.SuspectTicks > 0 && c.cfg.Overlay == OverlayTree
	s.lastDirect = -int64(c.cfg.RelayTicks)
	s.chooseOverlay()
	return s
}

// clientValue queues a client's value for the overlay and flushes it at
// once towards the root (Config.ClientFlush).
func (s *star) clientValue(v int64) {
	c := s.c
	s.route(v, "")
	for _, o := range s.out {
		if c.cfg.ClientFlush == FlushAll || c.cfg.ClientFlush == FlushUpward && o.upward {
			s.flush(o)
		}
	}
	if c.cfg.ClientFlush != FlushNone {
		s.flushDirect()
	}
	s.maybeFlush()
}

// syncedValue queues a value anti-entropy brought for every neighbour but
// its sender, so that the hub re-spreads what a partition withheld.
func (s *star) syncedValue(v int64, from string) { s.enqueue(v, from) }

// withheld does nothing: syncedValue has queued them already.
func (s *star) withheld([]int64) {}

// synced flushes what anti-entropy queued.
func (s *star) synced(string) { s.maybeFlush() }

// heard handles the acknowledgement a parent's message may carry.
func (s *star) heard(from string, m Message) {
	if from == s.parent && s.acking {
		s.heardFromParent(m)
	}
	s.maybeFlush()
}

// peerRestarted forgets what a restarted child was owed.
func (s *star) peerRestarted(peer string) {
	if a := s.acks[peer]; a != nil {
		if a.owed {
			s.acksOwed--
		}
		delete(s.acks, peer)
	}
}

// setTopology pushes along Maelstrom's topology with OverlayGiven.
func (s *star) setTopology(topo map[string][]string) {
	c := s.c
	if c.cfg.Overlay != OverlayGiven {
		c.cfg.Logf("topology ignored (overlay %s)", s.overlayName())
		return
	}
	set := map[string]bool{}
	for _, n := range topo[c.cfg.ID] {
		set[n] = true
	}
	for from, ns := range topo {
		if slices.Contains(ns, c.cfg.ID) {
			set[from] = true // pushes flow both ways along an edge
		}
	}
	var ns []string
	for _, p := range c.peers {
		if set[p] {
			ns = append(ns, p)
		}
	}
	s.setNeighbours(ns, nil)
	c.cfg.Logf("overlay given: neighbours %v", ns)
}

// advance flushes the batches whose window ended and runs the
// acknowledgement timers.
func (s *star) advance() {
	s.maybeFlush()
	if s.acking {
		s.maybeAck()
		s.checkParent()
		s.probeParent()
	}
}

// nextDeadline is the earliest tick a batch window ends (for a queue
// holding values) or an acknowledgement timer fires.
func (s *star) nextDeadline() int64 {
	c := s.c
	relay := int64(c.cfg.RelayTicks)
	d := NoDeadline
	if len(s.direct) > 0 {
		d = min(d, s.lastDirect+relay)
	}
	if s.queued > 0 {
		for _, o := range s.out {
			if len(o.queue) > 0 {
				d = min(d, o.lastFlush+relay)
			}
		}
	}
	if s.acking {
		if s.acksOwed > 0 {
			d = min(d, s.nextAck)
		}
		suspect := int64(c.cfg.SuspectTicks)
		if !s.suspect && len(s.unacked) > 0 {
			d = min(d, s.unacked[0].at+suspect)
		}
		if s.suspect {
			d = min(d, s.lastUp+suspect)
		}
	}
	return d
}

// degraded reports a suspect parent.
func (s *star) degraded() bool { return s.suspect }

// helloTargets are the overlay neighbours.
func (s *star) helloTargets() []string { return s.neighbours }

// chooseOverlay computes the push overlay from the node ids (OverlayTree,
// OverlayFull); OverlayGiven waits for SetTopology.
func (s *star) chooseOverlay() {
	c := s.c
	switch c.cfg.Overlay {
	case OverlayTree:
		ids := sortedIDs(c.cfg.NodeIDs)
		parent, children := treeNeighbours(ids, c.cfg.ID, c.cfg.TreeFanout)
		s.relayPush = true
		s.setNeighbours(append(slices.Clone(parent), children...), parent)
		if len(parent) > 0 {
			s.parent = parent[0]
		}
		for _, o := range s.out {
			o.child = slices.Contains(children, o.to)
		}
		c.cfg.Logf("overlay %s: parent %v, children %v", s.overlayName(), parent, children)
	case OverlayFull:
		s.relayPush = false
		s.setNeighbours(c.peers, c.peers)
		c.cfg.Logf("overlay full: %d neighbours", len(c.peers))
	case OverlayGiven:
		s.relayPush = true
	}
}

func (s *star) overlayName() string {
	c := s.c
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
func (s *star) setNeighbours(ns, upward []string) {
	c := s.c
	old := make(map[string]*outLink, len(s.out))
	for _, o := range s.out {
		old[o.to] = o
	}
	s.neighbours = ns
	s.out = make([]*outLink, len(ns))
	s.queued = 0
	for i, n := range ns {
		o := old[n]
		if o == nil {
			o = &outLink{to: n, lastFlush: c.now - int64(c.cfg.RelayTicks)}
		}
		o.upward = slices.Contains(upward, n)
		s.out[i] = o
		s.queued += len(o.queue)
	}
}

// route queues a new value for the overlay neighbours except from (the
// neighbour it came from; "" for a client's value). While the parent is
// suspect, a value on its way up (a client's, or one a child pushed) goes
// directly to every node instead, except the parent, which still gets its
// numbered push so that its acknowledgement can end the suspicion.
func (s *star) route(v int64, from string) {
	if !s.suspect || from == s.parent {
		s.enqueue(v, from)
		return
	}
	s.direct = append(s.direct, v)
	if o := s.parentLink(); o != nil {
		o.queue = append(o.queue, v)
		s.queued++
	}
}

// enqueue queues a new value for every overlay neighbour except the one it
// came from.
func (s *star) enqueue(v int64, except string) {
	for _, o := range s.out {
		if o.to != except {
			o.queue = append(o.queue, v)
			s.queued++
		}
	}
}

// maybeFlush flushes every queue that holds values and was last flushed
// RelayTicks ago or more: a queue idle for a while sends at once, a busy
// one sends at most once per RelayTicks.
func (s *star) maybeFlush() {
	c := s.c
	if len(s.direct) > 0 && c.now-s.lastDirect >= int64(c.cfg.RelayTicks) {
		s.flushDirect()
	}
	if s.queued == 0 {
		return
	}
	for _, o := range s.out {
		if len(o.queue) > 0 && c.now-o.lastFlush >= int64(c.cfg.RelayTicks) {
			s.flush(o)
		}
	}
}

// flush sends everything queued for one neighbour (nothing if its queue is
// empty).
func (s *star) flush(o *outLink) {
	c := s.c
	if len(o.queue) == 0 {
		return
	}
	s.pushValues(o, o.queue)
	s.queued -= len(o.queue)
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
func (s *star) handlePush(from string, m Message) {
	c := s.c
	if !m.Direct {
		if len(m.Values) == 0 && m.Round == 0 {
			return
		}
		if len(m.Values) > 0 { // not a probe (see probeParent)
			c.ae.pushArrived()
		}
		c.notePushSeq(from, m.Round)
		if s.acking {
			s.noteOwed(from)
		}
	}
	for _, v := range m.Values {
		if c.learn(v) {
			if s.relayPush && !m.Direct {
				s.route(v, from)
			}
		} else {
			c.ae.confirm(v)
		}
	}
}

// pushValues pushes vals to the neighbour of link o, in as many messages
// as MaxMessageBytes requires, each carrying the link's next sequence
// number in Round. A push to an overlay child carries the acknowledgement
// of the child's pushes (Message.Ack); a push to the parent is remembered
// until the parent acknowledges it (see checkParent).
func (s *star) pushValues(o *outLink, vals []int64) {
	c := s.c
	c.sendValues(o.to, vals, func(part []int64) Message {
		o.seq++
		m := Message{Kind: KindPush, Values: part, Round: o.seq}
		if s.acking {
			if o.child {
				m.Ack = s.ackFor(o.to)
			} else if o.to == s.parent {
				s.sentUp(o.seq, part)
			}
		}
		return m
	})
}

// spreads: no (a hub's rounds are like anyone's).
func (s *star) spreads(string) bool { return false }

// pushesSent is the numbering of the link to peer, if it is a
// neighbour.
func (s *star) pushesSent(peer string) uint64 {
	for _, o := range s.out {
		if o.to == peer {
			return o.seq
		}
	}
	return 0
}

// respreads: values learned by sync are pushed on.
func (s *star) respreads() bool { return true }

// watchesClientValues: a round spreads them where the overlay lost them.
func (s *star) watchesClientValues() bool { return false }
