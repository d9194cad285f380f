package node

// All JSON of the node lives in this file: decoding the Maelstrom envelope
// and every body type, encoding every reply and every gossip message.
//
// Inbound lines are decoded once into an inMsg; the event loop never sees
// JSON. Outbound bodies are appended by hand (no reflection) and checked
// against encoding/json by the fuzz targets in wire_test.go.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"broadcast/gossip"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// Message types on the wire. Client RPCs are Maelstrom's; gossip types are
// ours, one per gossip.Kind (ONLY APPEND, like gossip.Kind).
const (
	typeInit        = "init"
	typeInitOK      = "init_ok"
	typeTopology    = "topology"
	typeTopologyOK  = "topology_ok"
	typeBroadcast   = "broadcast"
	typeBroadcastOK = "broadcast_ok"
	typeRead        = "read"
	typeReadOK      = "read_ok"
	typeError       = "error"
)

// gossipTypePrefix starts every gossip wire type.
const gossipTypePrefix = "gossip_"

// typeGossipBatch is a compound gossip message: several gossip bodies for
// one peer, sent as one message (see batch.go). It has the gossip prefix,
// so a peer that does not know it drops it as gossip, never answers it.
const typeGossipBatch = "gossip_batch"

// gossipTypes maps a gossip.Kind to its wire type (index = Kind).
var gossipTypes = [...]string{
	gossip.KindPush:       "gossip_push",
	gossip.KindSync:       "gossip_sync",
	gossip.KindSyncReply:  "gossip_sync_reply",
	gossip.KindSyncValues: "gossip_sync_values",
	gossip.KindHello:      "gossip_hello",
}

// gossipKindOf returns the Kind of a gossip wire type.
func gossipKindOf(typ string) (gossip.Kind, bool) {
	for k, name := range gossipTypes {
		if name != "" && name == typ {
			return gossip.Kind(k), true
		}
	}
	return 0, false
}

// msgKind is what an inbound message is, as far as the loop is concerned.
type msgKind uint8

const (
	kindUnknown   msgKind = iota // a body type we do not serve
	kindReply                    // carries in_reply_to: never a request
	kindInit                     // init
	kindTopology                 // topology
	kindBroadcast                // broadcast
	kindRead                     // read
	kindGossip                   // one of our gossip_* types
)

// inMsg is one decoded inbound message.
type inMsg struct {
	Src, Dest string
	// NetID is the envelope "id" Maelstrom stamps on every delivery.
	NetID    int64
	HasNetID bool
	Type     string
	Kind     msgKind
	// MsgID is the request's msg_id; HasMsgID is false when it is absent.
	// BadMsgID is set when msg_id is present but not an int64: no reply
	// can be addressed to such a request.
	MsgID    int64
	HasMsgID bool
	BadMsgID bool
	// InReplyTo is the raw in_reply_to text of a reply (for logs).
	InReplyTo string
	// Err is a field error of a known type (missing or wrongly typed
	// field): answered with malformed-request.
	Err error

	NodeID   string              // init
	NodeIDs  []string            // init
	Topology map[string][]string // topology
	Value    int64               // broadcast
	Gossip   gossip.Message      // gossip_*
	// Batch holds the well-formed messages of a gossip_batch, in order
	// (Gossip is unused then); Err, if set, reports the malformed ones,
	// which are left out.
	Batch []gossip.Message
}

// inEnvelope is the envelope as Maelstrom delivers it: the library's
// Message (src, dest, raw body) plus the network's "id".
type inEnvelope struct {
	maelstrom.Message
	ID json.RawMessage `json:"id"`
}

