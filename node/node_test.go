package node

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Rule: every bad input gets the right reply (or none where none is
// possible), exactly one stderr line, and the node keeps answering with its
// state intact (maelstrom/MODEL.md; doc.go, "Bad input never stops the node").
func TestBadInputAfterInit(t *testing.T) {
	h := newHarness(t, nil)
	h.init("n1", "n2")
	h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":1,"message":7}}`)
	h.flog.syncAll()
	if got := h.read(); !slices.Equal(got, []int64{7}) {
		t.Fatalf("setup read = %v, want [7]", got)
	}
	big := strings.Repeat("x", 3<<20)
	cases := []struct {
		name string
		line string
		// reply is the exact expected output line; "" means no output.
		reply string
		logs  int // stderr lines expected at the default level
	}{
		{"invalid JSON", `{"src":"c1",`, "", 1},
		{"not JSON at all", `hello`, "", 1},
		{"JSON array", `[1,2,3]`, "", 1},
		{"JSON null", `null`, "", 1},
		{"body is a number", `{"src":"c1","dest":"n1","body":5}`, "", 1},
		{"src is a number", `{"src":1,"dest":"n1","body":{"type":"read","msg_id":3}}`, "", 1},
		{"unknown type", `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":3}}`,
			`{"src":"n1","dest":"c1","body":{"type":"error","in_reply_to":3,"code":10,"text":"message type \"echo\" is not supported"}}`, 1},
		{"unknown type without msg_id", `{"src":"c1","dest":"n1","body":{"type":"echo"}}`, "", 1},
		{"missing type", `{"src":"c1","dest":"n1","body":{"msg_id":3}}`,
			`{"src":"n1","dest":"c1","body":{"type":"error","in_reply_to":3,"code":12,"text":"malformed message: type: missing"}}`, 1},
		{"type not a string", `{"src":"c1","dest":"n1","body":{"type":5,"msg_id":3}}`, "error 12", 1},
		{"msg_id not an integer", `{"src":"c1","dest":"n1","body":{"type":"read","msg_id":"3"}}`, "", 1},
		{"msg_id null: a request without msg_id", `{"src":"c1","dest":"n1","body":{"type":"read","msg_id":null}}`, "", 0},
		{"msg_id fractional", `{"src":"c1","dest":"n1","body":{"type":"read","msg_id":3.5}}`, "", 1},
		{"broadcast without message", `{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4}}`, "error 12", 1},
		{"message 3.5", `{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":3.5}}`, "error 12", 1},
		{"message string", `{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":"3"}}`, "error 12", 1},
		{"message 1e400", `{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":1e400}}`, "error 12", 1},
		{"message 1e3", `{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":1e3}}`, "error 12", 1},
		{"message beyond int64", `{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":9223372036854775808}}`, "error 12", 1},
		{"message null", `{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":null}}`, "error 12", 1},
		{"message object", `{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":{}}}`, "error 12", 1},
		{"message bool", `{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":true}}`, "error 12", 1},
		{"bad broadcast without msg_id", `{"src":"c1","dest":"n1","body":{"type":"broadcast","message":"x"}}`, "", 1},
		{"topology missing", `{"src":"c1","dest":"n1","body":{"type":"topology","msg_id":5}}`, "error 12", 1},
		{"topology array", `{"src":"c1","dest":"n1","body":{"type":"topology","msg_id":5,"topology":["n1"]}}`, "error 12", 1},
		{"topology value string", `{"src":"c1","dest":"n1","body":{"type":"topology","msg_id":5,"topology":{"n1":"n2"}}}`, "error 12", 1},
		{"topology value numbers", `{"src":"c1","dest":"n1","body":{"type":"topology","msg_id":5,"topology":{"n1":[2]}}}`, "error 12", 1},
		{"topology value null", `{"src":"c1","dest":"n1","body":{"type":"topology","msg_id":5,"topology":{"n1":null}}}`, "error 12", 1},
		{"reply nobody waits for", `{"src":"c1","dest":"n1","body":{"type":"broadcast_ok","in_reply_to":77}}`, "", 1},
		{"in_reply_to 0", `{"src":"n2","dest":"n1","body":{"type":"broadcast_ok","in_reply_to":0}}`, "", 1},
		{"in_reply_to null", `{"src":"n2","dest":"n1","body":{"type":"read_ok","in_reply_to":null,"msg_id":9}}`, "", 1},
		{"error reply", `{"src":"c1","dest":"n1","body":{"type":"error","in_reply_to":3,"code":13}}`, "", 1},
		{"request from unknown node", `{"src":"n9","dest":"n1","body":{"type":"read","msg_id":3}}`, "", 1},
		{"request from a service", `{"src":"lin-kv","dest":"n1","body":{"type":"read","msg_id":3}}`, "", 1},
		{"gossip from unknown node", `{"src":"n9","dest":"n1","body":{"type":"gossip_push","values":[1]}}`, "", 1},
		{"gossip from a client", `{"src":"c1","dest":"n1","body":{"type":"gossip_push","values":[1]}}`, "", 1},
		{"malformed gossip from a peer", `{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":["a"],"msg_id":3}}`, "", 1},
		{"unknown gossip type from a peer", `{"src":"n2","dest":"n1","body":{"type":"gossip_future","msg_id":3}}`, "", 1},
		{"gossip with bad base64", `{"src":"n2","dest":"n1","body":{"type":"gossip_sync","root":"!!","msg_id":3}}`, "", 1},
		{"second init other id", `{"src":"c5","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n2","node_ids":["n1","n2"]}}`,
			`{"src":"n1","dest":"c5","body":{"type":"error","in_reply_to":1,"code":22,"text":"already initialised as \"n1\"; init as \"n2\" refused"}}`, 1},
		{"second init same id", `{"src":"c5","dest":"n1","body":{"type":"init","msg_id":2,"node_id":"n1","node_ids":["n1","n2"]}}`,
			`{"src":"n1","dest":"c5","body":{"type":"init_ok","in_reply_to":2}}`, 1},
		{"init missing node_ids", `{"src":"c5","dest":"n1","body":{"type":"init","msg_id":2,"node_id":"n1"}}`, "error 12", 1},
		{"several MiB line under the cap", `{"src":"c1","dest":"n1","body":{"type":"read","msg_id":6,"pad":"` + big + `"}}`,
			`{"src":"n1","dest":"c1","body":{"type":"read_ok","messages":[7],"in_reply_to":6}}`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mark, peerMark := h.logs.len(), len(h.peer)
			out := h.roundTrip(c.line)
			logs := h.logs.since(mark)
			if p := h.peer[peerMark:]; len(p) != 0 {
				t.Errorf("bad input caused lines to peers: %q", p)
			}
			switch {
			case c.reply == "" && len(out) != 0:
				t.Errorf("output %q, want none", out)
			case strings.HasPrefix(c.reply, "error "):
				code := strings.TrimPrefix(c.reply, "error ")
				if len(out) != 1 || !strings.Contains(out[0], `"type":"error"`) || !strings.Contains(out[0], `"code":`+code+`,`) {
					t.Errorf("output %q, want one error %s", out, code)
				}
			case c.reply != "" && !strings.HasPrefix(c.reply, "error ") && !slices.Equal(out, []string{c.reply}):
				t.Errorf("output %q, want %q", out, c.reply)
			}
			if len(logs) != c.logs {
				t.Errorf("%d log lines, want %d: %q", len(logs), c.logs, logs)
			}
			// State intact and the node still answers.
			if got := h.read(); !slices.Equal(got, []int64{7}) {
				t.Errorf("read after = %v, want [7]", got)
			}
		})
	}
}

