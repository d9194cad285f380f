package gossip

import (
	"fmt"
	"math/rand"
	"slices"

	"broadcast/merkle"
	"broadcast/store"
)

// Core is the gossip state machine of one node: it takes events (Broadcast,
// Step, Tick, ...) and collects what to send until Ready hands it over. It
// has no goroutines, clock or I/O. Not safe for concurrent use: one
// goroutine owns it.
type Core struct {
	cfg Config
	rng *rand.Rand
	now int64 // ticks since New

	peers  []string        // every node but this one, canonical order
	isPeer map[string]bool // the keys of peers

	values   *store.Set
	tree     *merkle.Tree
	byBucket [][]int64 // values by merkle bucket, in learning order
	// recent maps the values learned less than SettleTicks ago to the tick
	// they were learned; recentQ holds the same values in learning order
	// (from recentHead on) so that they can be aged out cheaply.
	recent     map[int64]int64
	recentQ    []int64
	recentHead int
	// unconfirmed holds the values learned through anti-entropy in the
	// last SettleTicks that no push has brought since; unconfirmedQ lists
	// them in learning order (entries already confirmed are skipped). A
	// value that was only in flight arrives by push soon after; one that
	// never does was withheld from this node (a partition or a lost
	// message): a real gap.
	unconfirmed  map[int64]struct{}
	unconfirmedQ []learnedAt

	fresh  []int64    // values learned since the last Ready, in order
	outbox []Envelope // messages to send at the next Ready

	neighbours []string   // overlay neighbours, canonical order
	out        []*outLink // one per neighbour, same order
	queued     int        // values queued over all of out
	relayPush  bool       // forward values learned by push (false for OverlayFull)

	links map[string]*inLink // push sequence numbers received from each peer
	holes int                // sequence numbers missing over all links
	// nextHoleCheck is the earliest tick at which a hole can be old enough
	// to count as a loss.
	nextHoleCheck int64

	syncInterval   int   // current adaptive anti-entropy interval, ticks
	nextSync       int64 // tick at which the next round is due
	lastRound      uint64
	lastRealRound  int64            // tick the last round was actually opened
	lastPeerRound  map[string]int64 // tick of the last round opened with each peer
	pushesReceived int              // pushes received since the last due round
	gapSeen        bool             // a real gap was found since the last due round

	incarnation string
	peerInc     map[string]string // last incarnation seen from each peer

	// Acknowledgements and suspicion (see suspect.go); all idle when
	// Config.SuspectTicks is -1.
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
	acksOwed   int   // children's links owing an acknowledgement
	nextAck    int64 // earliest tick an owed acknowledgement can be due
}

