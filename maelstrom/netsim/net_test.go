package netsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// lineSink collects the lines a delivery goroutine writes, with their
// arrival times on the net's clock.
type lineSink struct {
	n     *Net
	mu    sync.Mutex
	buf   bytes.Buffer
	lines []arrived
	cond  *sync.Cond
}

type arrived struct {
	at   int64
	line map[string]any
}

func newSink(n *Net) *lineSink {
	s := &lineSink{n: n}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *lineSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	for {
		i := bytes.IndexByte(s.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(s.buf.Bytes()[:i]))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			panic(fmt.Sprintf("bad line %q: %v", s.buf.Bytes()[:i], err))
		}
		s.lines = append(s.lines, arrived{at: s.n.Now(), line: m})
		s.buf.Next(i + 1)
	}
	s.cond.Broadcast()
	return len(p), nil
}

func (s *lineSink) wait(t *testing.T, n int) []arrived {
	t.Helper()
	done := make(chan struct{})
	go func() {
		s.mu.Lock()
		for len(s.lines) < n {
			s.cond.Wait()
		}
		s.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.mu.Lock()
		got := len(s.lines)
		s.mu.Unlock()
		t.Fatalf("only %d of %d lines arrived", got, n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]arrived(nil), s.lines...)
}

func newNet(t *testing.T, cfg Config, servers ...string) (*Net, map[string]*lineSink) {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	sinks := map[string]*lineSink{}
	for _, id := range servers {
		if err := n.AddServer(id); err != nil {
			t.Fatal(err)
		}
		sinks[id] = newSink(n)
		n.Attach(id, sinks[id])
	}
	return n, sinks
}

func msg(src, dest string, body string) []byte {
	return []byte(fmt.Sprintf(`{"src":%q,"dest":%q,"body":%s}`, src, dest, body))
}