// inBody holds every body key any inbound type uses, undecoded, so that
// each field is checked for its own type and reported by name.
type inBody struct {
	Type      json.RawMessage `json:"type"`
	MsgID     json.RawMessage `json:"msg_id"`
	InReplyTo json.RawMessage `json:"in_reply_to"`

	NodeID   json.RawMessage `json:"node_id"`
	NodeIDs  json.RawMessage `json:"node_ids"`
	Topology json.RawMessage `json:"topology"`
	Message  json.RawMessage `json:"message"`

	Values      json.RawMessage `json:"values"`
	Root        json.RawMessage `json:"root"`
	Digests     json.RawMessage `json:"digests"`
	Buckets     json.RawMessage `json:"buckets"`
	Count       json.RawMessage `json:"count"`
	Incarnation json.RawMessage `json:"incarnation"`
	Round       json.RawMessage `json:"round"`
	Ack         json.RawMessage `json:"ack"`
	Direct      json.RawMessage `json:"direct"`
	Msgs        json.RawMessage `json:"msgs"`
}

var (
	// errNotInteger reports a JSON value that is not an integer literal in
	// int64 range.
	errNotInteger = errors.New("not an integer in int64 range")
	// errMissing reports an absent or null field.
	errMissing = errors.New("missing")
)

// decodeLine decodes one inbound line. An error means the line is not a
// usable envelope at all (invalid JSON, body not an object, src or dest not
// strings): nothing can be answered. Field errors of a known body type
// are reported in inMsg.Err instead.
func decodeLine(line []byte) (inMsg, error) {
	if t := bytes.TrimSpace(line); len(t) == 0 || t[0] != '{' {
		return inMsg{}, errors.New("decode envelope: not a JSON object")
	}
	var env inEnvelope
	if err := json.Unmarshal(line, &env); err != nil {
		return inMsg{}, fmt.Errorf("decode envelope: %w", err)
	}
	m := inMsg{Src: env.Src, Dest: env.Dest}
	if id, err := parseInt(env.ID); err == nil {
		m.NetID, m.HasNetID = id, true
	}
	var b inBody
	if body := bytes.TrimSpace(env.Body); len(body) > 0 && !bytes.Equal(body, nullJSON) {
		if err := json.Unmarshal(body, &b); err != nil {
			return inMsg{}, fmt.Errorf("decode body: %w", err)
		}
	}
	if len(b.InReplyTo) > 0 {
		// Present, even as 0 or null: a reply, never a request.
		m.Kind = kindReply
		m.InReplyTo = string(b.InReplyTo)
	}
	if !isAbsent(b.MsgID) {
		if id, err := parseInt(b.MsgID); err == nil {
			m.MsgID, m.HasMsgID = id, true
		} else {
			m.BadMsgID = true
		}
	}
	if isAbsent(b.Type) {
		if m.Kind != kindReply {
			m.Err = fmt.Errorf("type: %w", errMissing)
		}
		return m, nil
	}
	{
		if err := json.Unmarshal(b.Type, &m.Type); err != nil {
			m.Type = string(b.Type)
			if m.Kind != kindReply {
				m.Err = fmt.Errorf("type: %w", err)
			}
			return m, nil
		}
	}
	if m.Kind == kindReply {
		return m, nil
	}
	switch m.Type {
	case typeInit:
		m.Kind = kindInit
		m.Err = decodeInit(&b, &m)
	case typeTopology:
		m.Kind = kindTopology
		m.Err = decodeTopology(&b, &m)
	case typeBroadcast:
		m.Kind = kindBroadcast
		v, err := parseInt(b.Message)
		if err != nil {
			m.Err = fmt.Errorf("message %s: %w", abbrev(b.Message), err)
		}
		m.Value = v
	case typeRead:
		m.Kind = kindRead
	case typeGossipBatch:
		m.Kind = kindGossip
		m.Batch, m.Err = decodeGossipBatch(b.Msgs)
	default:
		if k, ok := gossipKindOf(m.Type); ok {
			m.Kind = kindGossip
			m.Gossip.Kind = k
			m.Err = decodeGossip(&b, &m.Gossip)
		} else if strings.HasPrefix(m.Type, gossipTypePrefix) {
			// A gossip type from a newer peer: still gossip, so never
			// answered, only logged and dropped.
			m.Kind = kindGossip
			m.Err = fmt.Errorf("unknown gossip type %q", m.Type)
		}
	}
	return m, nil
}

