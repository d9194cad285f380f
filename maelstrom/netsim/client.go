package netsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// ErrTimeout is returned by Call when no matching reply arrived in time
// (Maelstrom's "Client read timeout", :net-timeout in the history).
var ErrTimeout = errors.New("netsim: client read timeout")

// ErrClosed is returned by Call on a closed client.
var ErrClosed = errors.New("netsim: client is closed")

// Message is a message handed to a client.
type Message struct {
	// ID is the envelope id.
	ID   int64
	Src  string
	Dest string
	// Body is the compact JSON body.
	Body json.RawMessage
}

// Client is one of Maelstrom's synchronous clients (client.clj): one RPC at a
// time, msg_ids 1, 2, 3, ..., replies matched on body.in_reply_to, anything
// else discarded. Not safe for concurrent Calls.
type Client struct {
	n      *Net
	id     string
	quoted []byte

	mu     sync.Mutex // protects inbox, closed
	inbox  []Message
	closed bool
	notify chan struct{}

	lastMsgID int64
}

// OpenClient registers a new client with the next id c0, c1, ... (one
// counter for the whole run; ids are never reused).
func (n *Net) OpenClient() *Client {
	k := n.clientSeq.Add(1) - 1
	id := "c" + strconv.FormatInt(k, 10)
	c := &Client{n: n, id: id, quoted: quote(id), notify: make(chan struct{}, 1)}
	n.regMu.Lock()
	n.register(id, endpoint{cli: c})
	n.regMu.Unlock()
	return c
}

// ID returns the client's id, e.g. "c7".
func (c *Client) ID() string { return c.id }

// Close unregisters the client: later messages addressed to it are "Invalid
// dest" (MODEL.md, "Fatal output"), and messages waiting in its inbox are never received.
func (c *Client) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.inbox = nil
	c.mu.Unlock()
	c.n.regMu.Lock()
	c.n.unregister(c.id)
	c.n.regMu.Unlock()
}

func (c *Client) deliver(m Message) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.inbox = append(c.inbox, m)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// take removes the oldest inbox message, waiting until deadline (relative
// clock ns).
func (c *Client) take(deadline int64) (Message, bool) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		c.mu.Lock()
		if len(c.inbox) > 0 {
			m := c.inbox[0]
			c.inbox[0] = Message{}
			c.inbox = c.inbox[1:]
			c.mu.Unlock()
			return m, true
		}
		closed := c.closed
		c.mu.Unlock()
		if closed {
			return Message{}, false
		}
		wait := time.Duration(deadline - c.n.Now())
		if wait <= 0 {
			return Message{}, false
		}
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		select {
		case <-c.notify:
		case <-timer.C:
		}
	}
}

// Call sends body (a JSON object; msg_id is added) to dest and waits up to
// timeout, counted from the send, for the message whose body.in_reply_to is
// that msg_id as an integer. Other messages are received and discarded
// (MODEL.md, "Replies nobody waits for"). It returns the reply, the msg_id used, and ErrTimeout, an
// ErrInvalidDest error or a marshalling error.
func (c *Client) Call(dest string, body any, timeout time.Duration) (Message, int64, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return Message{}, 0, fmt.Errorf("netsim: marshal request: %w", err)
	}
	if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		return Message{}, 0, fmt.Errorf("netsim: request body %s is not an object", raw)
	}
	c.lastMsgID++
	msgID := c.lastMsgID
	withID := make([]byte, 0, len(raw)+24)
	withID = append(withID, raw[:len(raw)-1]...)
	if len(raw) > 2 {
		withID = append(withID, ',')
	}
	withID = append(withID, `"msg_id":`...)
	withID = strconv.AppendInt(withID, msgID, 10)
	withID = append(withID, '}')

	sentAt := c.n.Now()
	if _, err := c.n.send([]byte(c.id), []byte(dest), withID, nil); err != nil {
		return Message{}, msgID, err
	}
	deadline := sentAt + int64(timeout)
	for {
		m, ok := c.take(deadline)
		if !ok {
			return Message{}, msgID, ErrTimeout
		}
		c.n.clients.recv.Add(1)
		if c.n.cfg.LogRecv {
			c.n.cfg.Logf(":recv {\"id\":%d,\"src\":%q,\"dest\":%q,\"body\":%s}", m.ID, m.Src, m.Dest, m.Body)
		}
		if v, ok := InReplyTo(m.Body); ok && v == msgID {
			return m, msgID, nil
		}
	}
}

// InReplyTo returns body.in_reply_to if it is present and an integer
// literal (1.0 does not match 1, as in Maelstrom).
func InReplyTo(body []byte) (int64, bool) {
	var v int64
	var ok bool
	eachMember(body, func(key, val []byte) {
		if string(key) == "in_reply_to" {
			v, ok = intValue(val)
		}
	})
	return v, ok
}

// Members calls fn for each top-level member of a JSON object body (raw
// values; keys compared case-sensitively, unlike encoding/json). It reports
// false if body is not an object. body must be valid JSON.
func Members(body []byte, fn func(key string, val json.RawMessage)) bool {
	return eachMember(body, func(k, v []byte) { fn(string(k), v) })
}
