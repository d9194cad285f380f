package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"broadcast/store"
)

// These tests check the rule "acknowledge only what is durable"
// (durable.go) and its restart wiring.

// Rule: broadcast_ok only after the value is durable; reads show only
// durable values; a re-broadcast of a pending value is acked when it is
// durable, of a durable value at once.
func TestAckOnlyAfterDurable(t *testing.T) {
	h := newHarness(t, nil)
	h.init()
	out := h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":5}}`)
	if len(out) != 0 {
		t.Fatalf("ack before durable: %q", out)
	}
	// A read now waits for the value to be durable: no answer yet.
	readID := h.sendRead()
	if out := h.barrier(); len(out) != 0 {
		t.Fatalf("answer before durable: %q", out)
	}
	if got := h.flog.appendedValues(); !slices.Equal(got, []int64{5}) {
		t.Fatalf("appended %v, want [5]", got)
	}
	// The same value again while pending: no ack, no second append.
	if out := h.roundTrip(`{"src":"c2","dest":"n1","body":{"type":"broadcast","msg_id":3,"message":5}}`); len(out) != 0 {
		t.Fatalf("ack of a pending value before durable: %q", out)
	}
	if got := h.flog.appendedValues(); !slices.Equal(got, []int64{5}) {
		t.Fatalf("appended %v after re-broadcast, want [5]", got)
	}
	h.flog.syncAll()
	got, vs := h.readReply(readID)
	slices.Sort(got)
	want := []string{
		`{"src":"n1","dest":"c1","body":{"type":"broadcast_ok","in_reply_to":2}}`,
		`{"src":"n1","dest":"c2","body":{"type":"broadcast_ok","in_reply_to":3}}`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("acks after durable %q, want %q", got, want)
	}
	if !slices.Equal(vs, []int64{5}) {
		t.Fatalf("the read that waited = %v, want [5]", vs)
	}
	if got := h.read(); !slices.Equal(got, []int64{5}) {
		t.Fatalf("read after durable = %v, want [5]", got)
	}
	// Already durable: acked at once.
	out = h.roundTrip(`{"src":"c3","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":5}}`)
	if !slices.Equal(out, []string{`{"src":"n1","dest":"c3","body":{"type":"broadcast_ok","in_reply_to":4}}`}) {
		t.Fatalf("re-broadcast of a durable value: %q", out)
	}
}

// Rule: values learned from peers are appended, and visible once durable.
func TestPeerValuesVisibleWhenDurable(t *testing.T) {
	h := newHarness(t, nil)
	h.init("n1", "n2")
	h.send(`{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":[10,11]}}`)
	readID := h.sendRead()
	if out := h.barrier(); len(out) != 0 {
		t.Fatalf("read answered before the peer values it follows are durable: %q", out)
	}
	if got := h.flog.appendedValues(); !slices.Equal(got, []int64{10, 11}) {
		t.Fatalf("appended %v, want [10 11]", got)
	}
	h.flog.syncAll()
	if _, got := h.readReply(readID); !slices.Equal(got, []int64{10, 11}) {
		t.Fatalf("read = %v, want [10 11]", got)
	}
}

// Rule: a read waits for the values the node received before it to be
// durable, then shows them (and only durable values); a value received
// after the read does not hold it up. A store failure answers waiting reads
// from memory; past the reply deadline a waiting read is dropped, never
// answered late.
func TestReadWaitsForEarlierValues(t *testing.T) {
	h := newHarness(t, nil)
	h.init("n1", "n2")
	h.send(`{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":[1]}}`) // seq 1
	first := h.sendRead()
	h.send(`{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":[2]}}`) // seq 2
	second := h.sendRead()
	if out := h.barrier(); len(out) != 0 {
		t.Fatalf("reads answered before the values they follow are durable: %q", out)
	}
	h.flog.syncTo(1)
	if _, vs := h.readReply(first); !slices.Equal(vs, []int64{1}) {
		t.Fatalf("first read = %v, want [1] (value 2 came after it and is not durable)", vs)
	}
	if out := h.barrier(); len(out) != 0 {
		t.Fatalf("second read answered before value 2 is durable: %q", out)
	}
	h.flog.syncTo(2)
	if _, vs := h.readReply(second); !slices.Equal(vs, []int64{1, 2}) {
		t.Fatalf("second read = %v, want [1 2]", vs)
	}

	// A store failure answers the waiting read from memory.
	h.send(`{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":[3]}}`)
	third := h.sendRead()
	h.barrier()
	h.flog.fail(errors.New("fsync: input/output error"))
	if _, vs := h.readReply(third); !slices.Equal(vs, []int64{1, 2, 3}) {
		t.Fatalf("read waiting at the failure = %v, want [1 2 3] (memory)", vs)
	}
}

