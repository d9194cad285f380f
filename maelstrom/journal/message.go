package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"

	"broadcast/maelstrom/netsim"
)

// Fate is what became of a message.
type Fate uint8

// Fates.
const (
	// Delivered: handed over at End.
	Delivered Fate = iota + 1
	// Dropped: dropped at End, for Why.
	Dropped
	// InFlight: neither delivered nor dropped when the journal ends (the
	// run ended first, or is still going); End is 0.
	InFlight
)

// Message is one message and its fate.
type Message struct {
	ID         int64
	Src, Dest  string
	Sent, Due  int64
	End        int64
	Fate       Fate
	Why        netsim.DropReason
	Body       []byte // owned by the Message; its first Config.MaxBodyBytes
	BodyBytes  int    // the whole body's length
	IsClient   bool   // src or dest is a client (Maelstrom's c prefix)
	IsError    bool   // the body's type is "error"
	LostBefore int64  // journal events lost just before this message's fate was known
}

// Summary is what Messages saw.
type Summary struct {
	// Messages counts the messages passed to fn.
	Messages int64
	// Lost counts events the writer left out.
	Lost int64
	// Truncated says the file ended inside a record.
	Truncated bool
	// Start and End are the earliest send and the latest event time.
	Start, End int64
}

// Messages reads r to the end and calls fn once per message: when its
// hand-over or drop is read, and for messages still in flight at the end,
// after everything else, in send order. Memory is bounded by the messages
// in flight. A file cut inside a record is not an error (see
// Summary.Truncated); fn's error stops the read and is returned.
func Messages(r *Reader, fn func(Message) error) (Summary, error) {
	var sum Summary
	sum.Start = -1
	open := map[int64]*Message{}
	var lost int64
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			sum.Truncated = true
			break
		}
		if err != nil {
			return sum, err
		}
		if ev.At > sum.End {
			sum.End = ev.At
		}
		switch ev.Kind {
		case Send:
			if sum.Start < 0 || ev.At < sum.Start {
				sum.Start = ev.At
			}
			m := &Message{ID: ev.ID, Src: ev.Src, Dest: ev.Dest, Sent: ev.At, Due: ev.Due,
				Body: append([]byte(nil), ev.Body...), BodyBytes: ev.BodyBytes, Fate: InFlight}
			m.IsClient = isClient(m.Src) || isClient(m.Dest)
			m.IsError = IsErrorBody(m.Body)
			open[ev.ID] = m
		case Deliver, Drop:
			m, ok := open[ev.ID]
			if !ok {
				continue // its send was lost
			}
			delete(open, ev.ID)
			m.End = ev.At
			m.Fate = Delivered
			if ev.Kind == Drop {
				m.Fate, m.Why = Dropped, ev.Why
			}
			m.LostBefore, lost = lost, 0
			sum.Messages++
			if err := fn(*m); err != nil {
				return sum, err
			}
		case Lost:
			lost += ev.Count
			sum.Lost += ev.Count
		}
	}
	rest := make([]*Message, 0, len(open))
	for _, m := range open {
		rest = append(rest, m)
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].ID < rest[j].ID })
	for _, m := range rest {
		sum.Messages++
		if err := fn(*m); err != nil {
			return sum, err
		}
	}
	if sum.Start < 0 {
		sum.Start = 0
	}
	return sum, nil
}

func isClient(id string) bool { return len(id) > 0 && id[0] == 'c' }

// IsErrorBody reports whether a JSON body's top-level "type" is "error".
// The body may be the head of a longer one (the journal keeps
// Config.MaxBodyBytes): then its members are read up to the cut.
func IsErrorBody(body []byte) bool {
	if !json.Valid(body) {
		return headTypeIsError(body)
	}
	isErr := false
	netsim.Members(body, func(k string, v json.RawMessage) {
		if k == "type" && string(v) == `"error"` {
			isErr = true
		}
	})
	return isErr
}

// headTypeIsError reads the top-level members of a JSON object cut short
// and reports whether its "type" member, if it comes before the cut, is
// "error".
func headTypeIsError(head []byte) bool {
	d := json.NewDecoder(bytes.NewReader(head))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return false
		}
		if k == "type" {
			v, err := d.Token()
			return err == nil && v == "error"
		}
		var skip json.RawMessage
		if d.Decode(&skip) != nil {
			return false
		}
	}
	return false
}
