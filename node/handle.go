package node

import (
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"sort"
	"time"

	"broadcast/gossip"
	"broadcast/store"

	"github.com/google/uuid"
	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// This file holds the owner goroutine's handlers: everything here runs on
// that goroutine only.

// isClientID reports whether id names a Maelstrom client ("c1", "c42").
func isClientID(id string) bool { return len(id) > 1 && id[0] == 'c' }

// mayAddress reports whether a message to id is safe: Maelstrom stops
// reading a node's output for good after a message to an unregistered id
// (spec 1.7), so only clients and node_ids are ever addressed.
func (n *Node) mayAddress(id string) bool { return isClientID(id) || n.st.peers[id] }

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
	case m.Err != nil:
		n.logf(LevelWarn, "dropped malformed %s from %q: %v", m.Type, m.Src, m.Err)
		return
	}
	if err := st.core.Step(m.Src, m.Gossip); err != nil {
		n.logf(LevelWarn, "dropped %s from %q: %v", m.Type, m.Src, err)
	} else {
		n.logf(LevelDebug, "stepped %s from %q (%d values)", m.Type, m.Src, len(m.Gossip.Values))
	}
	n.processReady()
}

// handleInit initialises the node: gossip core, store, recovery.
func (n *Node) handleInit(m *inMsg, req clientReq) {
	st := &n.st
	if st.id != "" {
		if m.NodeID == st.id {
			n.logf(LevelInfo, "repeated init for %q: answering init_ok again", m.NodeID)
			n.replyOK(req, typeInitOK)
			return
		}
		n.reject(req, maelstrom.PreconditionFailed, fmt.Sprintf("already initialised as %q; init as %q refused", st.id, m.NodeID))
		return
	}
	id := m.NodeID
	n.prefix.Store(&id)
	gc := n.cfg.Gossip
	gc.ID = m.NodeID
	gc.NodeIDs = append([]string(nil), m.NodeIDs...)
	if gc.Seed == 0 {
		h := fnv.New64a()
		h.Write([]byte(m.NodeID))
		gc.Seed = int64(h.Sum64() >> 1)
	}
	gc.Logf = func(format string, args ...any) { n.logf(LevelInfo, "gossip: "+format, args...) }
	core, err := gossip.New(gc)
	if err != nil {
		n.logf(LevelError, "init as %q: %v", m.NodeID, err)
		none := "-"
		n.prefix.Store(&none)
		n.replyError(req, maelstrom.Crash, fmt.Sprintf("init: %v", err))
		return
	}
	st.id = m.NodeID
	req.from = st.id
	st.peers = make(map[string]bool, len(m.NodeIDs))
	for _, p := range m.NodeIDs {
		st.peers[p] = true
	}
	st.core = core
	n.logf(LevelInfo, "initialised among %d nodes %v (durability %s)", len(m.NodeIDs), m.NodeIDs, n.cfg.Durability)
	if !st.memOnly {
		n.openStore(m)
	}
	n.replyOK(req, typeInitOK)
	n.processReady()
}

// openStore resolves the data directory, opens the log and recovers.
func (n *Node) openStore(m *inMsg) {
	st := &n.st
	dir, rule, note, err := resolveDataDir(&n.cfg, st.id)
	if err != nil {
		n.degrade(fmt.Errorf("data directory: %w", err))
		return
	}
	if note != nil {
		n.logf(LevelInfo, "data directory %s: %v", dir, note)
	}
	if rule == ruleParent {
		removed, err := removeStaleParentDirs(n.cfg.TempDir, n.cfg.ProcDir)
		for _, p := range removed {
			n.logf(LevelInfo, "removed %s: its run's process is gone", p)
		}
		if err != nil {
			n.logf(LevelWarn, "removing stale data directories under %s: %v", n.cfg.TempDir, err)
		}
		if m.HasNetID && m.NetID < int64(len(m.NodeIDs)) {
			if _, err := os.Stat(dir); err == nil {
				n.logf(LevelInfo, "init id %d < %d nodes marks a new network: discarding %s", m.NetID, len(m.NodeIDs), dir)
				if err := os.RemoveAll(dir); err != nil {
					n.degrade(fmt.Errorf("discard %s: %w", dir, err))
					return
				}
			}
		}
	}
	open := n.cfg.OpenLog
	if open == nil {
		open = n.openStoreLog
	}
	l, err := open(dir)
	if err != nil {
		n.degrade(fmt.Errorf("open store %s: %w", dir, err))
		return
	}
	st.log, st.logDir, st.logNotify = l, dir, l.Notify()
	rec := l.Recovered()
	n.addVisible(rec)
	st.core.Restore(rec)
	if l.Restarted() {
		inc, err := uuid.NewV7()
		if err != nil {
			inc = uuid.New()
		}
		st.core.Rejoin(inc.String())
		n.logf(LevelInfo, "restarted: recovered %d values from %s; incarnation %s", len(rec), dir, inc)
	} else {
		n.logf(LevelInfo, "store %s opened fresh", dir)
	}
}