// Rule: a client request before init is refused with 11
// (temporarily-unavailable); a peer's message is dropped unanswered.
func TestBeforeInit(t *testing.T) {
	h := newHarness(t, nil)
	for _, typ := range []string{`"read"`, `"broadcast","message":1`, `"topology","topology":{}`} {
		mark := h.logs.len()
		out := h.roundTrip(fmt.Sprintf(`{"src":"c1","dest":"n1","body":{"type":%s,"msg_id":3}}`, typ))
		if len(out) != 1 || !strings.Contains(out[0], `"code":11`) || !strings.HasPrefix(out[0], `{"src":"n1","dest":"c1"`) {
			t.Errorf("%s before init: %q, want error 11 from n1", typ, out)
		}
		if logs := h.logs.since(mark); len(logs) != 1 {
			t.Errorf("%s: %d log lines, want 1: %q", typ, len(logs), logs)
		}
	}
	mark := h.logs.len()
	h.send(`{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":[1]}}`)
	h.init("n1", "n2")
	if logs := h.logs.since(mark); !strings.Contains(strings.Join(logs, "\n"), "no init yet") {
		t.Errorf("peer message before init not logged as such: %q", logs)
	}
	if got := h.read(); len(got) != 0 {
		t.Errorf("read = %v, want [] (pre-init gossip dropped)", got)
	}
}