// Rule: a waiting read past ClientReplyDeadline is dropped with a log line.
func TestWaitingReadPastDeadline(t *testing.T) {
	h := newHarness(t, nil)
	h.init("n1", "n2")
	h.send(`{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":[1]}}`)
	h.sendRead()
	h.barrier()
	h.clock.Advance(4*time.Second + time.Millisecond)
	mark := h.logs.len()
	h.n.Tick()
	deadline := time.Now().Add(waitLong)
	for !strings.Contains(strings.Join(h.logs.since(mark), "\n"), "read_ok") {
		if time.Now().After(deadline) {
			t.Fatal("tick did not reap the late read")
		}
		time.Sleep(time.Millisecond)
	}
	h.flog.syncAll()
	if out := h.barrier(); len(out) != 0 {
		t.Fatalf("reaped read answered anyway: %q", out)
	}
	if got := h.read(); !slices.Equal(got, []int64{1}) {
		t.Fatalf("a new read = %v, want [1]", got)
	}
}

// Rule: memory-only mode acks and shows values at once.
func TestMemoryOnly(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Durability = DurabilityNone
		c.OpenLog = func(string) (Log, error) { return nil, errors.New("must not open a log") }
	})
	h.init()
	out := h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":5}}`)
	if !slices.Equal(out, []string{`{"src":"n1","dest":"c1","body":{"type":"broadcast_ok","in_reply_to":2}}`}) {
		t.Fatalf("memory-only broadcast: %q", out)
	}
	if got := h.read(); !slices.Equal(got, []int64{5}) {
		t.Fatalf("read = %v", got)
	}
}

// Rule: a sticky store error fails pending acks with 13 (crash), later
// broadcasts with 11 (temporarily-unavailable), logs one clear line, and
// reads keep working from memory.
func TestDiskFailureAfterInit(t *testing.T) {
	h := newHarness(t, nil)
	h.init("n1", "n2")
	h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":1}}`)
	h.flog.syncAll()
	if line := h.nextLine(); !strings.Contains(line, `"broadcast_ok","in_reply_to":2`) {
		t.Fatalf("ack: %s", line)
	}
	h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":3,"message":2}}`)
	mark := h.logs.len()
	h.flog.fail(errors.New("fsync /data/n1/wal-1.log: input/output error"))
	line := h.nextLine()
	if !strings.Contains(line, `"type":"error","in_reply_to":3,"code":13`) {
		t.Fatalf("pending ack on failure: %s, want error 13", line)
	}
	vs := h.read()
	logs := h.logs.since(mark)
	if len(logs) != 1 || !strings.Contains(logs[0], "wal-1.log") || !strings.Contains(logs[0], "input/output error") {
		t.Errorf("want one log line with path and cause, got %q", logs)
	}
	if !slices.Equal(vs, []int64{1, 2}) {
		t.Errorf("read after failure = %v, want [1 2] (memory)", vs)
	}
	out := h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":3}}`)
	if len(out) != 1 || !strings.Contains(out[0], `"in_reply_to":4,"code":11`) {
		t.Fatalf("broadcast after failure: %q, want error 11", out)
	}
	// Peer values are still taken (and relayed); reads show them.
	h.send(`{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":[40]}}`)
	if got := h.read(); !slices.Equal(got, []int64{1, 2, 40}) {
		t.Errorf("read = %v, want [1 2 40]", got)
	}
	if slices.Contains(h.flog.appendedValues(), 3) {
		t.Errorf("a refused value was appended")
	}
}

// Rule: a store that cannot be opened still lets init succeed (Maelstrom
// aborts on an init error); broadcasts get 11, reads work.
func TestStoreOpenFailure(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.OpenLog = func(dir string) (Log, error) { return nil, fmt.Errorf("mkdir %s: permission denied", dir) }
	})
	mark := h.logs.len()
	h.init()
	if !strings.Contains(strings.Join(h.logs.since(mark), "\n"), "permission denied") {
		t.Errorf("open failure not logged: %q", h.logs.since(mark))
	}
	out := h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":5}}`)
	if len(out) != 1 || !strings.Contains(out[0], `"code":11`) {
		t.Fatalf("broadcast with no store: %q, want error 11", out)
	}
	if got := h.read(); got == nil || len(got) != 0 {
		t.Fatalf("read = %v, want []", got)
	}
}

// Rule: after a restart the node recovers durable values (reads never go
// backwards), and announces a new incarnation to its peers.
func TestRestartRecovers(t *testing.T) {
	dir := t.TempDir()
	mod := func(c *Config) {
		c.OpenLog = nil // the real store.Log
		c.DataDir = dir
	}
	h := newHarness(t, mod)
	h.init("n1", "n2")
	for i := range 3 {
		h.sendf(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":%d,"message":%d}}`, i+2, 100+i)
	}
	for range 3 {
		if line := h.nextLine(); !strings.Contains(line, "broadcast_ok") {
			t.Fatalf("unexpected %s", line)
		}
	}
	want := h.read()
	h.n.Stop()

	h2 := newHarness(t, mod)
	out := h2.init("n1", "n2")
	got := h2.read()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Fatalf("after restart read = %v, lost %d (had %v)", got, w, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "n1")); err != nil {
		t.Fatalf("rule 1 dir: %v", err)
	}
	if !strings.Contains(h2.logs.all(), "restarted") {
		t.Errorf("restart not logged")
	}
	hello := false
	for _, l := range out {
		hello = hello || strings.Contains(l, `"gossip_hello"`)
	}
	if !hello {
		t.Errorf("no gossip_hello to the peer after a restart: %q", out)
	}
}

