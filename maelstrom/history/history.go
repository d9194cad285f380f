// Package history holds what one bench run records, in the shape the
// checker and the plots read: the operation history (Jepsen's), the network
// counters, and a few time series. It is the contract between the bench's
// runtime (which writes it) and its analysis (checker, results, plots).
//
// During a run ops are not kept: the recorder hands each op, in index
// order, to its Observers (the history files, the online checker, and any
// other consumer) and forgets it. A read completion's value is a
// *ReadValue, indexed for membership and counting.
package history

import "encoding/json"

// Type is an operation's type, as in Jepsen.
type Type string

// Operation types.
const (
	Invoke Type = "invoke"
	OK     Type = "ok"
	Fail   Type = "fail"
	Info   Type = "info"
)

// NemesisProcess is the Process of nemesis operations (Jepsen's :nemesis).
const NemesisProcess = -1

// Op is one history entry: an invocation or a completion.
type Op struct {
	// Index is the position in the history, from 0.
	Index int `json:"index"`
	// Time is nanoseconds since the run's relative clock started. An
	// invocation carries the time it was scheduled for; a completion the
	// time it was collected.
	Time int64 `json:"time"`
	Type Type  `json:"type"`
	// Process is the worker's process id, or NemesisProcess.
	Process int `json:"process"`
	// F is broadcast, read, or a nemesis function (start-partition,
	// stop-partition, kill, start, kill-all, start-all, pause, resume).
	F string `json:"f"`
	// Value: for a broadcast, the value as an int64 (invoke and
	// completion); for a read completion, the messages array as a
	// *ReadValue (the JSON text as received, so 3 and 3.0 stay different,
	// plus an index; hand-built histories may hold []json.RawMessage
	// instead, see ReadValueOf); for a nemesis op, a description (shape,
	// isolated map, node name).
	Value any `json:"value,omitempty"`
	// Error is set on fail/info: "net-timeout", or [name, text] for an
	// error reply, or "indeterminate: <message>" for a malformed reply.
	Error any `json:"error,omitempty"`
	// Exception names the exception class for malformed replies (Maelstrom's
	// :exception), empty otherwise.
	Exception string `json:"exception,omitempty"`
	// Final marks the final reads.
	Final bool `json:"final,omitempty"`
	// Node is the server the worker talks to (bench extension; not in Jepsen).
	Node string `json:"node,omitempty"`
}

// ReadValues returns a read completion's messages as raw JSON elements, in
// the order received, or nil if the op is not a read completion with a
// value. It copies every element: observers should use Read instead.
func (o Op) ReadValues() []json.RawMessage {
	if v, ok := o.Value.([]json.RawMessage); ok {
		return v
	}
	r, ok := o.Value.(*ReadValue)
	if !ok || r == nil {
		return nil
	}
	out := make([]json.RawMessage, 0, r.Len())
	r.Each(func(e []byte) { out = append(out, append(json.RawMessage(nil), e...)) })
	return out
}

// Read returns a read completion's messages, indexed (Len, Count, Has,
// Words, EachInt), or nil if the op is not a read completion with a value.
// It converts hand-built values (see ReadValueOf); a recorded op's value is
// returned as is, without copying.
func (o Op) Read() *ReadValue {
	if o.F != "read" || o.Type != OK || o.Process == NemesisProcess {
		return nil
	}
	r, _ := ReadValueOf(o.Value)
	return r
}

// BroadcastValue returns a broadcast's value.
func (o Op) BroadcastValue() (int64, bool) {
	v, ok := o.Value.(int64)
	return v, ok
}

// Counts is one group of Maelstrom's :net statistics.
type Counts struct {
	Send int64 `json:"send-count"`
	Recv int64 `json:"recv-count"`
	Msg  int64 `json:"msg-count"`
}

// Net holds the network counters of a run (Maelstrom's :net groups).
type Net struct {
	All     Counts `json:"all"`
	Clients Counts `json:"clients"`
	Servers Counts `json:"servers"`
}

// Interval is a span of the run during which a fault was active.
type Interval struct {
	// Kind is "partition", "kill", "kill-all" or "pause".
	Kind string `json:"kind"`
	// Start and End are nanoseconds on the run's relative clock; End is the
	// heal or restart time (or the end of the run).
	Start int64 `json:"start"`
	End   int64 `json:"end"`
	// Detail says what the fault was (shape and components, node killed).
	Detail string `json:"detail,omitempty"`
}

// Sample is one bucket of a time series: counts in [Time, Time+width).
type Sample struct {
	Time int64 `json:"time"`
	// ServerMsgs and ClientMsgs count messages sent in the bucket.
	ServerMsgs int64 `json:"server-msgs"`
	ClientMsgs int64 `json:"client-msgs"`
	// Dropped counts server messages dropped (partition or dead node).
	Dropped int64 `json:"dropped"`
}

// Observer consumes a run's ops as they are recorded: every op, in index
// order, once, from one goroutine. Observe must not keep op.Value past the
// call (a read's *ReadValue is dropped after it) and should return quickly:
// the recorder waits for it before the next op.
type Observer interface {
	Observe(op Op)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(op Op)

// Observe calls f(op).
func (f ObserverFunc) Observe(op Op) { f(op) }

// Run is everything a run recorded that analysis needs.
type Run struct {
	// Nodes are the server ids in test order.
	Nodes []string `json:"nodes"`
	// Concurrency is the number of worker threads.
	Concurrency int `json:"concurrency"`
	// Ops is the history, in index order. A run read back from
	// history.json has it; a live run leaves it empty (its ops went to
	// the observers).
	Ops []Op `json:"ops"`
	// Net holds the network counters.
	Net Net `json:"net"`
	// Faults lists fault intervals, in start order.
	Faults []Interval `json:"faults"`
	// Series is the message-rate time series, in SeriesWidth buckets.
	Series      []Sample `json:"series"`
	SeriesWidth int64    `json:"series-width"`
	// Start is the wall-clock start of the run's relative clock, RFC 3339.
	Start string `json:"start"`
}
