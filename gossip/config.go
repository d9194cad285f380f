package gossip

import (
	"errors"
	"fmt"
)

// Config configures a Core. Every interval is a count of ticks (the unit
// of Advance); the node's tick is 10 ms by default, so 1 tick = 10 ms in
// the figures below. The zero value of every field means its default.
type Config struct {
	// ID is this node's id (for example "n3"). Required.
	ID string
	// NodeIDs lists every node in the cluster, this one included, as sent
	// in Maelstrom's init. Every node must see the same set (order does not
	// matter: the core sorts a copy). Required.
	NodeIDs []string

	// Strategy chooses how values spread: StrategyRelay (the default: a
	// star whose hub fails over), StrategyStar (the fixed overlay of the
	// first design, kept for comparison) or StrategyDirect (latency
	// first: every value from its origin to every node).
	Strategy Strategy

	// WindowTicks is the relay strategy's batching window: a relay flushes
	// its downlinks on a grid of WindowTicks, and a leaf uploads at most
	// once per WindowTicks, timed to arrive just before the flush. Higher:
	// fewer messages (about N-1 downlinks plus the uploads per window under
	// load), higher latency (a value waits up to one window at its origin,
	// then two latencies). Every node must use the same.
	WindowTicks int
	// LeadTicks is how long before the relay's flush a leaf's upload aims
	// to arrive. Higher: more room for latency jitter (an upload that
	// misses the flush by more than catchUpTicks waits a whole window; one
	// that misses it by less costs a catch-up flush, one message per
	// peer), a little more latency. A tick is added per 25 nodes beyond
	// the first 25 (the relay reads a window's uploads one by one).
	LeadTicks int
	// FailoverTicks caps how long a leaf's upload may go unacknowledged
	// before the leaf suspects its relay and fails over to the next node
	// of the order; the timeout used is the recent slowest acknowledgement
	// plus FailoverMarginTicks, within this cap. Lower: faster failover
	// (values broadcast when a cut starts wait about this long), more
	// spurious failovers on slow links (each costs one message per peer).
	FailoverTicks int
	// FailoverMarginTicks is what the failover timeout adds to the recent
	// slowest acknowledgement of an upload, and the silence a leaf allows
	// its relay past a window after a downlink. Lower: values caught by a cut
	// reach their side sooner (the 1 s staleness bound needs a window, the
	// timeout and a latency to fit); higher: fewer spurious failovers of a
	// relay that is only slow (a loaded machine). It is applied once per
	// started 25 nodes of the cluster (a bigger relay stalls longer).
	FailoverMarginTicks int

	// Overlay chooses the graph StrategyStar pushes along. Default
	// OverlayTree.
	Overlay Overlay
	// TreeFanout is the branching of the OverlayTree spanning tree, laid
	// out as a heap over the sorted ids (the children of the i-th id are
	// ids f*i+1 .. f*i+f). 0, or any value >= len(NodeIDs)-1, gives a star
	// around the first id: every value reaches every node in at most 2
	// hops, and under load each leaf receives about one push per
	// RelayTicks. Smaller fanouts spread the relay work over more nodes but
	// add hops (latency) and messages.
	TreeFanout int

	// RelayTicks is the batching period of pushes to one neighbour: a
	// neighbour's queue is flushed when it holds values and was last
	// flushed RelayTicks ago or more (so an idle link sends at once, a busy
	// one once per RelayTicks). Higher: fewer messages (the hub of a star
	// sends about N-1 messages per RelayTicks under load), higher latency
	// (up to RelayTicks per relay hop). Values a client broadcast on this
	// node are not delayed towards the root: see ClientFlush.
	RelayTicks int
	// ClientFlush says what happens to a value a client broadcast on this
	// node: FlushUpward (default) sends it at once to the overlay
	// neighbours that are closer to the root (a leaf's hub), and queues
	// it for the others like a relayed value; FlushAll sends it at once to
	// every neighbour; FlushNone queues it like a relayed value.
	ClientFlush ClientFlush

	// SyncTicks is the base anti-entropy interval: every SyncTicks (with
	// jitter) the core opens a round with one random peer. Lower: faster
	// repair after partitions and loss, more messages (one per round when
	// the roots agree, two or three when they differ).
	SyncTicks int
	// MaxSyncTicks caps the adaptive back-off: while rounds find no real
	// gap the interval doubles up to this. Higher: fewer messages under
	// steady load (when roots differ only by values in flight) and when
	// idle; slower detection of the first gap after a partition heals.
	// It also caps the interval at which a quiet node of the relay
	// strategy probes a node it suspects ahead of its relay (the first
	// probe comes SettleTicks after values last moved through it).
	MaxSyncTicks int
	// MaxSkipTicks bounds how long due rounds may be skipped while the
	// push stream is healthy (pushes keep arriving, none lost, no gap
	// found): a real round is opened at least once per MaxSkipTicks, as a
	// safety net for a loss no later push reveals. Higher: fewer messages
	// under steady load; 1 never skips.
	MaxSkipTicks int
	// SettleTicks is how long this node must have held a value before its
	// absence at a peer counts as a real gap (a value in flight is not a
	// gap), and how long a value learned by sync may wait for the push
	// that would show it was only in flight. Half of it is how long a hole
	// in a link's push numbers may wait for a reordered push, and the least
	// time between two gap rounds with the same peer. It should exceed the
	// worst push propagation time (2 latencies plus RelayTicks for a
	// star). Lower: in-flight values and reordering pass for gaps (extra
	// rounds); higher: later gap detection.
	SettleTicks int
	// AckTicks (StrategyStar) is how long a node may owe an overlay child the
	// acknowledgement of its pushes (Message.Ack) before it sends a push
	// that carries only the acknowledgement. Acknowledgements ride on the
	// pushes a parent sends anyway, so under load (the hub pushes to every
	// leaf every RelayTicks) they cost nothing; when the parent has
	// nothing to push back, one acknowledgement-only message follows a
	// child's upload. 0 means RelayTicks, the least that costs nothing
	// under load. Higher: fewer such messages at low load; SuspectTicks
	// must then grow with it.
	AckTicks int
	// SuspectTicks (StrategyStar) is how long a push towards this node's overlay parent
	// (OverlayTree; the other overlays have no parent) may stay
	// unacknowledged before the node suspects its path to the root (a
	// partition, a dead parent). While suspect, values its clients
	// broadcast (and those its children push up) go directly to every
	// other node, marked not to be relayed; the values of the
	// unacknowledged pushes go the same way, once; anti-entropy runs at
	// SyncTicks and opens a round at once; the parent is probed every
	// SuspectTicks. Any message from the parent clears the suspicion (and
	// opens a round with it if pushes may have been lost). It must exceed the worst acknowledgement time, 2
	// latencies plus AckTicks plus processing delays (the node cannot
	// know the latency): 45 ticks at 100 ms latency with the defaults.
	// SuspectAuto means AckTicks + 50 (75 ticks, 750 ms, with the defaults: room for
	// 2 latencies of 100 ms and 300 ms of processing delays). Lower: a
	// partition is noticed sooner (values broadcast while a cut is not yet
	// suspected wait up to this long); too low: slow but healthy links are
	// suspected, each suspicion costing about one message per peer per
	// client value. 0 (the default) turns acknowledgements and suspicion
	// off: they cost one message per peer per client value while a cut
	// lasts (see the README).
	SuspectTicks int
	// HelloPeers is how many random peers, besides the overlay neighbours,
	// receive a KindHello after Rejoin. Higher: faster catch-up after a
	// restart, more messages per restart.
	HelloPeers int

	// MerkleBuckets is the number of buckets of the set summary (a power
	// of two, every node must use the same). Higher: larger sync messages
	// (8 bytes per bucket, base64 on the wire), fewer values sent per
	// differing bucket.
	MerkleBuckets int
	// MaxMessageBytes bounds the estimated JSON size of one message; larger
	// value lists are split. Must leave room under Maelstrom's line
	// limits; at least 1024.
	MaxMessageBytes int

	// Seed seeds the core's random source (sync peer choice, jitter). Use
	// a different seed per node.
	Seed int64
	// Logf receives state changes (topology chosen, sync gap found, peer
	// rejoined), never per-message logs. Lines carry no node id: the
	// driver prefixes its own. Nil discards.
	Logf func(format string, args ...any)
}