// Rule: with the real store on a fault-injected file system, an fsync
// failure fails the pending ack with 13 and later broadcasts with 11, with
// one error line naming the path and the cause; reads keep working.
func TestRealStoreSyncFailure(t *testing.T) {
	fs := store.NewMemFS()
	var failing atomic.Bool
	fs.SetFault(func(op, path string) error {
		if failing.Load() && op == store.OpSync {
			return syscall.EIO
		}
		return nil
	})
	h := newHarness(t, func(c *Config) {
		c.OpenLog = nil
		c.DataDir = "/data"
		c.Store.FS = fs
		c.LogLevel = LevelWarn
	})
	h.init()
	h.send(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":1}}`)
	if line := h.nextLine(); !strings.Contains(line, `"broadcast_ok","in_reply_to":2`) {
		t.Fatalf("ack: %s", line)
	}
	failing.Store(true)
	mark := h.logs.len()
	h.send(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":3,"message":2}}`)
	if line := h.nextLine(); !strings.Contains(line, `"in_reply_to":3,"code":13`) {
		t.Fatalf("pending ack on fsync failure: %s, want error 13", line)
	}
	out := h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":4,"message":3}}`)
	if len(out) != 1 || !strings.Contains(out[0], `"in_reply_to":4,"code":11`) {
		t.Fatalf("broadcast after failure: %q, want error 11", out)
	}
	logs := h.logs.since(mark)
	if len(logs) != 1 || !strings.Contains(logs[0], "/data/n1") || !strings.Contains(logs[0], syscall.EIO.Error()) {
		t.Errorf("want one line with path and cause, got %q", logs)
	}
	if got := h.read(); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("read = %v, want [1 2]", got)
	}
}

// Rule: a store that cannot be created (the real store, mkdir failing)
// leaves the node up: init_ok, broadcasts refused with 11.
func TestRealStoreOpenFailure(t *testing.T) {
	fs := store.NewMemFS()
	fs.SetFault(func(op, path string) error {
		if op == store.OpMkdir {
			return syscall.EACCES
		}
		return nil
	})
	h := newHarness(t, func(c *Config) {
		c.OpenLog = nil
		c.DataDir = "/data"
		c.Store.FS = fs
	})
	h.init()
	if !strings.Contains(h.logs.all(), "/data/n1") {
		t.Errorf("open failure does not name the path: %s", h.logs.all())
	}
	out := h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":5}}`)
	if len(out) != 1 || !strings.Contains(out[0], `"code":11`) {
		t.Fatalf("broadcast: %q, want error 11", out)
	}
}

// Rule: a restarted node's recovered values are durable already: visible
// at once, acknowledged at once when broadcast again, never appended again;
// and the node says hello to its peers with a new incarnation.
func TestRestartWiring(t *testing.T) {
	h := newHarness(t, nil)
	h.flog.recovered = []int64{1, 2, 3}
	h.flog.restarted = true
	out := h.init("n1", "n2")
	hello := false
	for _, l := range out {
		if strings.Contains(l, `"gossip_hello"`) && strings.Contains(l, `"incarnation":"`) && strings.Contains(l, `"dest":"n2"`) {
			hello = true
		}
	}
	if !hello {
		t.Fatalf("no gossip_hello with an incarnation to n2 after a restart: %q", out)
	}
	if got := h.read(); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Fatalf("read after restart = %v, want the recovered [1 2 3] at once", got)
	}
	out = h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":2}}`)
	if !slices.Equal(out, []string{`{"src":"n1","dest":"c1","body":{"type":"broadcast_ok","in_reply_to":2}}`}) {
		t.Fatalf("broadcast of a recovered value: %q, want an ack at once", out)
	}
	if got := h.flog.appendedValues(); len(got) != 0 {
		t.Fatalf("recovered values appended again: %v", got)
	}
	// A new value still waits for its own fsync.
	if out := h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":3,"message":4}}`); len(out) != 0 {
		t.Fatalf("ack of a new value before durable: %q", out)
	}
	h.flog.syncAll()
	if got := h.read(); !slices.Equal(got, []int64{1, 2, 3, 4}) {
		t.Fatalf("read = %v, want [1 2 3 4]", got)
	}
}

// Rule: a fresh store (not restarted) announces nothing: no hello.
func TestFreshStoreNoHello(t *testing.T) {
	h := newHarness(t, nil)
	for _, l := range h.init("n1", "n2") {
		if strings.Contains(l, `"gossip_hello"`) {
			t.Fatalf("gossip_hello from a node that did not restart: %s", l)
		}
	}
}
