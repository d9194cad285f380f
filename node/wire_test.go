package node

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"broadcast/gossip"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// Rule: every gossip kind has a distinct wire name, and names map back.
func TestGossipTypeNames(t *testing.T) {
	seen := map[string]bool{}
	for k := gossip.KindPush; k <= gossip.KindHello; k++ {
		name := gossipTypes[k]
		if name == "" || seen[name] || !strings.HasPrefix(name, "gossip_") {
			t.Fatalf("kind %d: bad wire name %q", k, name)
		}
		seen[name] = true
		if back, ok := gossipKindOf(name); !ok || back != k {
			t.Fatalf("%s maps back to %d", name, back)
		}
	}
	if _, ok := gossipKindOf(""); ok {
		t.Fatal("empty type maps to a kind")
	}
}

// Rule: gossip bodies carry no msg_id and no in_reply_to (fire-and-forget),
// []byte fields are base64, and they decode back to the same message.
func TestGossipRoundTrip(t *testing.T) {
	m := gossip.Message{
		Kind: gossip.KindSyncReply, Values: []int64{-1, 0, 1 << 62}, Root: []byte{1, 2, 3},
		Digests: bytes.Repeat([]byte{0xff}, 16), Buckets: []int{0, 7}, Count: 3,
		Incarnation: "0190-abc", Round: 1<<64 - 1, Ack: 1<<64 - 2, Direct: true,
	}
	b, err := appendGossipBody(nil, &m)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("msg_id")) || bytes.Contains(b, []byte("in_reply_to")) {
		t.Fatalf("gossip body %s carries msg_id or in_reply_to", b)
	}
	if !bytes.Contains(b, []byte(`"root":"AQID"`)) {
		t.Fatalf("root not base64: %s", b)
	}
	got := decodeGossipLine(t, "n2", b)
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, m)
	}
	if _, err := appendGossipBody(nil, &gossip.Message{Kind: 0}); err == nil {
		t.Fatal("kind 0 encoded")
	}
	// An acknowledgement-only push: no values key, and zero fields absent.
	ack := gossip.Message{Kind: gossip.KindPush, Ack: 42}
	b, err = appendGossipBody(nil, &ack)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"gossip_push","ack":42}`; string(b) != want {
		t.Fatalf("ack-only push encodes as %s, want %s", b, want)
	}
	if got := decodeGossipLine(t, "n0", b); !reflect.DeepEqual(got, ack) {
		t.Fatalf("ack-only round trip:\n got %+v\nwant %+v", got, ack)
	}
	direct := gossip.Message{Kind: gossip.KindPush, Values: []int64{5}, Direct: true}
	if b, _ = appendGossipBody(nil, &direct); string(b) != `{"type":"gossip_push","values":[5],"direct":true}` {
		t.Fatalf("direct push encodes as %s", b)
	}
	// A wrongly typed ack or direct is a field error, not a crash.
	for _, body := range []string{`{"type":"gossip_push","ack":-1}`, `{"type":"gossip_push","ack":"1"}`, `{"type":"gossip_push","direct":1}`} {
		line := appendEnvelopeTail(append(appendEnvelopeHead(nil, "n2", "n1"), body...))
		if m, err := decodeLine(line); err != nil || m.Kind != kindGossip || m.Err == nil {
			t.Errorf("%s: decoded without a field error (err %v, kind %d, field err %v)", body, err, m.Kind, m.Err)
		}
	}
}

func decodeGossipLine(t testing.TB, from string, body []byte) gossip.Message {
	t.Helper()
	line := appendEnvelopeTail(append(appendEnvelopeHead(nil, from, "n1"), body...))
	if !json.Valid(line) {
		t.Fatalf("invalid JSON: %s", line)
	}
	m, err := decodeLine(line)
	if err != nil || m.Kind != kindGossip || m.Err != nil {
		t.Fatalf("decode %s: %v kind %d err %v", line, err, m.Kind, m.Err)
	}
	return m.Gossip
}

// Rule: replies encode exactly the keys Maelstrom's schemas allow.
func TestReplyEncoding(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{string(appendOKBody(nil, typeBroadcastOK, 7)), `{"type":"broadcast_ok","in_reply_to":7}`},
		{string(appendReadOKBody(nil, appendInts(nil, nil), 8)), `{"type":"read_ok","messages":[],"in_reply_to":8}`},
		{string(appendReadOKBody(nil, appendInts(nil, []int64{1, -2}), 9)), `{"type":"read_ok","messages":[1,-2],"in_reply_to":9}`},
		{string(appendErrorBody(nil, maelstrom.NewRPCError(maelstrom.MalformedRequest, `bad "x"`), 10)), `{"type":"error","in_reply_to":10,"code":12,"text":"bad \"x\""}`},
		{string(appendEnvelopeTail(append(appendEnvelopeHead(nil, "n1", "c2"), "{}"...))), `{"src":"n1","dest":"c2","body":{}}`},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}

// Rule: message values are JSON integers in int64 range, nothing else.
func TestParseInt(t *testing.T) {
	for raw, ok := range map[string]bool{
		"0": true, "-0": true, "42": true, " 42 ": true, "-9223372036854775808": true, "9223372036854775807": true,
		"9223372036854775808": false, "3.5": false, "3.0": false, `"3"`: false, "1e400": false, "1e3": false,
		"1E3": false, "null": false, "": false, "true": false, "[1]": false, "{}": false, "--1": false, "1-": false,
	} {
		_, err := parseInt(json.RawMessage(raw))
		if (err == nil) != ok {
			t.Errorf("parseInt(%q) err = %v, want ok=%v", raw, err, ok)
		}
	}
}

// FuzzParseInt: on valid JSON, parseInt accepts exactly what encoding/json
// would decode into an int64 (null excepted: json leaves the value alone).
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"1", "-1", "3.5", "1e3", "9223372036854775808", `"3"`, "null", "-0", "0.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) || strings.TrimSpace(s) == "null" {
			return
		}
		v, err := parseInt(json.RawMessage(s))
		var want int64
		jerr := json.Unmarshal([]byte(s), &want)
		if (err == nil) != (jerr == nil) {
			t.Fatalf("%q: parseInt err %v, json err %v", s, err, jerr)
		}
		if err == nil && v != want {
			t.Fatalf("%q: parseInt %d, json %d", s, v, want)
		}
	})
}

// FuzzAppendString: appendString is valid JSON that decodes to what
// encoding/json's own encoding of s decodes to.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "n1", "a\"b\\c", "\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe", "é<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendString(nil, s)
		var a, b string
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("appendString(%q) = %s: %v", s, got, err)
		}
		ref, _ := json.Marshal(s)
		if err := json.Unmarshal(ref, &b); err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Fatalf("appendString(%q) decodes to %q, encoding/json's to %q", s, a, b)
		}
	})
}

// FuzzGossipRoundTrip: every gossip message survives encode and decode.
func FuzzGossipRoundTrip(f *testing.F) {
	f.Add(uint8(1), []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte("root"), []byte("dig"), []byte{1, 2}, 5, "inc", uint64(9), uint64(3), true)
	f.Add(uint8(5), []byte{}, []byte{}, []byte(nil), []byte(nil), 0, "", uint64(0), uint64(0), false)
	f.Add(uint8(0), []byte{}, []byte(nil), []byte(nil), []byte(nil), 0, "", uint64(0), uint64(1<<64-1), false)
	f.Fuzz(func(t *testing.T, kind uint8, vals, root, digests, buckets []byte, count int, inc string, round, ack uint64, direct bool) {
		m := gossip.Message{Kind: gossip.Kind(kind%5 + 1), Count: count, Incarnation: inc, Round: round, Ack: ack, Direct: direct}
		for len(vals) >= 8 {
			m.Values = append(m.Values, int64(binary.LittleEndian.Uint64(vals)))
			vals = vals[8:]
		}
		if len(root) > 0 {
			m.Root = root
		}
		if len(digests) > 0 {
			m.Digests = digests
		}
		for _, b := range buckets {
			m.Buckets = append(m.Buckets, int(b)-128)
		}
		body, err := appendGossipBody(nil, &m)
		if err != nil {
			t.Fatal(err)
		}
		got := decodeGossipLine(t, "n2", body)
		// Strings go through JSON, which turns invalid UTF-8 into U+FFFD.
		var incWant string
		js, _ := json.Marshal(inc)
		json.Unmarshal(js, &incWant)
		m.Incarnation = incWant
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, m)
		}
		// And twice in a batch, with an acknowledgement between.
		batch := []gossip.Message{m, {Kind: gossip.KindPush, Ack: 1}, m}
		if dm := batchRoundTrip(t, batch); dm.Err != nil || !reflect.DeepEqual(dm.Batch, batch) {
			t.Fatalf("batch round trip: %v\n got %+v\nwant %+v", dm.Err, dm.Batch, batch)
		}
	})
}

// FuzzDecodeLine: decodeLine never panics, and what it reports agrees with
// encoding/json's view of the same line.
func FuzzDecodeLine(f *testing.F) {
	for _, s := range []string{
		`{"src":"c1","dest":"n1","body":{"type":"broadcast","message":3,"msg_id":1}}`,
		`{"id":3,"src":"c1","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1","n2"]}}`,
		`{"src":"c1","dest":"n1","body":{"type":"topology","msg_id":1,"topology":{"n1":["n2"]}}}`,
		`{"src":"n2","dest":"n1","body":{"type":"gossip_sync","root":"AQI=","buckets":[1],"round":3}}`,
		`{"src":"n0","dest":"n1","body":{"type":"gossip_push","ack":7}}`,
		`{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":[1,2],"direct":true}}`,
		`{"src":"n2","dest":"n1","body":{"type":"gossip_batch","msgs":[{"type":"gossip_push","ack":7},{"type":"gossip_sync","root":"AQI=","round":3}]}}`,
		`{"src":"n2","dest":"n1","body":{"type":"gossip_batch","msgs":[{"type":"gossip_batch","msgs":[]},1,{"type":"gossip_push","values":[1]}]}}`,
		`{"src":"n2","dest":"n1","body":{"type":"gossip_batch","msgs":null}}`,
		`{"src":"n2","dest":"n1","body":{"type":"broadcast_ok","in_reply_to":0}}`,
		`{"src":"n2","dest":"n1","body":null}`,
		`{"src":"n2","dest":"n1","body":[]}`,
		`[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		m, err := decodeLine(line)
		if err != nil {
			return
		}
		var env struct {
			Src, Dest string
			Body      map[string]json.RawMessage
		}
		if jerr := json.Unmarshal(line, &env); jerr != nil {
			t.Fatalf("decodeLine accepted %q, encoding/json: %v", line, jerr)
		}
		if m.Src != env.Src || m.Dest != env.Dest {
			t.Fatalf("src/dest %q/%q, want %q/%q", m.Src, m.Dest, env.Src, env.Dest)
		}
		switch m.Kind {
		case kindBroadcast:
			if m.Err == nil {
				var v int64
				if err := json.Unmarshal(lookup(env.Body, "message"), &v); err != nil || v != m.Value {
					t.Fatalf("message %d, json says %d (%v)", m.Value, v, err)
				}
			}
		case kindGossip:
			if m.Type == typeGossipBatch {
				// What was kept re-encodes to itself; a clean batch kept
				// every part.
				if len(m.Batch) > 0 {
					if again := batchRoundTrip(t, m.Batch); again.Err != nil || !reflect.DeepEqual(again.Batch, m.Batch) {
						t.Fatalf("batch re-encode: %v\n got %+v\nwant %+v", again.Err, again.Batch, m.Batch)
					}
				}
				if m.Err == nil {
					var parts []json.RawMessage
					if err := json.Unmarshal(lookup(env.Body, "msgs"), &parts); err != nil || len(parts) != len(m.Batch) {
						t.Fatalf("clean batch of %d messages, json says %d parts (%v)", len(m.Batch), len(parts), err)
					}
				}
			} else if m.Err == nil {
				body, err := appendGossipBody(nil, &m.Gossip)
				if err != nil {
					t.Fatal(err)
				}
				if got := decodeGossipLine(t, m.Src, body); !reflect.DeepEqual(got, m.Gossip) {
					t.Fatalf("gossip re-encode:\n got %+v\nwant %+v", got, m.Gossip)
				}
			}
		case kindReply:
			if lookup(env.Body, "in_reply_to") == nil {
				t.Fatalf("reply without in_reply_to: %q", line)
			}
		}
		if m.Kind != kindReply && m.Err == nil && m.Kind != kindUnknown {
			if _, ok := lookupOK(env.Body, "type"); !ok {
				t.Fatalf("typed message without type: %q", line)
			}
		}
	})
}

// lookup finds key in a body the way encoding/json matches struct fields
// (case-insensitively, the last match winning).
func lookup(body map[string]json.RawMessage, key string) json.RawMessage {
	v, _ := lookupOK(body, key)
	return v
}

func lookupOK(body map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	if v, ok := body[key]; ok {
		return v, true
	}
	for k, v := range body {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}