var nullJSON = []byte("null")

func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(raw, nullJSON)
}

// parseInt accepts only a JSON integer literal in int64 range: 3.5, "3",
// 1e400, 1e3 and 2^63 are all rejected.
func parseInt(raw json.RawMessage) (int64, error) {
	if isAbsent(raw) {
		return 0, errMissing
	}
	s := string(bytes.TrimSpace(raw))
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && !(c == '-' && i == 0) {
			return 0, errNotInteger
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errNotInteger
	}
	return v, nil
}

func decodeInit(b *inBody, m *inMsg) error {
	if isAbsent(b.NodeID) {
		return fmt.Errorf("node_id: %w", errMissing)
	}
	if err := json.Unmarshal(b.NodeID, &m.NodeID); err != nil || m.NodeID == "" {
		return fmt.Errorf("node_id %s: not a non-empty string", abbrev(b.NodeID))
	}
	if isAbsent(b.NodeIDs) {
		return fmt.Errorf("node_ids: %w", errMissing)
	}
	if err := json.Unmarshal(b.NodeIDs, &m.NodeIDs); err != nil {
		return fmt.Errorf("node_ids %s: not an array of strings", abbrev(b.NodeIDs))
	}
	seen := make(map[string]bool, len(m.NodeIDs))
	for _, id := range m.NodeIDs {
		if id == "" || seen[id] {
			return fmt.Errorf("node_ids: empty or repeated id %q", id)
		}
		seen[id] = true
	}
	if !seen[m.NodeID] {
		return fmt.Errorf("node_ids %v does not contain node_id %q", m.NodeIDs, m.NodeID)
	}
	return nil
}

func decodeTopology(b *inBody, m *inMsg) error {
	if isAbsent(b.Topology) {
		return fmt.Errorf("topology: %w", errMissing)
	}
	// A null neighbour list would decode as nil; reject it like any other
	// non-array by decoding to raw values first.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b.Topology, &raw); err != nil {
		return fmt.Errorf("topology %s: not an object", abbrev(b.Topology))
	}
	topo := make(map[string][]string, len(raw))
	for k, v := range raw {
		var ns []string
		if isAbsent(v) || json.Unmarshal(v, &ns) != nil {
			return fmt.Errorf("topology[%q] %s: not an array of strings", k, abbrev(v))
		}
		if ns == nil {
			ns = []string{}
		}
		topo[k] = ns
	}
	m.Topology = topo
	return nil
}

func decodeGossip(b *inBody, g *gossip.Message) error {
	fields := []struct {
		name string
		raw  json.RawMessage
		dst  any
	}{
		{"values", b.Values, &g.Values},
		{"root", b.Root, &g.Root},
		{"digests", b.Digests, &g.Digests},
		{"buckets", b.Buckets, &g.Buckets},
		{"count", b.Count, &g.Count},
		{"incarnation", b.Incarnation, &g.Incarnation},
		{"round", b.Round, &g.Round},
		{"ack", b.Ack, &g.Ack},
		{"direct", b.Direct, &g.Direct},
	}
	for _, f := range fields {
		if isAbsent(f.raw) {
			continue
		}
		if err := json.Unmarshal(f.raw, f.dst); err != nil {
			return fmt.Errorf("%s %s: %w", f.name, abbrev(f.raw), err)
		}
	}
	return nil
}

