// Package gossip is the dissemination state machine of the broadcast node:
// it decides what to send to whom so that every node ends up holding every
// broadcast value, cheaply and fast, and repairs what partitions, losses
// and restarts withhold.
//
// The Core is pure, in the style of etcd's raft: it takes events and
// collects messages in an outbox; it has no goroutines, no clock (time is
// Tick calls; the node ticks every 10 ms), no JSON, no I/O, and draws its
// randomness from a *rand.Rand seeded from Config.Seed. The driver loop:
//
//	c, err := gossip.New(cfg)          // after init
//	c.Restore(recovered)               // values reloaded from disk, if any
//	c.Rejoin(incarnation)              // if this process is a restart
//	c.SetTopology(topo)                // on topology
//	isNew := c.Broadcast(v)            // on a client broadcast
//	err := c.Step(from, msg)           // on a peer message (log err, drop msg)
//	c.Tick()                           // every tick of the node's clock
//	rd := c.Ready()                    // after any of the above:
//	// persist rd.NewValues, send rd.Messages
//
// # Push
//
// Values are pushed along an overlay (Config.Overlay). The default is a
// spanning tree computed from the node ids alone, so every node computes
// the same one; with the default fanout it is a star around the first id:
// a value reaches every node in at most two hops. A value is pushed to
// every overlay neighbour except the one it came from, and only when it is
// new (dedup at the edge). A value a client broadcast is sent at once
// towards the root (a leaf's hub); relayed values are batched per
// neighbour, which is flushed at most once per RelayTicks. Under the
// Gossip Glomers 3d load (25 nodes, 50 broadcasts/s) every leaf receives
// about one message per RelayTicks, and the hub one per broadcast.
//
// Every push carries the next sequence number of its link in
// Message.Round, so a receiver notices lost pushes (a jump, or a hole not
// filled by a late message) and opens an anti-entropy round with that
// sender at once.
//
// # Acknowledgements and suspicion (off by default)
//
// With Config.SuspectTicks >= 0 (the default is -1: off; see its doc for
// the measured trade-off), a parent acknowledges its children's pushes: every push it sends a child
// carries in Message.Ack the highest push number received from that child.
// Under load the hub pushes to every leaf every RelayTicks anyway, so this
// costs nothing; a parent that has had nothing to push to a child for
// AckTicks sends one push carrying only the acknowledgement.
//
// A node whose push to its parent stays unacknowledged for SuspectTicks
// suspects its path to the root (the parent is cut off or dead). Until it
// hears from the parent again it sends the values on their way up (its
// clients', its children's) directly to every other node, in pushes
// marked Message.Direct that receivers keep but do not relay, so that they
// reach its side of a partition within about a latency instead of waiting
// for anti-entropy; the values of the unacknowledged pushes go the same
// way, once. It still pushes them to the parent, and probes it (an empty
// numbered push) every SuspectTicks when it has nothing to push, so that
// an acknowledgement ends the suspicion even in quiet times. While
// suspect, anti-entropy stays at its base interval, and a round opens at
// once. When the parent is heard from again, a round with it opens at once
// if pushes may have been lost, so that the hub learns and relays them.
// The cost is one message per other node per value while suspect, and
// nothing when the network is healthy.
//
// # Anti-entropy
//
// Every sync interval the core opens a round with a random peer (any node,
// not only overlay neighbours): KindSync with its Merkle root and bucket
// digests (package merkle). Equal roots: no reply. Otherwise the peer
// answers KindSyncReply with its values in the differing buckets; the
// opener merges them and answers KindSyncValues with the values the peer
// lacked. Values learned by sync are new values: reported in Ready and
// pushed on along the overlay, so the hub re-spreads what a partition
// withheld.
//
// The interval adapts: it doubles (up to MaxSyncTicks) while rounds find
// nothing, and comes back to SyncTicks when a real gap shows: a peer
// lacked values this node had held for SettleTicks, values learned by sync
// never came by push, pushes were lost, or a peer restarted. While pushes
// keep arriving with no loss, due rounds are skipped (at most MaxSkipTicks
// in a row), so steady load costs almost no sync messages.
//
// # Restarts
//
// A restarted node calls Restore with its durable values and Rejoin with a
// new incarnation: it sends KindHello with its summary to its overlay
// neighbours and HelloPeers others, who answer like a sync round and
// restart their own schedules.
//
// Every message stays under Config.MaxMessageBytes, estimated as its JSON
// size; larger value lists are split. Peer input is validated: Step
// returns an error wrapping ErrUnknownPeer or ErrBadMessage and never
// panics.
package gossip
