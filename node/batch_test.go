package node

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"broadcast/gossip"
)

// Rule: a gossip_batch decodes to its messages in order; a malformed part
// (not an object, a nested batch, a type that is not gossip, a bad field)
// is left out and reported, and the rest still count; a batch with no
// msgs array is malformed as a whole.
func TestGossipBatchDecode(t *testing.T) {
	msgs := []gossip.Message{
		{Kind: gossip.KindPush, Values: []int64{1, 2}, Round: 3, Direct: true},
		{Kind: gossip.KindPush, Ack: 7, Count: -4, Direct: true},
		{Kind: gossip.KindSync, Root: []byte{1}, Round: 2},
	}
	if m := batchRoundTrip(t, msgs); m.Kind != kindGossip || m.Type != typeGossipBatch || m.Err != nil || !reflect.DeepEqual(m.Batch, msgs) {
		t.Fatalf("batch round trip: kind %d type %q field err %v\n got %+v\nwant %+v", m.Kind, m.Type, m.Err, m.Batch, msgs)
	}
	for _, c := range []struct {
		body string
		good int
	}{
		{`{"type":"gossip_batch","msgs":[{"type":"gossip_push","values":[5]},3,{"type":"gossip_batch","msgs":[]},{"type":"broadcast","message":1},{"type":"gossip_push","ack":-1},{"type":"gossip_push","ack":1}]}`, 2},
		{`{"type":"gossip_batch","msgs":{}}`, 0},
		{`{"type":"gossip_batch"}`, 0},
		{`{"type":"gossip_batch","msgs":[]}`, 0},
	} {
		line := appendEnvelopeTail(append(appendEnvelopeHead(nil, "n2", "n1"), c.body...))
		m, err := decodeLine([]byte(line))
		if err != nil || m.Kind != kindGossip || len(m.Batch) != c.good {
			t.Errorf("%s: err %v kind %d, %d messages kept; want %d", c.body, err, m.Kind, len(m.Batch), c.good)
		}
		if wantErr := c.body != `{"type":"gossip_batch","msgs":[]}`; (m.Err != nil) != wantErr {
			t.Errorf("%s: field error %v, want one: %v", c.body, m.Err, wantErr)
		}
	}
}

// batchRoundTrip encodes msgs as a gossip_batch line from n2, checks that
// it is valid JSON, and decodes it.
func batchRoundTrip(t testing.TB, msgs []gossip.Message) inMsg {
	t.Helper()
	var envs []gossip.Envelope
	for _, m := range msgs {
		envs = append(envs, gossip.Envelope{To: "n1", Msg: m})
	}
	body, err := appendGossipBatchBody(nil, envs)
	if err != nil {
		t.Fatal(err)
	}
	line := appendEnvelopeTail(append(appendEnvelopeHead(nil, "n2", "n1"), body...))
	if !json.Valid(line) {
		t.Fatalf("invalid batch JSON: %s", line)
	}
	m, err := decodeLine(line)
	if err != nil {
		t.Fatalf("decode %s: %v", line, err)
	}
	return m
}

// Rule: packBatches keeps the order and cuts a peer's messages into runs
// within the size bound, a message over it alone.
func TestPackBatches(t *testing.T) {
	small := gossip.Envelope{To: "n2", Msg: gossip.Message{Kind: gossip.KindPush, Ack: 1}}
	big := gossip.Envelope{To: "n2", Msg: gossip.Message{Kind: gossip.KindPush, Values: make([]int64, 100)}}
	s, b := gossipSizeHint(&small.Msg), gossipSizeHint(&big.Msg)
	msgs := []gossip.Envelope{small, small, big, small}
	for i := range msgs {
		msgs[i].Msg.Round = uint64(i + 1)
	}
	runs := packBatches(msgs, 2*s+b-1)
	var lens []int
	var order []uint64
	for _, r := range runs {
		lens = append(lens, len(r))
		for _, m := range r {
			order = append(order, m.Msg.Round)
		}
	}
	if !slices.Equal(lens, []int{2, 2}) || !slices.Equal(order, []uint64{1, 2, 3, 4}) {
		t.Fatalf("runs of %v, order %v; want [2 2], [1 2 3 4]", lens, order)
	}
	if runs := packBatches([]gossip.Envelope{big}, 1); len(runs) != 1 || len(runs[0]) != 1 {
		t.Fatalf("one message over the bound: %d runs, want 1 of 1", len(runs))
	}
	if runs := packBatches(nil, 100); len(runs) != 0 {
		t.Fatalf("no messages: %d runs", len(runs))
	}
}

// Rule: the node steps every message of a batch, in order, and what the
// core sends a peer in answer to them in one Ready goes as one
// gossip_batch; a malformed part is logged and the rest still count.
func TestNodeGossipBatch(t *testing.T) {
	h := newHarness(t, nil)
	h.init("n0", "n1", "n2")
	mark := len(h.peer)
	// Two probes (numbered empty uploads asking for an acknowledgement)
	// and a value: two acknowledgements to n2.
	h.send(`{"src":"n2","dest":"n1","body":{"type":"gossip_batch","msgs":[{"type":"gossip_push","round":1,"count":1},{"type":"gossip_push","values":[9],"direct":true},{"type":"gossip_push","round":2,"count":1}]}}`)
	h.barrier()
	if got := h.flog.appendedValues(); !slices.Equal(got, []int64{9}) {
		t.Fatalf("appended %v after a batch with 9, want [9]", got)
	}
	h.flog.syncAll()
	if got := h.read(); !slices.Contains(got, 9) {
		t.Fatalf("read %v after a batch with 9", got)
	}
	var toN2 []string
	for _, l := range h.peer[mark:] {
		if strings.Contains(l, `"dest":"n2"`) {
			toN2 = append(toN2, l)
		}
	}
	if len(toN2) != 1 || !strings.Contains(toN2[0], `"type":"gossip_batch"`) {
		t.Fatalf("to n2 after its batch: %q, want one gossip_batch", toN2)
	}
	m, err := decodeLine([]byte(toN2[0]))
	if err != nil || m.Err != nil || len(m.Batch) != 2 || m.Batch[0].Ack != 1 || m.Batch[1].Ack != 2 {
		t.Fatalf("the answer %s: %+v (err %v, %v); want acknowledgements 1 and 2", toN2[0], m.Batch, err, m.Err)
	}
	logMark := h.logs.len()
	h.send(`{"src":"n2","dest":"n1","body":{"type":"gossip_batch","msgs":[{"type":"read"},{"type":"gossip_push","values":[11],"direct":true}]}}`)
	h.barrier()
	h.flog.syncAll()
	if got := h.read(); !slices.Contains(got, 11) {
		t.Fatalf("read %v after a batch with a malformed part and 11", got)
	}
	if logs := strings.Join(h.logs.since(logMark), "\n"); !strings.Contains(logs, "malformed part of gossip_batch") {
		t.Fatalf("no warning for the malformed part; log:\n%s", logs)
	}
}