// decodeGossipBatch decodes the msgs of a gossip_batch: an array of
// gossip bodies, none of them a batch. It returns the well-formed ones in
// order, and an error naming the first malformed one (and how many there
// were), or the array itself if it is not one.
func decodeGossipBatch(raw json.RawMessage) ([]gossip.Message, error) {
	if isAbsent(raw) {
		return nil, fmt.Errorf("msgs: %w", errMissing)
	}
	var bodies []json.RawMessage
	if err := json.Unmarshal(raw, &bodies); err != nil {
		return nil, fmt.Errorf("msgs %s: %w", abbrev(raw), err)
	}
	msgs := make([]gossip.Message, 0, len(bodies))
	var first error
	bad := 0
	for i, body := range bodies {
		g, err := decodeBatchedGossip(body)
		if err != nil {
			if first == nil {
				first = fmt.Errorf("msgs[%d]: %w", i, err)
			}
			bad++
			continue
		}
		msgs = append(msgs, g)
	}
	if bad > 0 {
		return msgs, fmt.Errorf("%d of %d batched messages malformed, first %w", bad, len(bodies), first)
	}
	return msgs, nil
}

// decodeBatchedGossip decodes one body of a gossip_batch.
func decodeBatchedGossip(body json.RawMessage) (gossip.Message, error) {
	var g gossip.Message
	var b inBody
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return g, errors.New("not a JSON object")
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return g, err
	}
	var typ string
	if isAbsent(b.Type) {
		return g, fmt.Errorf("type: %w", errMissing)
	}
	if err := json.Unmarshal(b.Type, &typ); err != nil {
		return g, fmt.Errorf("type %s: %w", abbrev(b.Type), err)
	}
	k, ok := gossipKindOf(typ)
	if !ok {
		return g, fmt.Errorf("type %q is not a gossip message that may be batched", typ)
	}
	g.Kind = k
	return g, decodeGossip(&b, &g)
}

// abbrev shortens a raw value for a log line.
func abbrev(raw []byte) string {
	const max = 64
	if len(raw) == 0 {
		return "(absent)"
	}
	if len(raw) <= max {
		return string(raw)
	}
	return string(raw[:max]) + fmt.Sprintf("...(%d bytes)", len(raw))
}

// appendEnvelopeHead appends {"src":src,"dest":dest,"body": to dst; the
// body and appendEnvelopeTail follow.
func appendEnvelopeHead(dst []byte, src, dest string) []byte {
	dst = append(dst, `{"src":`...)
	dst = appendString(dst, src)
	dst = append(dst, `,"dest":`...)
	dst = appendString(dst, dest)
	return append(dst, `,"body":`...)
}

// appendEnvelopeTail closes an envelope begun by appendEnvelopeHead.
func appendEnvelopeTail(dst []byte) []byte { return append(dst, '}') }

// appendOKBody appends a reply body with exactly type and in_reply_to
// (init_ok, topology_ok, broadcast_ok: Maelstrom's closed schemas).
func appendOKBody(dst []byte, typ string, inReplyTo int64) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendString(dst, typ)
	dst = append(dst, `,"in_reply_to":`...)
	dst = strconv.AppendInt(dst, inReplyTo, 10)
	return append(dst, '}')
}

// appendReadOKBody appends {"type":"read_ok","messages":messages,"in_reply_to":n};
// messages is an already encoded JSON array (see appendIntSeq).
func appendReadOKBody(dst []byte, messages []byte, inReplyTo int64) []byte {
	dst = appendReadOKHead(dst)
	dst = append(dst, messages...)
	return appendReadOKTail(dst, inReplyTo)
}

// appendReadOKHead appends the part of a read_ok body before its messages.
func appendReadOKHead(dst []byte) []byte {
	return append(dst, `{"type":"read_ok","messages":`...)
}

// appendReadOKTail appends the part of a read_ok body after its messages.
func appendReadOKTail(dst []byte, inReplyTo int64) []byte {
	dst = append(dst, `,"in_reply_to":`...)
	dst = strconv.AppendInt(dst, inReplyTo, 10)
	return append(dst, '}')
}

