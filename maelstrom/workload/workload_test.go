package workload

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/netsim"
)

// fakeNet hands out clients c<k> whose calls are answered by behave.
type fakeNet struct {
	mu     sync.Mutex
	next   int
	closed map[string]bool
	behave func(c *fakeClient, node string, req any) (netsim.Message, error)
}

type fakeClient struct {
	net   *fakeNet
	id    string
	calls int
}

func (f *fakeNet) open() Client {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &fakeClient{net: f, id: fmt.Sprintf("c%d", f.next)}
	f.next++
	return c
}

func (c *fakeClient) ID() string { return c.id }
func (c *fakeClient) Close() {
	c.net.mu.Lock()
	c.net.closed[c.id] = true
	c.net.mu.Unlock()
}
func (c *fakeClient) Call(node string, req any, _ time.Duration) (netsim.Message, int64, error) {
	c.net.mu.Lock()
	closed := c.net.closed[c.id]
	c.net.mu.Unlock()
	if closed {
		panic("call on a closed client " + c.id)
	}
	c.calls++
	m, err := c.net.behave(c, node, req)
	return m, int64(c.calls), err
}

func okReply(c *fakeClient, node string, req any) (netsim.Message, error) {
	body := `{"type":"broadcast_ok","in_reply_to":1}`
	if _, ok := req.(readReq); ok {
		body = `{"type":"read_ok","messages":[],"in_reply_to":1}`
	}
	return netsim.Message{Src: node, Dest: c.id, Body: []byte(body)}, nil
}

// collector keeps every op it observes (tests only: a run keeps none).
type collector struct {
	mu  sync.Mutex
	ops []history.Op
}

func (c *collector) Observe(op history.Op) {
	c.mu.Lock()
	c.ops = append(c.ops, op)
	c.mu.Unlock()
}

// collectors maps each test's Recorder to its collector.
var collectors sync.Map

// opsOf waits for rec's observers and returns the ops seen so far.
func opsOf(rec *Recorder) []history.Op {
	v, _ := collectors.Load(rec)
	c := v.(*collector)
	rec.Sync()
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]history.Op(nil), c.ops...)
}

