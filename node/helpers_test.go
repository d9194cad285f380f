package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitLong bounds every wait for an expected line. Correctness never
// depends on it: a healthy node answers in microseconds; it only turns a
// hang into a failure.
const waitLong = 20 * time.Second

// logSink collects log lines; safe for concurrent use.
type logSink struct {
	mu    sync.Mutex
	lines []string
	t     testing.TB
}

func (s *logSink) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if strings.Contains(line, barrierType) {
		return // the harness's own ordering barrier, not the test's business
	}
	s.mu.Lock()
	s.lines = append(s.lines, line)
	s.mu.Unlock()
}

// since returns the lines logged after mark (an earlier len()).
func (s *logSink) since(mark int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lines[mark:])
}

func (s *logSink) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lines)
}

func (s *logSink) all() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "\n")
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fakeLog is a Log twin whose durability the test controls.
type fakeLog struct {
	mu        sync.Mutex
	batches   [][]int64
	durable   uint64
	err       error
	closed    bool
	recovered []int64
	restarted bool
	notify    chan struct{}
}

var _ Log = (*fakeLog)(nil)

func newFakeLog() *fakeLog { return &fakeLog{notify: make(chan struct{}, 1)} }

func (f *fakeLog) Recovered() []int64 { return f.recovered }
func (f *fakeLog) Restarted() bool    { return f.restarted }
func (f *fakeLog) Append(vs []int64) uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, slices.Clone(vs))
	return uint64(len(f.batches))
}
func (f *fakeLog) Notify() <-chan struct{} { return f.notify }
func (f *fakeLog) DurableSeq() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.durable
}
func (f *fakeLog) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}
func (f *fakeLog) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return f.err
}

// appendedValues returns every value appended so far, in order.
func (f *fakeLog) appendedValues() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int64
	for _, b := range f.batches {
		out = append(out, b...)
	}
	return out
}

// syncAll makes every append so far durable and notifies.
func (f *fakeLog) syncAll() {
	f.mu.Lock()
	n := len(f.batches)
	f.mu.Unlock()
	f.syncTo(uint64(n))
}

// syncTo makes the appends up to seq durable and notifies.
func (f *fakeLog) syncTo(seq uint64) {
	f.mu.Lock()
	f.durable = seq
	f.mu.Unlock()
	signal(f.notify)
}

// fail makes the log fail for good.
func (f *fakeLog) fail(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
	signal(f.notify)
}

// harness drives one node through the in-memory transport.
type harness struct {
	t     testing.TB
	n     *Node
	tr    *Mem
	logs  *logSink
	clock *fakeClock
	flog  *fakeLog
	next  int64    // msg ids for barrier reads
	peer  []string // lines to peers seen by nextLine and barrier
}

// newHarness starts a node (ticker off, fake clock, fake log unless mod
// changes OpenLog or Durability) and stops it at cleanup, checking that no
// goroutine is left behind.
func newHarness(t testing.TB, mod func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, tr: NewMem(), logs: &logSink{t: t}, clock: newFakeClock(), flog: newFakeLog(), next: 1 << 40}
	cfg := DefaultConfig()
	cfg.DisableTicker = true
	cfg.Now = h.clock.Now
	cfg.Logf = h.logs.logf
	cfg.LogLevel = LevelInfo
	cfg.OpenLog = func(string) (Log, error) { return h.flog, nil }
	cfg.RunDir = t.TempDir()
	if mod != nil {
		mod(&cfg)
	}
	n, err := New(cfg, h.tr)
	if err != nil {
		t.Fatal(err)
	}
	h.n = n
	n.Start()
	t.Cleanup(func() {
		n.Stop()
		checkNoLeak(t)
		if t.Failed() {
			t.Logf("node log:\n%s", h.logs.all())
		}
	})
	return h
}

// send delivers one inbound line.
func (h *harness) send(line string) { h.tr.Deliver([]byte(line)) }

// sendf delivers a line built with fmt.Sprintf.
func (h *harness) sendf(format string, args ...any) { h.send(fmt.Sprintf(format, args...)) }