// openStoreLog is the default Config.OpenLog: a store.Log from the template.
func (n *Node) openStoreLog(dir string) (Log, error) {
	sc := n.cfg.Store
	sc.Dir = dir
	sc.Logf = func(format string, args ...any) { n.logf(LevelInfo, format, args...) }
	l, err := store.Open(sc)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// degrade switches to the disk-failed mode for good: pending acks fail with
// crash (13: the value may be durable or gossiped), later broadcasts with
// temporarily-unavailable (11: not accepted), reads serve what is in
// memory, peer values are still relayed.
func (n *Node) degrade(cause error) {
	st := &n.st
	if st.logFailed {
		return
	}
	st.logFailed = true
	st.logNotify = nil
	failed := 0
	var reads []clientReq
	for _, b := range st.pending {
		n.addVisible(b.values)
		for _, r := range b.acks {
			n.replyError(r, maelstrom.Crash, "store failed before this value was durable; it may still be durable or spread")
			failed++
		}
		reads = append(reads, b.reads...)
	}
	st.pending = nil
	clear(st.pendingSeq)
	for _, r := range reads {
		n.answerRead(r) // reads serve memory from now on
	}
	n.logf(LevelError, "disk failure: %v; %d pending broadcasts failed (13), new broadcasts refused (11), reads serve memory", cause, failed)
}

// handleTopology passes Maelstrom's topology to the core.
func (n *Node) handleTopology(m *inMsg, req clientReq) {
	n.st.core.SetTopology(m.Topology)
	n.logf(LevelInfo, "topology for %d nodes; mine: %v", len(m.Topology), m.Topology[n.st.id])
	n.processReady()
	n.replyOK(req, typeTopologyOK)
}

// handleBroadcast accepts a client value; it is acknowledged once durable.
func (n *Node) handleBroadcast(v int64, req clientReq) {
	st := &n.st
	if st.logFailed {
		n.replyError(req, maelstrom.TemporarilyUnavailable, "store failed: value not accepted")
		return
	}
	if st.visible.Has(v) {
		n.logf(LevelDebug, "broadcast %d: already held, ack", v)
		n.replyOK(req, typeBroadcastOK)
		return
	}
	isNew := st.core.Broadcast(v)
	n.processReady()
	switch {
	case st.logFailed:
		n.replyError(req, maelstrom.Crash, "store failed while accepting this value; it may still be spread")
		return
	case st.visible.Has(v):
		n.logf(LevelDebug, "broadcast %d: new=%v, held at once, ack", v, isNew)
		n.replyOK(req, typeBroadcastOK)
		return
	}
	seq, ok := st.pendingSeq[v]
	if !ok {
		// The core knew v, yet v is neither durable nor in the log: should
		// not happen; make it durable rather than ack without it.
		n.logf(LevelWarn, "broadcast %d: known to the core but not in the store; appending it", v)
		seq = n.persist([]int64{v})
		if st.logFailed || st.visible.Has(v) {
			n.handleBroadcastDone(v, req)
			return
		}
	}
	i := sort.Search(len(st.pending), func(i int) bool { return st.pending[i].seq >= seq })
	if i == len(st.pending) || st.pending[i].seq != seq {
		panic(fmt.Sprintf("node: value %d maps to seq %d, which is not pending", v, seq))
	}
	st.pending[i].acks = append(st.pending[i].acks, req)
	n.logf(LevelDebug, "broadcast %d: new=%v, ack waits for seq %d", v, isNew, seq)
}

// handleBroadcastDone answers a broadcast whose value was just appended
// outside the usual path.
func (n *Node) handleBroadcastDone(v int64, req clientReq) {
	if n.st.logFailed {
		n.replyError(req, maelstrom.Crash, "store failed while accepting this value")
		return
	}
	n.logf(LevelDebug, "broadcast %d: durable, ack", v)
	n.replyOK(req, typeBroadcastOK)
}

// handleRead answers with every visible value, ascending. If values this
// node received earlier are still on their way to disk, the read waits for
// them (one group commit, well under a millisecond here): a read then shows
// every value the node had received when the read arrived, and still only
// durable values, so reads never go backwards across a restart.
func (n *Node) handleRead(req clientReq) {
	st := &n.st
	if k := len(st.pending); k > 0 {
		n.logf(LevelDebug, "read from %q waits for seq %d to be durable (%d values pending)", req.to, st.pending[k-1].seq, len(st.pendingSeq))
		st.pending[k-1].reads = append(st.pending[k-1].reads, req)
		return
	}
	n.answerRead(req)
}

// answerRead replies to a read with every visible value, ascending.
func (n *Node) answerRead(req clientReq) {
	st := &n.st
	if !st.readCacheOK {
		st.readCache = appendInts(st.readCache[:0], st.visible.Sorted())
		st.readCacheOK = true
	}
	n.logf(LevelDebug, "read: %d values (%d more known, not yet durable)", st.visible.Len(), len(st.pendingSeq))
	if !n.replyAllowed(req) {
		return
	}
	line := n.beginLine(req.from, req.to, len(st.readCache))
	if line == nil {
		return
	}
	line = appendReadOKBody(line, st.readCache, req.msgID)
	n.endLine(line)
}

// handleTick ticks the core and reaps acks past their deadline.
func (n *Node) handleTick() {
	st := &n.st
	if st.core == nil {
		return
	}
	st.core.Tick()
	n.processReady()
	now := n.cfg.Now()
	for i := range st.pending {
		b := &st.pending[i]
		b.acks = n.reapLate(b.acks, now, "broadcast_ok")
		b.reads = n.reapLate(b.reads, now, "read_ok")
	}
}

// reapLate drops the requests past ClientReplyDeadline (their reply would
// reach a client that has given up) and returns the rest.
func (n *Node) reapLate(reqs []clientReq, now time.Time, reply string) []clientReq {
	kept := reqs[:0]
	for _, r := range reqs {
		if now.Sub(r.arrived) > n.cfg.ClientReplyDeadline {
			n.logf(LevelWarn, "%s to %q for msg_id %d suppressed: still not durable %v after the request (deadline %v)", reply, r.to, r.msgID, now.Sub(r.arrived), n.cfg.ClientReplyDeadline)
			continue
		}
		kept = append(kept, r)
	}
	clear(reqs[len(kept):])
	return kept
}

// processReady sends the core's messages and persists its new values.
func (n *Node) processReady() {
	st := &n.st
	rd := st.core.Ready()
	if len(rd.NewValues) > 0 {
		n.persist(rd.NewValues)
	}
	for i := range rd.Messages {
		e := &rd.Messages[i]
		if !st.peers[e.To] || e.To == st.id {
			n.logf(LevelWarn, "gossip to %q dropped: not another node in node_ids", e.To)
			continue
		}
		line := n.beginLine(st.id, e.To, gossipSizeHint(&e.Msg))
		var err error
		if line, err = appendGossipBody(line, &e.Msg); err != nil {
			n.logf(LevelError, "gossip to %q dropped: %v", e.To, err)
			continue
		}
		n.endLine(line)
	}
}

// persist makes values durable (or visible at once without a store) and
// returns the sequence number of their batch (0 if none was appended).
func (n *Node) persist(values []int64) uint64 {
	st := &n.st
	if st.memOnly || st.logFailed || st.log == nil {
		n.addVisible(values)
		return 0
	}
	vs := append([]int64(nil), values...)
	seq := st.log.Append(vs)
	st.pending = append(st.pending, pendingBatch{seq: seq, values: vs})
	for _, v := range vs {
		st.pendingSeq[v] = seq
	}
	n.processDurable()
	return seq
}

// processDurable makes durable batches visible and acknowledges their
// broadcasts, then checks the store for a sticky error.
func (n *Node) processDurable() {
	st := &n.st
	if st.log == nil || st.logFailed {
		return
	}
	d := st.log.DurableSeq()
	i := 0
	var reads []clientReq
	for ; i < len(st.pending) && st.pending[i].seq <= d; i++ {
		b := &st.pending[i]
		n.addVisible(b.values)
		for _, v := range b.values {
			delete(st.pendingSeq, v)
		}
		for _, r := range b.acks {
			n.logf(LevelDebug, "seq %d durable: ack broadcast msg_id %d from %q", b.seq, r.msgID, r.to)
			n.replyOK(r, typeBroadcastOK)
		}
		reads = append(reads, b.reads...)
		*b = pendingBatch{}
	}
	if i > 0 {
		st.pending = append(st.pending[:0], st.pending[i:]...)
	}
	for _, r := range reads {
		n.answerRead(r) // after every batch durable now is visible
	}
	if err := st.log.Err(); err != nil && !st.closing {
		n.degrade(fmt.Errorf("store %s: %w", st.logDir, err))
	}
}

// addVisible adds values to the set reads show.
func (n *Node) addVisible(values []int64) {
	st := &n.st
	for _, v := range values {
		if st.visible.Add(v) {
			st.readCacheOK = false
		}
	}
}

// replyAllowed reports whether req may be answered now: it must carry a
// msg_id, and its deadline must not have passed.
func (n *Node) replyAllowed(req clientReq) bool {
	if !req.hasMsgID {
		n.logf(LevelDebug, "%s from %q had no msg_id: no reply", req.typ, req.to)
		return false
	}
	if age := n.cfg.Now().Sub(req.arrived); age > n.cfg.ClientReplyDeadline {
		n.logf(LevelWarn, "reply to %s msg_id %d from %q suppressed: %v after the request (deadline %v); the client has given up", req.typ, req.msgID, req.to, age, n.cfg.ClientReplyDeadline)
		return false
	}
	return true
}

// replyOK answers req with a body of exactly type and in_reply_to.
func (n *Node) replyOK(req clientReq, typ string) {
	if !n.replyAllowed(req) {
		return
	}
	line := n.beginLine(req.from, req.to, 0)
	if line == nil {
		return
	}
	n.endLine(appendOKBody(line, typ, req.msgID))
}

// replyError answers req with an error reply.
func (n *Node) replyError(req clientReq, code int, text string) {
	n.logf(LevelDebug, "%s from %q msg_id %d: error %d (%s): %s", req.typ, req.to, req.msgID, code, maelstrom.ErrorCodeText(code), text)
	if !n.replyAllowed(req) {
		return
	}
	line := n.beginLine(req.from, req.to, len(text))
	if line == nil {
		return
	}
	n.endLine(appendErrorBody(line, maelstrom.NewRPCError(code, text), req.msgID))
}

// reject answers a bad request with an error, logging exactly one line.
func (n *Node) reject(req clientReq, code int, text string) {
	switch {
	case !req.hasMsgID:
		n.logf(LevelWarn, "%s from %q without msg_id: %s (would be error %d); not answered", req.typ, req.to, text, code)
		return
	case req.from == "":
		n.logf(LevelWarn, "%s from %q msg_id %d: %s (would be error %d); no dest to answer from", req.typ, req.to, req.msgID, text, code)
		return
	}
	n.logf(LevelWarn, "%s from %q msg_id %d: error %d (%s): %s", req.typ, req.to, req.msgID, code, maelstrom.ErrorCodeText(code), text)
	if age := n.cfg.Now().Sub(req.arrived); age > n.cfg.ClientReplyDeadline {
		return // late: replyAllowed would log a second line
	}
	line := n.beginLine(req.from, req.to, len(text))
	if line == nil {
		return
	}
	n.endLine(appendErrorBody(line, maelstrom.NewRPCError(code, text), req.msgID))
}

// errUnaddressable reports a destination this node must never write to.
var errUnaddressable = errors.New("node: destination is neither a client nor in node_ids")

// beginLine starts an outbound line from src to dest, up to the body, with
// room for a body of about bodySize bytes; nil if dest may not be
// addressed (logged).
func (n *Node) beginLine(src, dest string, bodySize int) []byte {
	if !n.mayAddress(dest) {
		n.logf(LevelWarn, "message to %q dropped: %v", dest, errUnaddressable)
		return nil
	}
	line := make([]byte, 0, 96+len(src)+len(dest)+bodySize)
	return appendEnvelopeHead(line, src, dest)
}

// endLine closes the envelope and queues the line for the writer.
func (n *Node) endLine(line []byte) {
	n.out <- appendEnvelopeTail(line)
}
