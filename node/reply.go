package node

import (
	"errors"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// This file builds and queues the node's outbound lines: client replies
// (with the reply deadline and the never-address-an-unknown-id rule) and
// the read_ok body.

// isClientID reports whether id names a Maelstrom client ("c1", "c42").
func isClientID(id string) bool { return len(id) > 1 && id[0] == 'c' }

// mayAddress reports whether a message to id is safe: Maelstrom stops
// reading a node's output for good after a message to an unregistered id
// (maelstrom/MODEL.md), so only clients and node_ids are ever addressed.
func (n *Node) mayAddress(id string) bool { return isClientID(id) || n.st.peers[id] }

// answerRead replies to a read with every visible value, ascending. The
// messages array comes from the read cache (readcache.go) and is shared,
// not copied, by every read_ok queued until the writer takes it.
func (n *Node) answerRead(req clientReq) {
	st := &n.st
	msgs := st.reads.messages(st.visible)
	n.logf(LevelDebug, "read: %d values (%d more known, not yet durable)", st.visible.Len(), st.pendingValues)
	if !n.replyAllowed(req) {
		return
	}
	line := n.beginLine(req.from, req.to, 0)
	if line == nil {
		return
	}
	line = appendReadOKHead(line)
	head := len(line)
	line = append(line, ']')
	line = appendEnvelopeTail(appendReadOKTail(line, req.msgID))
	n.out <- outLine{head: line[:head:head], shared: msgs, tail: line[head:], to: req.to, latest: n.replyLatest(req)}
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
	n.endReply(appendOKBody(line, typ, req.msgID), req)
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
	n.endReply(appendErrorBody(line, maelstrom.NewRPCError(code, text), req.msgID), req)
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
	n.endReply(appendErrorBody(line, maelstrom.NewRPCError(code, text), req.msgID), req)
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
	n.out <- outLine{head: appendEnvelopeTail(line)}
}

// endReply closes the envelope of a reply to req and queues it.
func (n *Node) endReply(line []byte, req clientReq) {
	n.out <- outLine{head: appendEnvelopeTail(line), to: req.to, latest: n.replyLatest(req)}
}

// replyLatest is the latest time a reply to req may be written.
func (n *Node) replyLatest(req clientReq) time.Time {
	return req.arrived.Add(n.cfg.ClientReplyDeadline)
}

// outLine is one line queued for the writer: head, then shared, then tail.
// shared is read-only and may be shared by many lines (the cached read_ok
// messages); most lines are all head.
// A client reply carries the latest time it may be written (its request's
// arrival plus ClientReplyDeadline): the writer drops it after that, so a
// stop of the process between queueing and writing cannot make it late.
type outLine struct {
	head, shared, tail []byte
	to                 string    // a client reply's dest, for the log
	latest             time.Time // zero: not a client reply
}

// linePartsWriter is implemented by transports that write a line from its
// parts without assembling it first (Stdio).
type linePartsWriter interface {
	writeLineParts(parts ...[]byte) error
}

// writeOut writes one queued line, assembling it in *scratch (owned by the
// writer goroutine) if the transport takes whole lines only.
func (n *Node) writeOut(l outLine, scratch *[]byte) error {
	if l.shared == nil && l.tail == nil {
		return n.tr.WriteLine(l.head)
	}
	if pw, ok := n.tr.(linePartsWriter); ok {
		return pw.writeLineParts(l.head, l.shared, l.tail)
	}
	buf := append(append(append((*scratch)[:0], l.head...), l.shared...), l.tail...)
	err := n.tr.WriteLine(buf)
	if cap(buf) <= 1<<20 {
		*scratch = buf // keep a small buffer only
	}
	return err
}