// nextLine returns the next outbound line to a client, failing the test
// after waitLong. Lines to peers (gossip) are kept in h.peer.
func (h *harness) nextLine() string {
	h.t.Helper()
	for {
		line, err := h.tr.Next(waitLong)
		if err != nil {
			h.t.Fatalf("waiting for output: %v", err)
		}
		if bytes.Contains(line, []byte(`"dest":"c`)) {
			return string(line)
		}
		h.peer = append(h.peer, string(line))
	}
}

// barrierType is the body type of the harness's ordering barrier: a
// request type the node does not know, so it is answered at once (error
// 10) in every state, changes nothing, and never waits for the disk.
const barrierType = "harness_barrier"

// barrier sends a barrier request from client c999 and returns every client
// line the node wrote before answering it (lines to peers go to h.peer).
// The owner handles input in order and the writer keeps that order, so all
// output caused by earlier input comes first.
func (h *harness) barrier() []string {
	h.t.Helper()
	h.next++
	id := h.next
	h.sendf(`{"src":"c999","dest":"n1","body":{"type":%q,"msg_id":%d}}`, barrierType, id)
	var before []string
	for {
		line := h.nextLine()
		if strings.Contains(line, `"dest":"c999"`) && strings.Contains(line, fmt.Sprintf(`"in_reply_to":%d,`, id)) {
			return before
		}
		before = append(before, line)
	}
}

// readReply waits for the read_ok answering msg_id id and returns its
// messages; other client lines before it are returned too.
func (h *harness) readReply(id int64) (before []string, read []int64) {
	h.t.Helper()
	for {
		line := h.nextLine()
		var env struct {
			Dest string `json:"dest"`
			Body struct {
				Type      string  `json:"type"`
				InReplyTo int64   `json:"in_reply_to"`
				Messages  []int64 `json:"messages"`
			} `json:"body"`
		}
		if err := json.Unmarshal([]byte(line), &env); err != nil {
			h.t.Fatalf("output is not JSON: %q: %v", line, err)
		}
		if env.Dest == "c999" && env.Body.InReplyTo == id {
			if env.Body.Type != "read_ok" {
				h.t.Fatalf("read refused: %s", line)
			}
			return before, env.Body.Messages
		}
		before = append(before, line)
	}
}

// sendRead sends a read from client c999 and returns its msg_id.
func (h *harness) sendRead() int64 {
	h.next++
	h.sendf(`{"src":"c999","dest":"n1","body":{"type":"read","msg_id":%d}}`, h.next)
	return h.next
}

// roundTrip delivers line and returns the output it caused (up to a barrier).
func (h *harness) roundTrip(line string) []string {
	h.t.Helper()
	h.send(line)
	return h.barrier()
}

// init sends init for n1 among ids, checks the init_ok and returns the
// lines to peers the init caused (gossip).
func (h *harness) init(ids ...string) []string {
	h.t.Helper()
	if len(ids) == 0 {
		ids = []string{"n1"}
	}
	js, _ := json.Marshal(ids)
	mark := len(h.peer)
	got := h.roundTrip(fmt.Sprintf(`{"id":%d,"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":%s}}`, 100, js))
	want := `{"src":"n1","dest":"c0","body":{"type":"init_ok","in_reply_to":1}}`
	if len(got) != 1 || got[0] != want {
		h.t.Fatalf("init: got %q, want first %q", got, want)
	}
	return h.peer[mark:]
}

// read returns the node's read_ok messages (waiting, as the node does,
// for values it received earlier to be durable).
func (h *harness) read() []int64 {
	h.t.Helper()
	_, vs := h.readReply(h.sendRead())
	return vs
}

// checkNoLeak fails t if a goroutine of this package's Node outlives it.
func checkNoLeak(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var leaked []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "broadcast/node.(*Node).") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d node goroutines leaked:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
		time.Sleep(time.Millisecond)
	}
}

// body decodes the body of an outbound line into a map.
func body(t testing.TB, line string) map[string]any {
	t.Helper()
	var env map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &env); err != nil {
		t.Fatalf("not JSON: %q", line)
	}
	var b map[string]any
	d := json.NewDecoder(strings.NewReader(string(env["body"])))
	d.UseNumber()
	if err := d.Decode(&b); err != nil {
		t.Fatalf("body not an object: %q", line)
	}
	return b
}
