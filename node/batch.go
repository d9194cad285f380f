package node

import "broadcast/gossip"

// This file sends the core's gossip: the messages of one Ready for the
// same peer go as one gossip_batch (a compound message, as memberlist
// sends its compound packets), up to batchBytes; a message alone for
// its peer goes as it is. The peer steps the batched messages in order,
// as if they had come one by one at that instant. They would have come
// together anyway: sent in the same instant over the same link.

// batchBytes returns the estimated size a batch may reach: the core's
// bound on one message, so that a batch is no bigger than the largest
// message the core sends alone.
func (n *Node) batchBytes() int {
	if b := n.cfg.Gossip.MaxMessageBytes; b > 0 {
		return b
	}
	return gossip.DefaultConfig().MaxMessageBytes
}

// sendGossip sends msgs, those for the same peer batched (see above),
// each peer's in the order the core gave them. A Ready with one message
// per peer (every flush of a relay) is sent as it is, with nothing
// allocated for the grouping.
func (n *Node) sendGossip(msgs []gossip.Envelope) {
	st := &n.st
	if len(msgs) == 1 && n.sendable(&msgs[0]) {
		n.sendGossipLine(msgs[0].To, msgs, false)
		return
	}
	if st.gossipTo == nil {
		st.gossipTo = make(map[string]int)
	}
	clear(st.gossipTo)
	repeated := false
	for i := range msgs {
		st.gossipTo[msgs[i].To]++
		repeated = repeated || st.gossipTo[msgs[i].To] > 1
	}
	if !repeated {
		for i := range msgs {
			if n.sendable(&msgs[i]) {
				n.sendGossipLine(msgs[i].To, msgs[i:i+1], false)
			}
		}
		return
	}
	var order []string
	byPeer := make(map[string][]gossip.Envelope, len(st.gossipTo))
	for i := range msgs {
		e := &msgs[i]
		if !n.sendable(e) {
			continue
		}
		if _, ok := byPeer[e.To]; !ok {
			order = append(order, e.To)
		}
		byPeer[e.To] = append(byPeer[e.To], *e)
	}
	limit := n.batchBytes()
	for _, to := range order {
		for _, part := range packBatches(byPeer[to], limit) {
			n.sendGossipLine(to, part, len(part) > 1)
		}
	}
}

// sendable reports whether e may be sent: to another node of node_ids,
// of a kind with a wire name (so that one bad message never takes a batch
// down with it); it logs why not.
func (n *Node) sendable(e *gossip.Envelope) bool {
	switch {
	case !n.st.peers[e.To] || e.To == n.st.id:
		n.logf(LevelWarn, "gossip to %q dropped: not another node in node_ids", e.To)
		return false
	case int(e.Msg.Kind) >= len(gossipTypes) || gossipTypes[e.Msg.Kind] == "":
		n.logf(LevelError, "gossip to %q dropped: kind %d has no wire name", e.To, e.Msg.Kind)
		return false
	}
	return true
}

// packBatches cuts msgs into consecutive runs whose estimated sizes
// (gossipSizeHint) sum to at most limit; a message bigger than limit
// alone is a run of its own.
func packBatches(msgs []gossip.Envelope, limit int) [][]gossip.Envelope {
	var runs [][]gossip.Envelope
	start, size := 0, 0
	for i := range msgs {
		s := gossipSizeHint(&msgs[i].Msg)
		if i > start && size+s > limit {
			runs = append(runs, msgs[start:i])
			start, size = i, 0
		}
		size += s
	}
	if start < len(msgs) {
		runs = append(runs, msgs[start:])
	}
	return runs
}

// sendGossipLine sends msgs to peer to in one line: a gossip_batch if
// batch, else the one message's plain body.
func (n *Node) sendGossipLine(to string, msgs []gossip.Envelope, batch bool) {
	size := 0
	for i := range msgs {
		size += gossipSizeHint(&msgs[i].Msg)
	}
	line := n.beginLine(n.st.id, to, size)
	var err error
	if batch {
		line, err = appendGossipBatchBody(line, msgs)
	} else {
		line, err = appendGossipBody(line, &msgs[0].Msg)
	}
	if err != nil {
		n.logf(LevelError, "gossip to %q dropped (%d messages): %v", to, len(msgs), err)
		return
	}
	n.endLine(line)
}
