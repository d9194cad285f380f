package node

import (
	"fmt"
	"slices"
	"time"

	"broadcast/store"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// This file holds the rule "acknowledge only what is durable": a value is
// acknowledged, and shown in reads, only once the store.Log has fsynced
// it; a read waits for the values received before it; a store failure
// degrades the node for good (doc.go, "Durability and acknowledgement
// order"). Everything here runs on the owner goroutine.

// Log is what the node needs from its durable value log: the method set of
// *store.Log. Every method but Close is called from the owner goroutine.
type Log interface {
	// Recovered returns the values found at open, ascending.
	Recovered() []int64
	// Restarted reports whether the directory held a log before open.
	Restarted() bool
	// Append queues values and returns their sequence number.
	Append(values []int64) uint64
	// Notify is signalled when DurableSeq or Err changes.
	Notify() <-chan struct{}
	// DurableSeq is the highest sequence number on disk and fsynced.
	DurableSeq() uint64
	// Err is the sticky first write, fsync or snapshot failure.
	Err() error
	// Close flushes what was appended and stops the writer; safe twice.
	Close() error
}

var _ Log = (*store.Log)(nil)

// pendingBatch is one Append not yet covered by DurableSeq: its values
// become visible, and its acks and reads are answered, when it is.
type pendingBatch struct {
	seq    uint64
	values []int64
	acks   []clientReq // broadcasts to acknowledge when durable
	// reads arrived while this was the newest pending batch: they are
	// answered once it is durable, so that a read shows every value the
	// node received before it.
	reads []clientReq
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
	i := n.pendingBatchOf(v)
	if i < 0 {
		// The core knew v, yet v is neither durable nor in the log: should
		// not happen; make it durable rather than ack without it.
		n.logf(LevelWarn, "broadcast %d: known to the core but not in the store; appending it", v)
		n.persist([]int64{v})
		if st.logFailed || st.visible.Has(v) {
			n.handleBroadcastDone(v, req)
			return
		}
		if i = n.pendingBatchOf(v); i < 0 {
			panic(fmt.Sprintf("node: value %d was just appended, yet is not pending", v))
		}
	}
	seq := st.pending[i].seq
	st.pending[i].acks = append(st.pending[i].acks, req)
	n.logf(LevelDebug, "broadcast %d: new=%v, ack waits for seq %d", v, isNew, seq)
}

// pendingBatchOf returns the index in pending of the batch holding v, or
// -1. It searches the newest batch first: a client's value is in the batch
// appended just before the search. A scan rather than an index by value:
// an index would keep the size of the largest burst for good.
func (n *Node) pendingBatchOf(v int64) int {
	for i := len(n.st.pending) - 1; i >= 0; i-- {
		if slices.Contains(n.st.pending[i].values, v) {
			return i
		}
	}
	return -1
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
		n.logf(LevelDebug, "read from %q waits for seq %d to be durable (%d values pending)", req.to, st.pending[k-1].seq, st.pendingValues)
		st.pending[k-1].reads = append(st.pending[k-1].reads, req)
		return
	}
	n.answerRead(req)
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
	st.pendingValues = 0
	for _, r := range reads {
		n.answerRead(r) // reads serve memory from now on
	}
	n.logf(LevelError, "disk failure: %v; %d pending broadcasts failed (13), new broadcasts refused (11), reads serve memory", cause, failed)
}

// persist makes values durable (or visible at once without a store).
func (n *Node) persist(values []int64) {
	st := &n.st
	if st.memOnly || st.logFailed || st.log == nil {
		n.addVisible(values)
		return
	}
	vs := append([]int64(nil), values...)
	seq := st.log.Append(vs)
	st.pending = append(st.pending, pendingBatch{seq: seq, values: vs})
	st.pendingValues += len(vs)
	n.processDurable()
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
		st.pendingValues -= len(b.values)
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
			st.reads.noteAdded(v)
		}
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
