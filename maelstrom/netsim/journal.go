package netsim

// DropReason says why a message was dropped.
type DropReason uint8

// Drop reasons.
const (
	// DropPartition: the receiver's drop table blocked the sender.
	DropPartition DropReason = 1
	// DropDown: the receiver was killed, paused or not yet re-initialised
	// (its state was Down or InitOnly).
	DropDown DropReason = 2
)

// Journal receives every message's life as it happens: one Send per
// accepted message, then at most one Deliver or Drop for it (none if the
// run ended first). Times are nanoseconds on the run's relative clock.
//
// The methods are called from the senders' and the delivery goroutines,
// concurrently, on the network's hot path: they must not block (buffer and
// write elsewhere) and must copy src, dest and body, which alias buffers
// the network reuses.
type Journal interface {
	// Send records message id from src to dest, sent at sent and due at due
	// (sent plus its drawn latency); body is its compact JSON body (nil for
	// an absent or null body).
	Send(id, sent, due int64, src, dest, body []byte)
	// Deliver records the hand-over of message id to its receiver at at.
	Deliver(id, at int64)
	// Drop records that message id was dropped at at.
	Drop(id, at int64, why DropReason)
}