// Rule: client replies match Maelstrom's closed schemas exactly (maelstrom/MODEL.md):
// type, in_reply_to, (msg_id), nothing else; read_ok messages is an array,
// never null.
func TestClientReplySchemas(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Durability = DurabilityNone })
	h.init("n1", "n2")
	check := func(line string, typ string, keys ...string) {
		t.Helper()
		b := body(t, line)
		if b["type"] != typ {
			t.Fatalf("type %v, want %s: %s", b["type"], typ, line)
		}
		var got []string
		for k := range b {
			got = append(got, k)
		}
		slices.Sort(got)
		slices.Sort(keys)
		if !slices.Equal(got, keys) {
			t.Errorf("%s keys %v, want exactly %v", typ, got, keys)
		}
		if _, ok := b["in_reply_to"].(json.Number); !ok {
			t.Errorf("%s in_reply_to %v is not a number", typ, b["in_reply_to"])
		}
	}
	out := h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"read","msg_id":2}}`)
	if len(out) != 1 || !strings.Contains(out[0], `"messages":[]`) {
		t.Fatalf("empty read: %q, want messages []", out)
	}
	check(out[0], "read_ok", "type", "messages", "in_reply_to")
	out = h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"topology","msg_id":3,"topology":{"n1":["n2"],"n2":["n1"]}}}`)
	check(out[0], "topology_ok", "type", "in_reply_to")
	out = h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":-9223372036854775808}}`)
	check(out[0], "broadcast_ok", "type", "in_reply_to")
	out = h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"read","msg_id":5}}`)
	check(out[0], "read_ok", "type", "messages", "in_reply_to")
	if !strings.Contains(out[0], `"messages":[-9223372036854775808]`) {
		t.Errorf("read: %s, want the int64 minimum exactly", out[0])
	}
	for _, line := range out {
		if strings.Contains(line, "\n") || !json.Valid([]byte(line)) {
			t.Errorf("not one compact JSON line: %q", line)
		}
	}
}

// Rule: no client reply later than ClientReplyDeadline after its request
// (Maelstrom closes the client at 5 s; a reply to it kills the node's
// output; maelstrom/MODEL.md). Suppressions are logged.
func TestLateReplySuppressed(t *testing.T) {
	h := newHarness(t, nil)
	h.init()
	h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":5}}`)
	h.clock.Advance(4*time.Second + time.Millisecond)
	mark := h.logs.len()
	h.flog.syncAll()
	out := h.barrier()
	if len(out) != 0 {
		t.Fatalf("late ack sent: %q", out)
	}
	vs := h.read()
	if !slices.Equal(vs, []int64{5}) {
		t.Fatalf("read = %v, want [5]", vs)
	}
	if logs := h.logs.since(mark); len(logs) != 1 || !strings.Contains(logs[0], "suppressed") {
		t.Fatalf("want one suppression line, got %q", logs)
	}
	// On a tick, pending acks past the deadline are dropped (and logged).
	h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":3,"message":6}}`)
	h.clock.Advance(5 * time.Second)
	mark = h.logs.len()
	h.n.Tick()
	deadline := time.Now().Add(waitLong)
	for !strings.Contains(strings.Join(h.logs.since(mark), "\n"), "suppressed") {
		if time.Now().After(deadline) {
			t.Fatal("tick did not reap the late ack")
		}
		time.Sleep(time.Millisecond)
	}
	h.flog.syncAll()
	if out := h.barrier(); len(out) != 0 {
		t.Fatalf("reaped ack sent anyway: %q", out)
	}
	// Within the deadline a reply still goes out.
	h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":7}}`)
	h.clock.Advance(3 * time.Second)
	h.flog.syncAll()
	if line := h.nextLine(); !strings.Contains(line, `"in_reply_to":4`) {
		t.Fatalf("on-time ack: %s", line)
	}
}

// Rule: a request without msg_id is applied but never answered (a reply
// could only say in_reply_to 0, which peers mistake for a request).
func TestRequestWithoutMsgID(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Durability = DurabilityNone })
	h.init()
	if out := h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","message":8}}`); len(out) != 0 {
		t.Fatalf("answered a request without msg_id: %q", out)
	}
	if got := h.read(); !slices.Equal(got, []int64{8}) {
		t.Fatalf("read = %v, want [8]", got)
	}
}

// Rule: nothing is ever sent to an id that is neither a client nor in
// node_ids (maelstrom/MODEL.md).
func TestNeverAddressUnknownIDs(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Durability = DurabilityNone })
	h.init("n1", "n2")
	// A peer (in node_ids) may send a client request: answered.
	mark := len(h.peer)
	h.roundTrip(`{"src":"n2","dest":"n1","body":{"type":"read","msg_id":1}}`)
	if out := h.peer[mark:]; len(out) != 1 || out[0] != `{"src":"n1","dest":"n2","body":{"type":"read_ok","messages":[],"in_reply_to":1}}` {
		t.Fatalf("peer read: %q", out)
	}
	if !h.n.mayAddress("c7") || !h.n.mayAddress("n2") || h.n.mayAddress("n3") || h.n.mayAddress("lin-kv") || h.n.mayAddress("c") || h.n.mayAddress("") {
		t.Error("mayAddress disagrees with the rule")
	}
}

