package gossip

// This file is the contract between the gossip core and the node adapter.
// The names and signatures below are frozen: the node package is written
// against them. Additions are fine; changes go through the lead.

// Kind says what a gossip Message is for. Values are only ever appended to
// (the wire names in node/wire.go depend on them): ONLY APPEND.
type Kind uint8

const (
	// KindPush carries values the sender learned recently.
	KindPush Kind = iota + 1
	// KindSync opens an anti-entropy round: the sender's Merkle root and
	// bucket digests.
	KindSync
	// KindSyncReply answers a KindSync whose root differed: the values of
	// the differing buckets that the replier holds, and which buckets those are.
	KindSyncReply
	// KindSyncValues closes a round: values the opener holds in the differing
	// buckets that the replier lacked.
	KindSyncValues
	// KindHello announces a new incarnation of the sender (a restart) with
	// its summary, so that peers push what it missed.
	KindHello
)

// Message is one gossip message between two nodes. It holds no JSON: the
// node encodes it. Fields a Kind does not use are left zero.
type Message struct {
	Kind Kind
	// Values are broadcast values carried by the message.
	Values []int64
	// Root is the sender's Merkle root over its value set.
	Root []byte
	// Digests are the sender's bucket digests, concatenated in bucket order,
	// each merkle.DigestSize bytes (layout owned by package merkle).
	Digests []byte
	// Buckets lists bucket indexes this message speaks for.
	Buckets []int
	// Count is the number of values the sender holds.
	Count int
	// Incarnation identifies the sender's current process lifetime.
	Incarnation string
	// Round ties the messages of one anti-entropy round together; on a
	// KindPush it is the per-link push counter (1, 2, ...) that lets the
	// receiver notice a lost push (0: unnumbered, no loss detection).
	Round uint64
	// Ack, on a KindPush from a node to one of its overlay children, is
	// the highest push counter (Round) this node has received from that
	// child: it acknowledges the child's pushes up to it (0: nothing to
	// acknowledge). A KindPush with no Values and Round 0 carries only
	// this acknowledgement.
	Ack uint64
	// Direct, on a KindPush, says the sender sent these values to every
	// node itself, because its path to the root of the overlay is suspect
	// (a partition or a dead parent): the receiver keeps them and does
	// not relay them.
	Direct bool
}

// Envelope is a Message addressed to a peer.
type Envelope struct {
	To  string
	Msg Message
}

// Ready is what the core hands to its driver after a batch of events: the
// messages to send, and the values learned since the previous Ready that
// the driver must make durable (in the order learned, each once).
type Ready struct {
	Messages  []Envelope
	NewValues []int64
}

// Overlay chooses the graph that values are pushed along.
type Overlay uint8

const (
	// OverlayTree pushes along a spanning tree computed from the node ids
	// alone (every node computes the same tree); Config.TreeFanout sets its
	// branching. A fanout >= len(NodeIDs)-1 is a star.
	OverlayTree Overlay = iota
	// OverlayGiven pushes along the topology Maelstrom sent.
	OverlayGiven
	// OverlayFull pushes to every other node.
	OverlayFull
)

// The driver's view of the core, in the order a driver calls it:
//
//	c, err := gossip.New(cfg)          // after init
//	c.Restore(recovered)               // values reloaded from disk, if any
//	c.Rejoin(incarnation)              // if this process is a restart
//	c.SetTopology(topo)                // on topology
//	isNew := c.Broadcast(v)            // on a client broadcast
//	err := c.Step(from, msg)           // on a peer message
//	c.Tick()                           // on every tick of the node's clock
//	rd := c.Ready()                    // after any of the above: send rd.Messages, persist rd.NewValues
//
// Frozen method set of *Core (implemented in core.go):
//
//	func New(cfg Config) (*Core, error)
//	func (c *Core) Restore(values []int64)
//	func (c *Core) Rejoin(incarnation string)
//	func (c *Core) SetTopology(topo map[string][]string)
//	func (c *Core) Broadcast(v int64) bool
//	func (c *Core) Step(from string, m Message) error
//	func (c *Core) Tick()
//	func (c *Core) Has(v int64) bool
//	func (c *Core) Len() int
//	func (c *Core) Ready() Ready
//	func DefaultConfig() Config
//
// Config (in config.go) has at least: ID string, NodeIDs []string,
// Overlay Overlay, TreeFanout int, Seed int64,
// Logf func(format string, args ...any), plus the tick intervals and
// budgets the core needs, each documented with its unit and trade-off.
