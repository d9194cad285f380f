package gossip

// This file holds the types the node adapter exchanges with the core.

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
	// Count is, on a sync message, the number of values the sender holds.
	// On a KindPush of the relay strategy: on an upload, > 0 asks for an
	// acknowledgement on arrival, and -1 on an unnumbered upload with no
	// values is a detach (the leaf went back to an earlier relay); on a relay's downlink that carries Ack,
	// the ticks the acknowledged upload waited there for the flush, or, if
	// negative, -Count-1 ticks it will wait (the acknowledgement was sent on
	// arrival); on an unnumbered Direct push with values (a copy), how many
	// more times a relay may pass it on, or -2 for the answer to a failover
	// copy whose sender missed the last flush.
	Count int
	// Incarnation identifies the sender's current process lifetime.
	Incarnation string
	// Round ties the messages of one anti-entropy round together; on a
	// KindPush it is the per-link push counter (1, 2, ...) that lets the
	// receiver notice a lost push (0: unnumbered, no loss detection).
	Round uint64
	// Ack, on a KindPush from a node to one that pushes to it (an overlay
	// child of the star, a leaf uploading to its relay), is the highest
	// push counter (Round) this node has received from it: it
	// acknowledges its pushes up to it (0: nothing to acknowledge). A
	// KindPush with no Values and Round 0 carries only this
	// acknowledgement. On a KindSync or KindSyncReply it is the other
	// way: the push counter of the last push the sender sent to the
	// receiver, whose round covers the pushes up to it (a hole there is
	// no loss to repair).
	Ack uint64
	// Direct, on a KindPush, says the values are on their last hop: a
	// relay's downlink, a copy sent to every node by a node whose relay
	// or parent is suspect, a value sent from its origin to every node.
	// The receiver keeps them and does not relay them as its own uploads.
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

// The driver's view of the core (see doc.go):
//
//	func New(cfg Config) (*Core, error)
//	func (c *Core) Restore(values []int64)
//	func (c *Core) Rejoin(incarnation string)
//	func (c *Core) SetTopology(topo map[string][]string)
//	func (c *Core) Broadcast(v int64) bool
//	func (c *Core) Step(from string, m Message) error
//	func (c *Core) Advance(now int64)      // Tick() is Advance(Now()+1)
//	func (c *Core) NextDeadline() int64    // or NoDeadline
//	func (c *Core) Has(v int64) bool
//	func (c *Core) Len() int
//	func (c *Core) Ready() Ready