// Reference: MODEL.md, "Delivery" per-receiver FIFO under constant latency; MODEL.md, "Latency" and
// acceptance case 7: server latency applied (never handed over more than
// 1 ms before its deadline).
func TestFIFOAndDeadline(t *testing.T) {
	n, sinks := newNet(t, Config{Latency: 30}, "n0", "n1")
	snd := n.Sender("n0")
	const k = 300
	sentAt := make([]int64, k)
	for i := 0; i < k; i++ {
		sentAt[i] = n.Now()
		if err := snd.SendLine(msg("n0", "n1", fmt.Sprintf(`{"type":"g","i":%d}`, i))); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	got := sinks["n1"].wait(t, k)
	var lastID int64 = -1
	for i, a := range got {
		body := a.line["body"].(map[string]any)
		if fmt.Sprint(body["i"]) != fmt.Sprint(i) {
			t.Fatalf("position %d holds message %v: not FIFO", i, body["i"])
		}
		id, _ := a.line["id"].(json.Number).Int64()
		if id <= lastID {
			t.Fatalf("ids not increasing: %d after %d", id, lastID)
		}
		lastID = id
		// Maelstrom truncates its sleep to whole ms: at most 1 ms early.
		if early := sentAt[i] + 30*int64(time.Millisecond) - a.at; early > int64(time.Millisecond) {
			t.Fatalf("message %d handed over %v before its deadline", i, time.Duration(early))
		}
	}
	st := n.Stats().Net
	if st.Servers.Send != k || st.Servers.Recv != k || st.Servers.Msg != k || st.Clients.Send != 0 {
		t.Fatalf("counters %+v", st)
	}
}

// Reference: MODEL.md, "Latency" client traffic has latency 0 even under server latency.
func TestClientLatencyZero(t *testing.T) {
	n, sinks := newNet(t, Config{Latency: 500}, "n0")
	c := n.OpenClient()
	start := n.Now()
	done := make(chan error, 1)
	go func() {
		_, _, err := c.Call("n0", map[string]any{"type": "read"}, 5*time.Second)
		done <- err
	}()
	got := sinks["n0"].wait(t, 1)
	if d := time.Duration(got[0].at - start); d > 400*time.Millisecond {
		t.Fatalf("client request took %v (latency must be 0)", d)
	}
	body := got[0].line["body"].(map[string]any)
	if body["msg_id"] != json.Number("1") || body["type"] != "read" || got[0].line["src"] != "c0" {
		t.Fatalf("request %v", got[0].line)
	}
	if err := n.Sender("n0").SendLine(msg("n0", "c0", `{"type":"read_ok","messages":[],"in_reply_to":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := time.Duration(n.Now() - start); d > 400*time.Millisecond {
		t.Fatalf("round trip took %v", d)
	}
}

// Reference: MODEL.md, "Partitions": a message taken off the queue during a partition is
// dropped and never delivered, even after the heal; client traffic is
// unaffected.
func TestPartitionDropsNeverDeliveredAfterHeal(t *testing.T) {
	n, sinks := newNet(t, Config{Latency: 20}, "n0", "n1", "n2")
	n.Partition(map[string][]string{"n1": {"n0"}})
	snd := n.Sender("n0")
	for i := 0; i < 20; i++ {
		if err := snd.SendLine(msg("n0", "n1", fmt.Sprintf(`{"i":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	// n2 still hears n0; wait until n1's queue has drained (taken off).
	if err := snd.SendLine(msg("n0", "n2", `{"marker":1}`)); err != nil {
		t.Fatal(err)
	}
	sinks["n2"].wait(t, 1)
	deadline := time.Now().Add(5 * time.Second)
	for n.Stats().Dropped < 20 {
		if time.Now().After(deadline) {
			t.Fatalf("dropped %d of 20", n.Stats().Dropped)
		}
		time.Sleep(time.Millisecond)
	}
	n.Heal()
	if err := snd.SendLine(msg("n0", "n1", `{"after":1}`)); err != nil {
		t.Fatal(err)
	}
	got := sinks["n1"].wait(t, 1)
	time.Sleep(100 * time.Millisecond)
	got = sinks["n1"].wait(t, 1)
	if len(got) != 1 || got[0].line["body"].(map[string]any)["after"] == nil {
		t.Fatalf("n1 received %d lines, want only the post-heal one: %v", len(got), got)
	}
	st := n.Stats().Net.Servers
	if st.Send != 22 || st.Recv != 2 {
		t.Fatalf("servers %+v: want send 22 > recv 2", st)
	}
}

// Reference: MODEL.md, "Envelope" envelope ids: one counter from 0, used up even by
// messages rejected as Invalid dest; node-supplied ids ignored.
func TestEnvelopeIDsAndInvalidDest(t *testing.T) {
	n, sinks := newNet(t, Config{}, "n0", "n1")
	snd := n.Sender("n0")
	if err := snd.SendLine(msg("n0", "n1", `{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	err := snd.SendLine(msg("n0", "lin-kv", `{"a":2}`))
	if !errors.Is(err, ErrInvalidDest) {
		t.Fatalf("service dest: %v, want ErrInvalidDest", err)
	}
	if err := snd.SendLine(msg("n9", "n1", `{}`)); !errors.Is(err, ErrInvalidSource) {
		t.Fatalf("unknown src: %v", err)
	}
	if err := snd.SendLine([]byte(`{"id":999,"src":"n0","dest":"n1","body":{"a":3}}`)); err != nil {
		t.Fatal(err)
	}
	got := sinks["n1"].wait(t, 2)
	if got[0].line["id"] != json.Number("0") || got[1].line["id"] != json.Number("3") {
		t.Fatalf("ids %v %v, want 0 and 3", got[0].line["id"], got[1].line["id"])
	}
	// Rejected messages are not sends.
	if st := n.Stats().Net.All; st.Send != 2 {
		t.Fatalf("send-count %d, want 2", st.Send)
	}
}

// Reference: MODEL.md, "Identifiers" client ids from one counter, never reused; MODEL.md, "Fatal output" a reply
// to a closed client is Invalid dest; MODEL.md, "Replies nobody waits for" unmatched replies discarded.
func TestClientsNumberingAndClose(t *testing.T) {
	n, _ := newNet(t, Config{}, "n0")
	a, b := n.OpenClient(), n.OpenClient()
	if a.ID() != "c0" || b.ID() != "c1" {
		t.Fatalf("ids %s %s", a.ID(), b.ID())
	}
	a.Close()
	if c := n.OpenClient(); c.ID() != "c2" {
		t.Fatalf("reused id: %s", c.ID())
	}
	if err := n.Sender("n0").SendLine(msg("n0", "c0", `{"in_reply_to":1}`)); !errors.Is(err, ErrInvalidDest) {
		t.Fatalf("reply to closed client: %v", err)
	}
	// b: a wrong in_reply_to, a float one, then the right one.
	done := make(chan error, 1)
	go func() {
		m, id, err := b.Call("n0", map[string]any{"type": "read"}, 5*time.Second)
		if err == nil && (id != 1 || string(m.Body) != `{"type":"read_ok","in_reply_to":1}`) {
			err = fmt.Errorf("got %s for msg_id %d", m.Body, id)
		}
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	snd := n.Sender("n0")
	for _, body := range []string{`{"in_reply_to":7}`, `{"in_reply_to":1.0}`, `{"type":"read_ok","in_reply_to":1}`} {
		if err := snd.SendLine(msg("n0", "c1", body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Discarded messages still count as received.
	if st := n.Stats().Net.Clients; st.Recv != 4 || st.Send != 4 { // request + 2 discarded + 1 matched
		t.Fatalf("clients %+v, want send 4 recv 4", st)
	}
	// A request nobody answers times out.
	_, _, err := b.Call("n0", map[string]any{"type": "read"}, 50*time.Millisecond)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
}

// Down drops everything; InitOnly only delivers client messages.
func TestNodeStates(t *testing.T) {
	n, sinks := newNet(t, Config{Latency: 1}, "n0", "n1")
	n.SetState("n1", Down)
	snd := n.Sender("n0")
	snd.SendLine(msg("n0", "n1", `{"i":1}`))
	c := n.OpenClient()
	go c.Call("n1", map[string]any{"type": "init"}, 100*time.Millisecond)
	for n.Stats().Dropped < 2 {
		time.Sleep(time.Millisecond)
	}
	n.SetState("n1", InitOnly)
	snd.SendLine(msg("n0", "n1", `{"i":2}`))
	for n.Stats().Dropped < 3 {
		time.Sleep(time.Millisecond)
	}
	c2 := n.OpenClient()
	go c2.Call("n1", map[string]any{"type": "init"}, 100*time.Millisecond)
	got := sinks["n1"].wait(t, 1)
	if got[0].line["src"] != c2.ID() {
		t.Fatalf("first delivered line %v, want the init from %s", got[0].line, c2.ID())
	}
	n.SetState("n1", Up)
	snd.SendLine(msg("n0", "n1", `{"i":3}`))
	got = sinks["n1"].wait(t, 2)
	if got[1].line["src"] != "n0" {
		t.Fatalf("after Up: %v", got[1].line)
	}
}

// Reference: MODEL.md, "Delivery" head-of-line blocking: a client request queued while the
// delivery goroutine waits for a server message's deadline is handed over
// after it, and the bench's lateness does not count that modelled wait.
func TestHeadOfLineAndLateness(t *testing.T) {
	n, sinks := newNet(t, Config{Latency: 200}, "n0", "n1")
	n.Sender("n0").SendLine(msg("n0", "n1", `{"server":1}`))
	time.Sleep(20 * time.Millisecond)
	c := n.OpenClient()
	called := make(chan struct{})
	go func() {
		defer close(called)
		c.Call("n1", map[string]any{"type": "read"}, 250*time.Millisecond) // no reply comes: returns at the timeout
	}()
	defer func() { <-called }()
	got := sinks["n1"].wait(t, 2)
	if got[0].line["src"] != "n0" || got[1].line["src"] != c.ID() {
		t.Fatalf("order %v, %v: want the server message first (head of line)", got[0].line, got[1].line)
	}
	if l := n.Stats().Lateness; l.Count != 2 || l.Max > 150*time.Millisecond {
		t.Fatalf("lateness %+v: the modelled head-of-line wait must not count", l)
	}
}