func newWorkload(t *testing.T, nodes []string, c int, rate float64, limit time.Duration, behave func(*fakeClient, string, any) (netsim.Message, error)) (*Workload, *Recorder, *fakeNet) {
	t.Helper()
	fn := &fakeNet{closed: map[string]bool{}, behave: behave, next: 2 * len(nodes)}
	col := &collector{}
	rec := NewRecorder(col)
	t.Cleanup(rec.Close)
	w, err := New(Config{Nodes: nodes, Concurrency: c, Rate: rate, TimeLimit: limit, Seed: 42, Open: fn.open, Rec: rec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	collectors.Store(rec, col)
	return w, rec, fn
}

// Reference: MODEL.md, "Operations" values, MODEL.md, "Schedule" cutoff, thread t -> node t mod N, no
// catch-up (each invocation at least the drawn gap after the previous one),
// MODEL.md, "Schedule" final reads.
func TestMainAndFinal(t *testing.T) {
	nodes := []string{"n0", "n1", "n2"}
	w, rec, _ := newWorkload(t, nodes, 6, 500, 300*time.Millisecond, func(c *fakeClient, n string, req any) (netsim.Message, error) {
		time.Sleep(3 * time.Millisecond)
		return okReply(c, n, req)
	})
	var gaps []int64
	w.onGap = func(g int64) { gaps = append(gaps, g) }
	t0 := w.cfg.Now()
	cutoff := w.Main(context.Background(), t0)
	mainOps := opsOf(rec)
	w.Final(context.Background())
	ops := opsOf(rec)

	var invs []history.Op
	var want int64
	for _, op := range mainOps {
		if op.Type != history.Invoke {
			continue
		}
		invs = append(invs, op)
		if op.Time < t0 || op.Time >= cutoff {
			t.Fatalf("invocation at %d outside [%d, %d)", op.Time, t0, cutoff)
		}
		if op.Node != nodes[(op.Process%6)%3] {
			t.Fatalf("process %d talks to %s", op.Process, op.Node)
		}
		if op.F == "broadcast" {
			if v, _ := op.BroadcastValue(); v != want {
				t.Fatalf("broadcast value %d, want %d", v, want)
			}
			want++
		}
	}
	if len(invs) < 10 {
		t.Fatalf("only %d invocations", len(invs))
	}
	if invs[0].Time < t0 {
		t.Fatalf("first op at %d, before t0 = %d", invs[0].Time, t0)
	}
	for i := 0; i+1 < len(invs); i++ {
		if d := invs[i+1].Time - invs[i].Time; d < gaps[i] {
			t.Fatalf("invocation %d came %d ns after the previous, less than its drawn gap %d: catch-up", i+1, d, gaps[i])
		}
	}
	final := ops[len(mainOps):]
	if len(final) != 12 {
		t.Fatalf("%d final ops, want 6 invocations + 6 completions", len(final))
	}
	seen := map[string]int{}
	for _, op := range final {
		if !op.Final || op.F != "read" {
			t.Fatalf("final op %+v", op)
		}
		if op.Type == history.Invoke {
			seen[op.Node]++
		}
	}
	for _, n := range nodes {
		if seen[n] != 2 {
			t.Fatalf("final reads per node %v, want 2 each", seen)
		}
	}
}

// Reference: acceptance case 13 and MODEL.md, "Identifiers" item 4: every :info gives its
// worker a new process id (+C) and, at its next op, a new client id; the
// old client is closed then.
func TestInfoReplacesClientAndProcess(t *testing.T) {
	nodes := []string{"n0"}
	w, rec, fn := newWorkload(t, nodes, 2, 200, 200*time.Millisecond, func(c *fakeClient, n string, req any) (netsim.Message, error) {
		if _, ok := req.(broadcastReq); ok {
			return netsim.Message{}, netsim.ErrTimeout
		}
		return okReply(c, n, req)
	})
	w.Main(context.Background(), w.cfg.Now())
	ops := opsOf(rec)
	procs := map[int]bool{}
	var infos, invokes int
	for _, op := range ops {
		if op.Type == history.Info {
			infos++
			if op.Error != "net-timeout" || op.F != "broadcast" {
				t.Fatalf("info op %+v", op)
			}
		}
		if op.Type == history.Invoke {
			invokes++
			procs[op.Process] = true
		}
	}
	if infos == 0 {
		t.Fatal("no broadcasts")
	}
	// Processes: 0 and 1 at first, +2 after each info.
	if want := 2 + infos - countTrailingInfos(ops, 2); len(procs) != want {
		t.Fatalf("%d process ids used, want %d (2 + infos followed by another op)", len(procs), want)
	}
	for p := range procs {
		if p >= 2 && !procs[p-2] {
			t.Fatalf("process %d without %d before it", p, p-2)
		}
	}
	// Clients: c2, c3 first (2N = 2), one more per info that was followed
	// by another op on that worker; all but the current two are closed.
	fn.mu.Lock()
	opened, closed := fn.next-2, len(fn.closed)
	fn.mu.Unlock()
	if opened != len(procs) || closed != opened-2 {
		t.Fatalf("opened %d clients (want %d, one per process) and closed %d (want %d)", opened, len(procs), closed, opened-2)
	}
}

// countTrailingInfos counts workers whose last op was :info (their next
// process id was never used).
func countTrailingInfos(ops []history.Op, c int) int {
	last := map[int]history.Type{}
	for _, op := range ops {
		if op.Type != history.Invoke {
			last[op.Process%c] = op.Type
		}
	}
	n := 0
	for _, t := range last {
		if t == history.Info {
			n++
		}
	}
	return n
}

// Rate 0: no main-phase ops, only the sleep.
func TestRateZero(t *testing.T) {
	w, rec, _ := newWorkload(t, []string{"n0"}, 1, 0, 50*time.Millisecond, okReply)
	w.Main(context.Background(), w.cfg.Now())
	if n := len(opsOf(rec)); n != 0 {
		t.Fatalf("%d ops at rate 0", n)
	}
}