// Rule: Stop is idempotent, works before Start and after EOF, and leaves
// no goroutine behind.
func TestStopIdempotent(t *testing.T) {
	tr := NewMem()
	n, err := New(DefaultConfig(), tr)
	if err != nil {
		t.Fatal(err)
	}
	n.Stop()
	n.Stop()
	n.Start() // after Stop: does nothing
	if err := n.Wait(); err != nil {
		t.Fatal(err)
	}
	checkNoLeak(t)

	cfg := DefaultConfig()
	cfg.Durability = DurabilityNone
	tr = NewMem()
	n, _ = New(cfg, tr)
	n.Start()
	tr.Deliver([]byte(`{"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}`))
	tr.CloseInput()
	if err := n.Wait(); err != nil {
		t.Fatal(err)
	}
	if line, err := tr.Next(waitLong); err != nil || !strings.Contains(string(line), "init_ok") {
		t.Fatalf("init_ok before EOF shutdown: %q %v", line, err)
	}
	n.Stop()
	n.Stop()
	checkNoLeak(t)
}

// Rule: Tick never blocks; a tick is dropped while one is waiting.
func TestTickNeverBlocks(t *testing.T) {
	cfg := DefaultConfig()
	n, err := New(cfg, NewMem())
	if err != nil {
		t.Fatal(err)
	}
	if !n.Tick() {
		t.Fatal("first tick refused")
	}
	if n.Tick() {
		t.Fatal("second tick accepted while the first waits (not started)")
	}
	n.Stop()
}

// gateLog is a fakeLog whose Append blocks until the gate opens, keeping
// the owner goroutine busy.
type gateLog struct {
	*fakeLog
	gate    chan struct{}
	entered chan struct{}
}

func (g *gateLog) Append(vs []int64) uint64 {
	signal(g.entered)
	<-g.gate
	return g.fakeLog.Append(vs)
}

// Rule: with the clock on, the owner loop sleeps until the core's next
// deadline and serves it there: a leaf's upload that its relay does not
// acknowledge is followed, FailoverTicks later and not before, by the
// failover's direct copy to every peer, with no ticker running.
func TestLoopServesCoreDeadline(t *testing.T) {
	const tick = 2 * time.Millisecond
	h := newHarness(t, func(c *Config) {
		c.DisableTicker = false
		c.TickInterval = tick
		c.Now = time.Now
		c.Durability = DurabilityNone
		c.Gossip.FailoverTicks = 25
	})
	h.init("n0", "n1")
	sent := time.Now()
	h.send(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":5}}`)
	var upload, failover time.Time
	for failover.IsZero() {
		line, err := h.tr.Next(waitLong)
		if err != nil {
			t.Fatalf("waiting for the upload and the failover: %v", err)
		}
		s := string(line)
		switch {
		case !strings.Contains(s, `"dest":"n0"`) || !strings.Contains(s, "gossip_push"):
		case strings.Contains(s, `"direct":true`):
			failover = time.Now()
		default:
			upload = time.Now()
		}
	}
	if upload.IsZero() {
		t.Fatal("the failover came without an upload before it")
	}
	// The broadcast's tick is its arrival rounded down to a tick: the
	// failover may come up to one tick short of 25 ticks after it.
	if took := failover.Sub(sent); took < 24*tick {
		t.Errorf("failover %v after the broadcast, before FailoverTicks less a tick (%v)", took, 24*tick)
	}
}

// Rule: work the core's clock made due when an event arrives goes out at
// once, even if the event does not touch the core: a read that arrives
// after a leaf's upload slot (the loop woke for the read before its timer
// fired) is answered after the upload is sent, not with the upload held
// until the next gossip message.
func TestDueWorkGoesOutWithAnyEvent(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.DisableTicker = false
		c.Durability = DurabilityNone
		c.LivenessInterval = time.Hour // the clock's jump below is not a stop
	})
	h.init("n0", "n1")
	h.send(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":5}}`)
	h.nextLine() // broadcast_ok; the upload of [5] goes at once (no timing yet)
	// n0 acknowledges it: the upload waits 100 ticks for the flush, so
	// slots are 100-LeadTicks ticks (about 1 s) after it.
	h.send(`{"src":"n0","dest":"n1","body":{"type":"gossip_push","values":[],"direct":true,"ack":1,"count":-101}}`)
	h.send(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":3,"message":6}}`)
	h.nextLine()
	mark := len(h.peer)
	// Past the slot; the loop's timer runs on real time, a second away.
	h.clock.Advance(time.Second + 200*time.Millisecond)
	h.readReply(h.sendRead())
	var uploads []string
	for _, l := range h.peer[mark:] {
		if strings.Contains(l, `"dest":"n0"`) && strings.Contains(l, `"values":[6]`) {
			uploads = append(uploads, l)
		}
	}
	if len(uploads) != 1 {
		t.Fatalf("lines to peers before the read_ok: %q, want the upload of [6] to n0", h.peer[mark:])
	}
}
