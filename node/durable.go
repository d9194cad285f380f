package node

import "broadcast/store"

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