// learnedAt is a value and the tick it was learned.
type learnedAt struct {
	v  int64
	at int64
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

// New returns a Core for cfg (zero fields take DefaultConfig values).
func New(cfg Config) (*Core, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	tree, err := merkle.New(merkle.Config{Buckets: cfg.MerkleBuckets})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if need := summaryBytes(32, cfg.MerkleBuckets*merkle.DigestSize, "") + 64; need > cfg.MaxMessageBytes {
		return nil, fmt.Errorf("%w: a sync summary of %d buckets needs about %d bytes, more than MaxMessageBytes %d",
			ErrConfig, cfg.MerkleBuckets, need, cfg.MaxMessageBytes)
	}
	c := &Core{
		cfg:           cfg,
		rng:           rand.New(rand.NewSource(cfg.Seed)),
		isPeer:        make(map[string]bool),
		values:        store.NewSet(),
		tree:          tree,
		byBucket:      make([][]int64, cfg.MerkleBuckets),
		recent:        make(map[int64]int64),
		unconfirmed:   make(map[int64]struct{}),
		syncInterval:  cfg.SyncTicks,
		links:         make(map[string]*inLink),
		lastPeerRound: make(map[string]int64),
		peerInc:       make(map[string]string),
	}
	for _, id := range sortedIDs(cfg.NodeIDs) {
		if id != cfg.ID {
			c.peers = append(c.peers, id)
			c.isPeer[id] = true
		}
	}
	c.nextSync = c.jitter(cfg.SyncTicks)
	c.acking = cfg.SuspectTicks >= 0 && cfg.Overlay == OverlayTree
	c.lastDirect = -int64(cfg.RelayTicks)
	c.chooseOverlay()
	return c, nil
}

// Restore adds values recovered from disk: they become known, are not
// pushed (anti-entropy and Rejoin reconcile them) and are not reported in
// Ready.NewValues.
func (c *Core) Restore(values []int64) {
	for _, v := range values {
		if c.values.Add(v) {
			c.index(v)
		}
	}
}

// Rejoin announces a new incarnation of this node (a restart) to its
// overlay neighbours and HelloPeers random others, with its summary, so
// that they send what it missed; and restarts its anti-entropy schedule.
func (c *Core) Rejoin(incarnation string) {
	c.incarnation = incarnation
	c.lastRound++
	hello := Message{
		Kind:        KindHello,
		Root:        slices.Clone(c.tree.Root()),
		Digests:     slices.Clone(c.tree.Digests()),
		Count:       c.values.Len(),
		Incarnation: incarnation,
		Round:       c.lastRound,
	}
	to := slices.Clone(c.neighbours)
	others := make([]string, 0, len(c.peers))
	for _, p := range c.peers {
		if !slices.Contains(to, p) {
			others = append(others, p)
		}
	}
	c.rng.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	to = append(to, others[:min(c.cfg.HelloPeers, len(others))]...)
	for _, p := range to {
		m := hello
		m.Root, m.Digests = slices.Clone(hello.Root), slices.Clone(hello.Digests)
		c.send(p, m)
	}
	c.cfg.Logf("rejoined as incarnation %q with %d values; hello to %v", incarnation, c.values.Len(), to)
	c.resetSync()
}

// SetTopology records the topology Maelstrom sent. Only OverlayGiven
// pushes along it; the other overlays ignore it.
func (c *Core) SetTopology(topo map[string][]string) {
	if c.cfg.Overlay != OverlayGiven {
		c.cfg.Logf("topology ignored (overlay %s)", c.overlayName())
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
	c.setNeighbours(ns, nil)
	c.cfg.Logf("overlay given: neighbours %v", ns)
}

// Broadcast adds a value a client sent. It reports false if v was already
// known (nothing else happens). A new value is reported in the next Ready
// and pushed along the overlay: at once towards the root (see
// Config.ClientFlush), batched to the other neighbours.
func (c *Core) Broadcast(v int64) bool {
	if !c.learn(v) {
		return false
	}
	c.route(v, "")
	for _, o := range c.out {
		if c.cfg.ClientFlush == FlushAll || c.cfg.ClientFlush == FlushUpward && o.upward {
			c.flush(o)
		}
	}
	if c.cfg.ClientFlush != FlushNone {
		c.flushDirect()
	}
	c.maybeFlush()
	return true
}

// Step handles one message from peer from. A message from an unknown node
// or a malformed one is rejected with an error wrapping ErrUnknownPeer or
// ErrBadMessage, and changes nothing.
func (c *Core) Step(from string, m Message) error {
	if !c.isPeer[from] {
		return fmt.Errorf("%w: %q (%s)", ErrUnknownPeer, from, m.Kind)
	}
	var err error
	switch m.Kind {
	case KindPush:
		c.handlePush(from, m)
	case KindSync, KindHello:
		err = c.handleSync(from, m)
	case KindSyncReply:
		err = c.handleSyncReply(from, m)
	case KindSyncValues:
		c.handleSyncValues(from, m)
	default:
		return fmt.Errorf("%w: unknown kind %d from %s", ErrBadMessage, uint8(m.Kind), from)
	}
	if err == nil && from == c.parent && c.acking {
		c.heardFromParent(m)
	}
	c.maybeFlush()
	return err
}

// Tick advances the core's clock by one tick: it flushes the push queues
// that hold values and were last flushed RelayTicks ago or more, turns
// old holes in push numbering into gap rounds, and runs the anti-entropy
// round when one is due.
func (c *Core) Tick() {
	c.now++
	c.ageRecent()
	c.checkUnconfirmed()
	if c.holes > 0 && c.now >= c.nextHoleCheck {
		c.checkLinks()
	}
	c.maybeFlush()
	if c.acking {
		c.maybeAck()
		c.checkParent()
		c.probeParent()
	}
	if c.now >= c.nextSync {
		c.roundDue()
	}
}

// Has reports whether v is known.
func (c *Core) Has(v int64) bool { return c.values.Has(v) }

// Len returns the number of known values.
func (c *Core) Len() int { return c.values.Len() }

// Ready hands over the messages to send and the values learned since the
// previous Ready (each once, in the order learned). The core keeps no
// reference to either.
func (c *Core) Ready() Ready {
	rd := Ready{Messages: c.outbox, NewValues: c.fresh}
	c.outbox, c.fresh = nil, nil
	return rd
}

// learn adds a value from a client or a peer; it reports whether v was
// new. New values are indexed, marked recent and reported in Ready.
func (c *Core) learn(v int64) bool {
	if !c.values.Add(v) {
		return false
	}
	c.index(v)
	c.recent[v] = c.now
	c.recentQ = append(c.recentQ, v)
	c.fresh = append(c.fresh, v)
	return true
}

// index adds a new value to the summary.
func (c *Core) index(v int64) {
	c.tree.Add(v)
	b := c.tree.Bucket(v)
	c.byBucket[b] = append(c.byBucket[b], v)
}

// settled reports whether this node has held v for SettleTicks or more
// (restored values count as settled).
func (c *Core) settled(v int64) bool {
	_, r := c.recent[v]
	return !r
}

// ageRecent forgets the learning tick of values held for SettleTicks.
func (c *Core) ageRecent() {
	limit := c.now - int64(c.cfg.SettleTicks)
	for c.recentHead < len(c.recentQ) {
		v := c.recentQ[c.recentHead]
		if c.recent[v] > limit {
			break
		}
		delete(c.recent, v)
		c.recentHead++
	}
	if c.recentHead > 1024 && c.recentHead*2 > len(c.recentQ) {
		c.recentQ = append(c.recentQ[:0], c.recentQ[c.recentHead:]...)
		c.recentHead = 0
	}
}

// send queues one message for the next Ready.
func (c *Core) send(to string, m Message) {
	c.outbox = append(c.outbox, Envelope{To: to, Msg: m})
}

// jitter returns a delay uniform in [d/2, 3d/2), at least 1 tick.
func (c *Core) jitter(d int) int64 {
	return int64(max(1, d/2+c.rng.Intn(max(1, d))))
}
