package node

import (
	"fmt"

	"broadcast/gossip"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// This file dispatches inbound events to their handlers, on the owner
// goroutine only: init is in init.go, broadcast and read (and every rule
// about durability) in durable.go, replies in reply.go.

// This file holds the owner goroutine's handlers: everything here runs on
// that goroutine only.

// handleEvent dispatches one inbound event.
func (n *Node) handleEvent(ev *inEvent) {
	st := &n.st
	if ev.err != nil {
		n.logf(LevelWarn, "dropped input: %v", ev.err)
		return
	}
	m := &ev.msg
	if m.Kind == kindReply {
		n.logf(LevelWarn, "dropped reply from %q (type %q, in_reply_to %s): this node sends no requests, nothing waits for it", m.Src, m.Type, m.InReplyTo)
		return
	}
	fromPeer := st.peers[m.Src]
	if !fromPeer && !isClientID(m.Src) {
		why := "not a client and not in node_ids"
		if st.core == nil {
			why = "not a client, and no init yet to say who the nodes are"
		}
		n.logf(LevelWarn, "dropped %q from %q: %s; never answered", m.Type, m.Src, why)
		return
	}
	if m.Kind == kindGossip {
		n.handleGossip(m, fromPeer)
		return
	}
	req := clientReq{from: st.id, to: m.Src, typ: m.Type, msgID: m.MsgID, hasMsgID: m.HasMsgID, arrived: ev.arrived}
	if st.id == "" {
		req.from = m.Dest
	}
	if m.BadMsgID {
		n.logf(LevelWarn, "dropped %q from %q: msg_id is not an integer, so no reply can name it", m.Type, m.Src)
		return
	}
	if m.Err != nil {
		what := m.Type
		if what == "" || m.Kind == kindUnknown {
			what = "message"
		}
		n.reject(req, maelstrom.MalformedRequest, fmt.Sprintf("malformed %s: %v", what, m.Err))
		return
	}
	switch m.Kind {
	case kindUnknown:
		n.reject(req, maelstrom.NotSupported, fmt.Sprintf("message type %q is not supported", m.Type))
		return
	case kindInit:
		n.handleInit(m, req)
		return
	}
	if st.core == nil {
		n.reject(req, maelstrom.TemporarilyUnavailable, fmt.Sprintf("%s before init: not initialised yet", m.Type))
		return
	}
	switch m.Kind {
	case kindTopology:
		n.handleTopology(m, req)
	case kindBroadcast:
		n.handleBroadcast(m.Value, req)
	case kindRead:
		n.handleRead(req)
	default:
		panic(fmt.Sprintf("node: unhandled message kind %d (type %q)", m.Kind, m.Type))
	}
}

// handleGossip steps the core with a peer's gossip message. Gossip is
// never answered with an error: a bad one is logged and dropped.
func (n *Node) handleGossip(m *inMsg, fromPeer bool) {
	st := &n.st
	switch {
	case st.core == nil:
		n.logf(LevelWarn, "dropped %s from %q: before init", m.Type, m.Src)
		return
	case !fromPeer:
		n.logf(LevelWarn, "dropped %s from %q: gossip comes only from node_ids", m.Type, m.Src)
		return
	case m.Err != nil && len(m.Batch) == 0:
		n.logf(LevelWarn, "dropped malformed %s from %q: %v", m.Type, m.Src, m.Err)
		return
	case m.Err != nil: // a batch: the well-formed messages still count
		n.logf(LevelWarn, "dropped malformed part of %s from %q: %v", m.Type, m.Src, m.Err)
	}
	if m.Type == typeGossipBatch {
		for i := range m.Batch {
			n.stepGossip(m.Src, &m.Batch[i])
		}
	} else {
		n.stepGossip(m.Src, &m.Gossip)
	}
	// Once for a whole batch: what the core sends a peer in answer to
	// several of its messages goes in one batch too.
	n.processReady()
}

// stepGossip steps the core with one gossip message from peer from.
func (n *Node) stepGossip(from string, g *gossip.Message) {
	if err := n.st.core.Step(from, *g); err != nil {
		n.logf(LevelWarn, "dropped %s from %q: %v", gossipTypes[g.Kind], from, err)
	} else {
		n.logf(LevelDebug, "stepped %s from %q (%d values)", gossipTypes[g.Kind], from, len(g.Values))
	}
}

// handleTopology passes Maelstrom's topology to the core.
func (n *Node) handleTopology(m *inMsg, req clientReq) {
	n.st.core.SetTopology(m.Topology)
	n.logf(LevelInfo, "topology for %d nodes; mine: %v", len(m.Topology), m.Topology[n.st.id])
	n.processReady()
	n.replyOK(req, typeTopologyOK)
}

// handleTick steps the core's clock by one tick (Node.Tick, for drivers
// that keep the core's time themselves), then does what a wake does.
func (n *Node) handleTick() {
	if n.st.core == nil {
		return
	}
	n.stepCore(n.st.core.Now() + 1)
}

// stepCore advances the core to tick, sends what became due and drops the
// replies past their deadline: the one pass behind both a tick and a wake.
func (n *Node) stepCore(tick int64) {
	st := &n.st
	st.core.Advance(tick)
	n.processReady()
	now := n.cfg.Now()
	for i := range st.pending {
		b := &st.pending[i]
		b.acks = n.reapLate(b.acks, now, "broadcast_ok")
		b.reads = n.reapLate(b.reads, now, "read_ok")
	}
}

// processReady sends the core's messages and persists its new values.
func (n *Node) processReady() {
	st := &n.st
	rd := st.core.Ready()
	if len(rd.NewValues) > 0 {
		n.persist(rd.NewValues)
	}
	n.sendGossip(rd.Messages)
}
