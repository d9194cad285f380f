package gossip

import (
	"fmt"
	"math"
	"math/rand"
	"slices"

	"broadcast/merkle"
	"broadcast/store"
)

// NoDeadline is what NextDeadline returns when nothing is scheduled: the
// core has no work until the next event.
const NoDeadline int64 = math.MaxInt64

// Core is the gossip state machine of one node: it takes events (Broadcast,
// Step, Advance, ...) and collects what to send until Ready hands it over.
// It has no goroutines, clock or I/O. Not safe for concurrent use: one
// goroutine owns it.
//
// The Core itself is a thin dispatcher: it owns the clock, the value set
// and its summary, the outbox and Ready. Anti-entropy (sync.go) is one
// part; the dissemination strategy (Config.Strategy: relay.go, star.go,
// direct.go) is another, behind the strategy interface.
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
	recentPeak int // the most entries recent held since it was built (see shrunk)
	recentQ    []int64
	recentHead int

	fresh  []int64    // values learned since the last Ready, in order
	outbox []Envelope // messages to send at the next Ready

	links map[string]*inLink // push sequence numbers received from each peer (links.go)
	holes int                // sequence numbers missing over all links
	// nextHoleCheck is the earliest tick at which a hole can be old enough
	// to count as a loss.
	nextHoleCheck int64

	incarnation string

	ae    antiEntropy
	strat strategy
}

// learnedAt is a value and the tick it was learned.
type learnedAt struct {
	v  int64
	at int64
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
		cfg:      cfg,
		rng:      rand.New(rand.NewSource(cfg.Seed)),
		isPeer:   make(map[string]bool),
		values:   store.NewSet(),
		tree:     tree,
		byBucket: make([][]int64, cfg.MerkleBuckets),
		recent:   make(map[int64]int64),
		links:    make(map[string]*inLink),
	}
	for _, id := range sortedIDs(cfg.NodeIDs) {
		if id != cfg.ID {
			c.peers = append(c.peers, id)
			c.isPeer[id] = true
		}
	}
	c.ae.init(c)
	switch cfg.Strategy {
	case StrategyStar:
		c.strat = newStar(c)
	case StrategyDirect:
		c.strat = newDirect(c)
	default:
		c.strat = newRelay(c)
	}
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

// Rejoin announces a new incarnation of this node (a restart) to the
// strategy's neighbours and HelloPeers random others, with its summary, so
// that they send what it missed; and restarts its anti-entropy schedule.
func (c *Core) Rejoin(incarnation string) {
	c.incarnation = incarnation
	to := slices.Clone(c.strat.helloTargets())
	others := make([]string, 0, len(c.peers))
	for _, p := range c.peers {
		if !slices.Contains(to, p) {
			others = append(others, p)
		}
	}
	c.rng.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	to = append(to, others[:min(c.cfg.HelloPeers, len(others))]...)
	c.ae.hello(to)
	c.cfg.Logf("rejoined as incarnation %q with %d values; hello to %v", incarnation, c.values.Len(), to)
}

// SetTopology records the topology Maelstrom sent. Only the star strategy
// with OverlayGiven pushes along it; the others ignore it.
func (c *Core) SetTopology(topo map[string][]string) {
	c.strat.setTopology(topo)
}

// Broadcast adds a value a client sent. It reports false if v was already
// known (nothing else happens). A new value is reported in the next Ready
// and handed to the strategy, which sends it on its way.
func (c *Core) Broadcast(v int64) bool {
	if !c.add(v) {
		return false
	}
	if !c.strat.watchesClientValues() {
		// Otherwise nothing a round could repair: the value leaves by
		// the strategy's own watched path.
		c.ae.learned()
	}
	c.strat.clientValue(v)
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
		c.strat.handlePush(from, m)
	case KindSync, KindHello:
		err = c.ae.handleSync(from, m)
	case KindSyncReply:
		err = c.ae.handleSyncReply(from, m)
	case KindSyncValues:
		c.ae.handleSyncValues(from, m)
	default:
		return fmt.Errorf("%w: unknown kind %d from %s", ErrBadMessage, uint8(m.Kind), from)
	}
	if err == nil {
		c.strat.heard(from, m)
	}
	return err
}

// Tick advances the core's clock by one tick (Advance(now+1)).
func (c *Core) Tick() { c.Advance(c.now + 1) }

// Now returns the core's clock: the tick of the last Advance.
func (c *Core) Now() int64 { return c.now }

// Advance moves the core's clock to tick now (a tick before the current
// one is ignored: time never goes back) and does the work that became due:
// push batches whose window ended, holes in push numbering old enough to
// count as losses, acknowledgements overdue, anti-entropy rounds. Skipping
// ticks is the same as calling Tick for each: every timer compares
// deadlines with now. A driver calls it when NextDeadline comes, and
// before each event with the current tick, so that events see the right
// time.
func (c *Core) Advance(now int64) {
	if now <= c.now {
		return
	}
	c.now = now
	c.ageRecent()
	c.ae.checkUnconfirmed()
	if c.holes > 0 && c.now >= c.nextHoleCheck {
		c.checkLinks()
	}
	c.strat.advance()
	if c.now >= c.ae.nextSync {
		c.ae.roundDue()
	}
}

// NextDeadline returns the earliest tick at which Advance has work to do,
// or NoDeadline: a driver may sleep until then (or until the next event).
// It may be early (Advance then does nothing and a later deadline comes),
// never late.
func (c *Core) NextDeadline() int64 {
	d := min(c.strat.nextDeadline(), c.ae.nextDeadline())
	if c.holes > 0 {
		d = min(d, c.nextHoleCheck)
	}
	if d <= c.now {
		d = c.now + 1
	}
	return d
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

// learn adds a value from a peer (or a client); it reports whether v was
// new. New values are indexed, marked recent and reported in Ready, and
// anti-entropy counts them (see antiEntropy.learned).
func (c *Core) learn(v int64) bool {
	if !c.add(v) {
		return false
	}
	c.ae.learned()
	return true
}

// add merges v like learn, but does not tell anti-entropy.
func (c *Core) add(v int64) bool {
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
	t, r := c.recent[v]
	return !r || c.now-t >= int64(c.cfg.SettleTicks)
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
		c.recentQ = shrunkQueue(append(c.recentQ[:0], c.recentQ[c.recentHead:]...))
		c.recentHead = 0
	}
	c.recent = shrunk(c.recent, &c.recentPeak)
}

// send queues one message for the next Ready.
func (c *Core) send(to string, m Message) {
	c.outbox = append(c.outbox, Envelope{To: to, Msg: m})
}

// sendValues sends vals to peer in as many messages as MaxMessageBytes
// requires, never an empty one, each built by mk from its part (a copy).
func (c *Core) sendValues(to string, vals []int64, mk func(part []int64) Message) {
	c.splitValues(vals, func(part []int64) {
		c.send(to, mk(slices.Clone(part)))
	})
}

// splitValues cuts vals into consecutive parts that each fit one message
// under MaxMessageBytes, and calls emit on each (never on an empty part).
func (c *Core) splitValues(vals []int64, emit func(part []int64)) {
	start, size := 0, envelopeBytes
	for i, v := range vals {
		s := intBytes(v)
		if size+s > c.cfg.MaxMessageBytes && i > start {
			emit(vals[start:i])
			start, size = i, envelopeBytes
		}
		size += s
	}
	if start < len(vals) {
		emit(vals[start:])
	}
}

// jitter returns a delay uniform in [d/2, 3d/2), at least 1 tick.
func (c *Core) jitter(d int) int64 {
	return int64(max(1, d/2+c.rng.Intn(max(1, d))))
}
