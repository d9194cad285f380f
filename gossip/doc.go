// Package gossip is the dissemination state machine of the broadcast node:
// it decides what to send to whom so that every node ends up holding every
// broadcast value, cheaply and fast, with no single point of failure, and
// repairs what partitions, losses and restarts withhold.
//
// The Core is pure, in the style of etcd's raft: it takes events and
// collects messages in an outbox; it has no goroutines, no clock (time is
// an input, in ticks), no JSON, no I/O, and draws its randomness from a
// *rand.Rand seeded from Config.Seed. The driver loop:
//
//	c, err := gossip.New(cfg)          // after init
//	c.Restore(recovered)               // values reloaded from disk, if any
//	c.Rejoin(incarnation)              // if this process is a restart
//	c.SetTopology(topo)                // on topology
//	c.Advance(now)                     // before each event: the current tick
//	isNew := c.Broadcast(v)            // on a client broadcast
//	err := c.Step(from, msg)           // on a peer message (log err, drop msg)
//	rd := c.Ready()                    // after any of the above:
//	// persist rd.NewValues, send rd.Messages
//	d := c.NextDeadline()              // sleep until tick d (or NoDeadline:
//	                                   // until the next event), then Advance(d)
//
// An idle core has no deadline: a node with nothing new to send sends
// nothing and does not wake (a relay strategy node that suspects a node
// ahead of its relay rechecks it, at most every MaxSyncTicks). Tick() is Advance(Now()+1), for drivers that
// step time themselves (the tests' simulated network).
//
// # Parts
//
// The Core is a thin dispatcher that owns the clock, the value set and its
// Merkle summary, the outbox and Ready. Anti-entropy (sync.go) is one part,
// the same for every strategy. The dissemination strategy is the other,
// behind a small internal interface (strategy.go); Config.Strategy picks
// one, and a new strategy is a new file:
//
//   - StrategyRelay (relay.go, the default): a star whose hub fails over;
//     relay_leaf.go is its leaf side, relay_hub.go its relay side,
//     relay_failover.go the suspicion of a relay.
//   - StrategyStar (star.go, star_suspect.go): the fixed overlay of the first
//     design (a star around the first id, a tree, Maelstrom's topology or a
//     full mesh), kept for comparison, with its optional suspicion mode.
//   - StrategyDirect (direct.go): latency first; every value goes from its
//     origin to every node at once.
//
// # The relay strategy
//
// Every node orders the ids the same way; its relay is the first node of
// the order it does not suspect (itself included). Leaves upload their
// clients' values to the relay at most once per WindowTicks, timed by the
// relay's feedback to arrive LeadTicks before the relay's flush; the relay
// flushes one downlink per peer per window on a grid of its own clock,
// carrying the new values and acknowledging the uploads. Under load every
// node receives about one message per window and sends one upload per
// window in which its clients broadcast. A timed upload that reaches the
// relay less than catchUpTicks after its flush goes out in a catch-up
// flush then. The first grid slot after a flush that finds nothing new
// sends the peers that flush reached a root notice: the Merkle root of the
// relay's set. A leaf whose set equals it needs no anti-entropy round when
// the load stops; one that lost a downlink differs and opens one.
//
// A leaf whose upload is not acknowledged within about a round trip plus
// the failover margin (FailoverMarginTicks per started 25 nodes) suspects
// the relay, and so does one that hears nothing from it for a window and
// the margin after a downlink with values (a downlink promises the next
// grid flush: a root notice if it has nothing for the peer), once 16
// downlinks in a row came on time (before that, or when they come late, a
// probe asks first). If values of its clients may be known to no other
// node (an upload unacknowledged, or acknowledged on arrival with no
// downlink since), it copies them to every peer, with those of the uploads
// acknowledged lately and of its last downlink (a cut is checked as each
// receiver dequeues, so a flush in flight reaches part of a side). It
// probes the next five candidates of the order at once (each acknowledges
// on arrival, with the values of its own last downlink; the first answer
// is a round-trip sample, and the others time out half a margin after
// it), uploads to the first not suspected and opens an anti-entropy round
// with it. If that one never answers its probe, what went to it is
// uploaded to the next one instead of copied again, and the candidates
// that answered are not probed again. A relay other than the first that gets a first
// upload from a newcomer sends it the values it learned in the last
// SettleTicks; it flushes to every peer for two windows, then only to the
// peers it heard from since it took over (its side of the cut), and while
// it relays for itself a new contact makes it flush to every peer again
// with the values it held back. Back to a relay ahead of it (a heal) it is
// a leaf again: no resend, no root notices; that relay, its own relay,
// flushes what the rounds of the returning leaves bring a few ticks later
// (syncedCollectTicks), not at its next grid slot. An idle leaf that hears another node's
// failover copy probes its relay once that has been silent for a window
// and the margin. Any message from a suspected node ends its
// suspicion, so the role falls back to the first reachable node of the
// order; the leaf sends the relay it leaves a detach, passes that relay
// nothing for a window, forgets its suspicion of the nodes after its
// relay, and keeps each relay's upload timing for its return. A node that
// suspects a node ahead of its relay probes it once no values have moved
// through it for SettleTicks, then at doubling intervals up to
// MaxSyncTicks: when a cut heals after the load stopped, nothing else
// would cross it. After a failover
// that only some nodes made (a cut that is not transitive), several relays
// serve the cluster. A leaf that relays for others gives them every value
// it learns (flush, failover copy or anti-entropy); what one relay flushes
// is passed on, at most twice: by the first relay to every peer, by
// another node relaying for others to its own uploaders and the relays it
// hears (and on the downlinks it sends anyway), and by a leaf to the
// other relays it heard flush in the last two windows.
//
// # Anti-entropy
//
// A due round sends KindSync with this node's Merkle root and bucket
// digests (package merkle) to a random peer (any node). Equal roots: an
// empty KindSyncReply confirms it. Otherwise the peer answers KindSyncReply
// with its values in the differing buckets; the opener merges them and
// answers KindSyncValues with the values the peer lacked. Values learned by
// sync that no push brings within SettleTicks were withheld: they go back
// to the strategy, which spreads them (a leaf uploads them).
//
// The interval adapts: it doubles (up to MaxSyncTicks) while rounds find
// nothing, and comes back to SyncTicks when a real gap shows (a peer
// lacked values held for SettleTicks, values came only by sync, a peer
// restarted, the relay failed over). Lost pushes open a round with their
// sender at once instead; a round's KindSync and KindSyncReply carry in
// Ack the last push number their sender sent the receiver, and the holes
// up to it open no round (the round repairs them). A gap a round with a
// peer finds is no reason for rounds when the strategy spreads what that
// peer learns (the relay strategy's own relay). Due rounds are skipped while pushes arrive with
// no loss (at most MaxSkipTicks in a row), and while nothing happens at
// all: no value learned from a peer since the last round, which its peer
// confirmed with equal roots (or the relay's root notice did). A value
// from this node's own clients is no reason for a round when the strategy
// watches it (the relay strategy's acknowledged uploads).
//
// # Restarts
//
// A restarted node calls Restore with its durable values and Rejoin with a
// new incarnation: it sends KindHello with its summary to its relay (or
// overlay neighbours) and HelloPeers others, who answer like a sync round
// and restart their own schedules.
//
// Every message stays under Config.MaxMessageBytes, estimated as its JSON
// size; larger value lists are split. Peer input is validated: Step
// returns an error wrapping ErrUnknownPeer or ErrBadMessage and never
// panics.
package gossip
