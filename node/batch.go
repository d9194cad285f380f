package node

import "broadcast/gossip"

// This file sends the core's gossip: the messages of one Ready for the
// same peer go as one gossip_batch (a compound message, as memberlist
// sends its compound packets), up to maxBatchBytes; a message alone for
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
// each peer's in the order the core gave them.
func (n *Node) sendGossip(msgs []gossip.Envelope) {
	st := &n.st
	var order []string
	byPeer := make(map[string][]gossip.Message, len(msgs))
	for i := range msgs {
		e := &msgs[i]
		if !st.peers[e.To] || e.To == st.id {
			n.logf(LevelWarn, "gossip to %q dropped: not another node in node_ids", e.To)
			continue
		}
		if _, ok := byPeer[e.To]; !ok {
			order = append(order, e.To)
		}
		byPeer[e.To] = append(byPeer[e.To], e.Msg)
	}
	limit := n.batchBytes()
	for _, to := range order {
		for _, part := range packBatches(byPeer[to], limit) {
			n.sendGossipLine(to, part)
		}
	}
}

// packBatches cuts msgs into consecutive runs whose estimated sizes
// (gossipSizeHint) sum to at most limit; a message bigger than limit
// alone is a run of its own.
func packBatches(msgs []gossip.Message, limit int) [][]gossip.Message {
	var runs [][]gossip.Message
	start, size := 0, 0
	for i := range msgs {
		s := gossipSizeHint(&msgs[i])
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

// sendGossipLine sends msgs to peer to in one line: a plain gossip body
// for one message, a gossip_batch for more.
func (n *Node) sendGossipLine(to string, msgs []gossip.Message) {
	size := 0
	for i := range msgs {
		size += gossipSizeHint(&msgs[i])
	}
	line := n.beginLine(n.st.id, to, size)
	var err error
	if len(msgs) == 1 {
		line, err = appendGossipBody(line, &msgs[0])
	} else {
		line, err = appendGossipBatchBody(line, msgs)
	}
	if err != nil {
		n.logf(LevelError, "gossip to %q dropped (%d messages): %v", to, len(msgs), err)
		return
	}
	n.endLine(line)
}