// Strategy chooses how values spread (see Config.Strategy).
type Strategy uint8

const (
	// StrategyRelay is the default: a star whose hub is the first node
	// of the id order that a node does not suspect (relay*.go).
	StrategyRelay Strategy = iota
	// StrategyStar pushes along a fixed overlay (star.go).
	StrategyStar
	// StrategyDirect sends every value from its origin to every node at
	// once: latency first (direct.go).
	StrategyDirect
)

// SuspectAuto, as Config.SuspectTicks, turns suspicion on with the
// automatic timeout AckTicks + 50.
const SuspectAuto = -1

// ClientFlush says when values a client broadcast on this node are sent.
type ClientFlush uint8

const (
	// FlushUpward sends a client value at once towards the root of the
	// overlay (a leaf's hub or parent) and queues it for the other
	// neighbours.
	FlushUpward ClientFlush = iota
	// FlushAll sends a client value at once to every overlay neighbour.
	FlushAll
	// FlushNone queues a client value like a relayed one.
	FlushNone
)

// DefaultConfig returns the configuration chosen by measurement on the
// Gossip Glomers 3d/3e workload (25 nodes, 100 ms latency, 100 ops/s for
// 20 s, then 10 s quiet) on the local bench; the README's tuning table
// gives the figures. ID, NodeIDs, Seed and Logf are left for the caller.
func DefaultConfig() Config {
	return Config{
		Strategy:            StrategyRelay,
		WindowTicks:         38,
		LeadTicks:           2,
		FailoverTicks:       60,
		FailoverMarginTicks: 12,
		Overlay:             OverlayTree,
		TreeFanout:          0,
		RelayTicks:          25,
		ClientFlush:         FlushUpward,
		SyncTicks:           50,
		MaxSyncTicks:        400,
		MaxSkipTicks:        3000,
		SettleTicks:         100,
		AckTicks:            0, // RelayTicks
		SuspectTicks:        0, // off
		HelloPeers:          2,
		MerkleBuckets:       64,
		MaxMessageBytes:     32 << 10,
	}
}