// appendErrorBody appends an error reply for e: type, in_reply_to, code
// (always present, even 0) and text.
func appendErrorBody(dst []byte, e *maelstrom.RPCError, inReplyTo int64) []byte {
	dst = append(dst, `{"type":"error","in_reply_to":`...)
	dst = strconv.AppendInt(dst, inReplyTo, 10)
	dst = append(dst, `,"code":`...)
	dst = strconv.AppendInt(dst, int64(e.Code), 10)
	dst = append(dst, `,"text":`...)
	dst = appendString(dst, e.Text)
	return append(dst, '}')
}

// appendInts appends vs as a JSON array; nil gives [].
func appendInts(dst []byte, vs []int64) []byte {
	return appendIntSeq(dst, slices.Values(vs))
}

// appendIntSeq appends the values of vs as a JSON array, in one pass.
func appendIntSeq(dst []byte, vs iter.Seq[int64]) []byte {
	dst = append(dst, '[')
	first := true
	for v := range vs {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = strconv.AppendInt(dst, v, 10)
	}
	return append(dst, ']')
}

// appendGossipBody appends the body of a gossip message: its type and the
// fields its kind uses (zero fields are left out). No msg_id, no
// in_reply_to: gossip is fire-and-forget.
func appendGossipBody(dst []byte, g *gossip.Message) ([]byte, error) {
	if int(g.Kind) >= len(gossipTypes) || gossipTypes[g.Kind] == "" {
		return dst, fmt.Errorf("node: gossip kind %d has no wire name", g.Kind)
	}
	dst = append(dst, `{"type":`...)
	dst = appendString(dst, gossipTypes[g.Kind])
	if g.Values != nil {
		dst = append(dst, `,"values":`...)
		dst = appendInts(dst, g.Values)
	}
	if g.Root != nil {
		dst = append(dst, `,"root":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, g.Root)
		dst = append(dst, '"')
	}
	if g.Digests != nil {
		dst = append(dst, `,"digests":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, g.Digests)
		dst = append(dst, '"')
	}
	if g.Buckets != nil {
		dst = append(dst, `,"buckets":[`...)
		for i, b := range g.Buckets {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, int64(b), 10)
		}
		dst = append(dst, ']')
	}
	if g.Count != 0 {
		dst = append(dst, `,"count":`...)
		dst = strconv.AppendInt(dst, int64(g.Count), 10)
	}
	if g.Incarnation != "" {
		dst = append(dst, `,"incarnation":`...)
		dst = appendString(dst, g.Incarnation)
	}
	if g.Round != 0 {
		dst = append(dst, `,"round":`...)
		dst = strconv.AppendUint(dst, g.Round, 10)
	}
	if g.Ack != 0 {
		dst = append(dst, `,"ack":`...)
		dst = strconv.AppendUint(dst, g.Ack, 10)
	}
	if g.Direct {
		dst = append(dst, `,"direct":true`...)
	}
	return append(dst, '}'), nil
}

// appendGossipBatchBody appends the body of a gossip_batch of the
// messages of msgs (envelopes for one peer):
// {"type":"gossip_batch","msgs":[body,...]}, each body as
// appendGossipBody writes it.
func appendGossipBatchBody(dst []byte, msgs []gossip.Envelope) ([]byte, error) {
	dst = append(dst, `{"type":"`+typeGossipBatch+`","msgs":[`...)
	for i := range msgs {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendGossipBody(dst, &msgs[i].Msg); err != nil {
			return dst, err
		}
	}
	return append(dst, ']', '}'), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped the way encoding/json
// does it (invalid UTF-8 bytes become U+FFFD; U+2028 and U+2029 escaped),
// except that <, > and & are left as they are.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// gossipSizeHint estimates the encoded size of g's body in bytes.
func gossipSizeHint(g *gossip.Message) int {
	return 128 + 21*len(g.Values) + 4*(len(g.Root)+len(g.Digests)+2)/3 + 6*len(g.Buckets) + len(g.Incarnation)
}