// suspectMarginTicks is what SuspectAuto adds to AckTicks.
const suspectMarginTicks = 50

var (
	// ErrConfig reports an invalid Config.
	ErrConfig = errors.New("gossip: invalid config")
	// ErrUnknownPeer reports a message from a node not in NodeIDs.
	ErrUnknownPeer = errors.New("gossip: unknown peer")
	// ErrBadMessage reports a malformed peer message (unknown kind, wrong
	// digest length, bucket out of range).
	ErrBadMessage = errors.New("gossip: bad message")
)

// validate fills zero fields from DefaultConfig and rejects nonsense.
func (c *Config) validate() error {
	d := DefaultConfig()
	if c.ID == "" {
		return fmt.Errorf("%w: empty ID", ErrConfig)
	}
	found := false
	seen := make(map[string]bool, len(c.NodeIDs))
	for _, id := range c.NodeIDs {
		if id == "" || seen[id] {
			return fmt.Errorf("%w: empty or repeated node id %q", ErrConfig, id)
		}
		seen[id] = true
		if id == c.ID {
			found = true
		}
	}
	if !found {
		return fmt.Errorf("%w: ID %q not in NodeIDs %v", ErrConfig, c.ID, c.NodeIDs)
	}
	if c.Overlay > OverlayFull {
		return fmt.Errorf("%w: unknown overlay %d", ErrConfig, c.Overlay)
	}
	if c.Strategy > StrategyDirect {
		return fmt.Errorf("%w: unknown strategy %d", ErrConfig, c.Strategy)
	}
	if c.ClientFlush > FlushNone {
		return fmt.Errorf("%w: unknown client flush %d", ErrConfig, c.ClientFlush)
	}
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{
		{"RelayTicks", &c.RelayTicks, d.RelayTicks},
		{"SyncTicks", &c.SyncTicks, d.SyncTicks},
		{"MaxSyncTicks", &c.MaxSyncTicks, d.MaxSyncTicks},
		{"MaxSkipTicks", &c.MaxSkipTicks, d.MaxSkipTicks},
		{"SettleTicks", &c.SettleTicks, d.SettleTicks},
		{"HelloPeers", &c.HelloPeers, d.HelloPeers},
		{"MerkleBuckets", &c.MerkleBuckets, d.MerkleBuckets},
		{"MaxMessageBytes", &c.MaxMessageBytes, d.MaxMessageBytes},
		{"TreeFanout", &c.TreeFanout, d.TreeFanout},
		{"WindowTicks", &c.WindowTicks, d.WindowTicks},
		{"LeadTicks", &c.LeadTicks, d.LeadTicks},
		{"FailoverTicks", &c.FailoverTicks, d.FailoverTicks},
		{"FailoverMarginTicks", &c.FailoverMarginTicks, d.FailoverMarginTicks},
		{"AckTicks", &c.AckTicks, 0},         // 0: RelayTicks, below
		{"SuspectTicks", &c.SuspectTicks, 0}, // 0: off; SuspectAuto: below
	} {
		if f.v == &c.SuspectTicks && *f.v == SuspectAuto {
			continue
		}
		if *f.v < 0 {
			return fmt.Errorf("%w: negative %s %d", ErrConfig, f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if c.MaxSyncTicks < c.SyncTicks {
		return fmt.Errorf("%w: MaxSyncTicks %d < SyncTicks %d", ErrConfig, c.MaxSyncTicks, c.SyncTicks)
	}
	if c.AckTicks == 0 {
		c.AckTicks = c.RelayTicks
	}
	if c.SuspectTicks == SuspectAuto {
		c.SuspectTicks = c.AckTicks + suspectMarginTicks
	}
	if c.SuspectTicks > 0 && c.SuspectTicks <= c.AckTicks {
		return fmt.Errorf("%w: SuspectTicks %d <= AckTicks %d: every parent would be suspected", ErrConfig, c.SuspectTicks, c.AckTicks)
	}
	if c.MerkleBuckets&(c.MerkleBuckets-1) != 0 {
		return fmt.Errorf("%w: MerkleBuckets %d is not a power of two", ErrConfig, c.MerkleBuckets)
	}
	if c.MaxMessageBytes < 1024 {
		return fmt.Errorf("%w: MaxMessageBytes %d < 1024", ErrConfig, c.MaxMessageBytes)
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return nil
}
