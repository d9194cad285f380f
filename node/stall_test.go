package node

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// stopHarness is a harness whose node takes resume events from the test.
func stopHarness(t *testing.T, mod func(*Config)) (*harness, chan<- struct{}) {
	t.Helper()
	resumes := make(chan struct{})
	h := newHarness(t, func(c *Config) {
		c.Resumes = resumes
		if mod != nil {
			mod(c)
		}
	})
	return h, resumes
}

// stop simulates a stop of d: the node reads nothing while the lines are
// delivered and the clock moves on, then it gets a resume event (waited
// for in the log) and reads again.
func (h *harness) stop(resumes chan<- struct{}, d time.Duration, lines ...string) {
	h.t.Helper()
	h.tr.Hold()
	for _, l := range lines {
		h.send(l)
	}
	h.clock.Advance(d)
	mark := h.logs.len()
	resumes <- struct{}{}
	h.waitLog(mark, "resumed after a stop", 1)
	h.tr.Release()
}

// waitLog waits for n log lines containing s after mark.
func (h *harness) waitLog(mark int, s string, n int) {
	h.t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		got := 0
		for _, l := range h.logs.since(mark) {
			if strings.Contains(l, s) {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("want %d log lines with %q, got %d: %q", n, s, got, h.logs.since(mark))
		}
		time.Sleep(time.Millisecond)
	}
}

// Rule: requests that waited in the input while the process was stopped
// count from the stop's start: past ClientReplyDeadline they are applied
// but not answered (one log line each); requests after the resume, and
// waiting ones still within the deadline, are answered.
func TestStopBacklogJudgedFromStopStart(t *testing.T) {
	h, resumes := stopHarness(t, func(c *Config) { c.Durability = DurabilityNone })
	h.init()
	mark := h.logs.len()
	h.stop(resumes, 4*time.Second+time.Millisecond,
		`{"src":"c1","dest":"n1","body":{"type":"read","msg_id":2}}`,
		`{"src":"c2","dest":"n1","body":{"type":"broadcast","msg_id":3,"message":9}}`,
		`{"src":"c3","dest":"n1","body":{"type":"read","msg_id":4}}`)
	h.waitLog(mark, "suppressed", 3)
	if out := h.barrier(); len(out) != 0 {
		t.Fatalf("answered requests that waited past the deadline: %q", out)
	}
	if got := h.read(); !slices.Equal(got, []int64{9}) {
		t.Fatalf("read after the stop = %v, want [9] (a late request is applied, only its reply dropped)", got)
	}

	// A stop shorter than the deadline: the waiting requests are answered.
	h.stop(resumes, 3*time.Second,
		`{"src":"c1","dest":"n1","body":{"type":"read","msg_id":5}}`,
		`{"src":"c2","dest":"n1","body":{"type":"broadcast","msg_id":6,"message":10}}`)
	out := h.barrier()
	if len(out) != 2 || !strings.Contains(out[0], `"in_reply_to":5`) || !strings.Contains(out[1], `"in_reply_to":6`) {
		t.Fatalf("after a 3 s stop, want the read and broadcast answered, got %q", out)
	}
}

// Rule: a reply waiting inside the node (an ack waiting for fsync) during a
// stop is judged by its request's real arrival: past the deadline at the
// resume it is dropped, not sent.
func TestStopPendingAckJudgedByArrival(t *testing.T) {
	h, resumes := stopHarness(t, nil)
	h.init()
	h.roundTrip(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":5}}`)
	mark := h.logs.len()
	h.stop(resumes, 4*time.Second+time.Millisecond)
	h.flog.syncAll()
	if out := h.barrier(); len(out) != 0 {
		t.Fatalf("late ack sent after the stop: %q", out)
	}
	h.waitLog(mark, "suppressed", 1)
}

// gatedMem is a Mem whose writes wait while the gate is held.
type gatedMem struct {
	*Mem
	gate    sync.Mutex
	entered chan struct{}
}

func (g *gatedMem) WriteLine(line []byte) error {
	signal(g.entered)
	g.gate.Lock()
	defer g.gate.Unlock()
	return g.Mem.WriteLine(line)
}

// Rule: a client reply queued in time but written after its deadline (the
// process stopped between the two) is dropped by the writer.
func TestWriterDropsReplyPastDeadline(t *testing.T) {
	g := &gatedMem{Mem: NewMem(), entered: make(chan struct{}, 1)}
	clock := newFakeClock()
	logs := &logSink{t: t}
	cfg := DefaultConfig()
	cfg.DisableTicker = true
	cfg.Durability = DurabilityNone
	cfg.Now = clock.Now
	cfg.Logf = logs.logf
	cfg.Resumes = make(chan struct{})
	n, err := New(cfg, g)
	if err != nil {
		t.Fatal(err)
	}
	n.Start()
	defer n.Stop()
	g.Deliver([]byte(`{"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}`))
	if line, err := g.Next(waitLong); err != nil || !strings.Contains(string(line), "init_ok") {
		t.Fatalf("init: %q, %v", line, err)
	}
	<-g.entered
	g.gate.Lock() // the writer waits in the next WriteLine
	g.Deliver([]byte(`{"src":"c1","dest":"n1","body":{"type":"read","msg_id":2}}`))
	<-g.entered
	g.Deliver([]byte(`{"src":"c2","dest":"n1","body":{"type":"read","msg_id":3}}`))
	deadline := time.Now().Add(waitLong)
	for len(n.out) == 0 { // the second reply is queued behind the blocked write
		if time.Now().After(deadline) {
			t.Fatal("second reply never queued")
		}
		time.Sleep(time.Millisecond)
	}
	clock.Advance(4*time.Second + time.Millisecond)
	g.gate.Unlock()
	if line, err := g.Next(waitLong); err != nil || !strings.Contains(string(line), `"in_reply_to":2`) {
		t.Fatalf("the reply already being written: %q, %v", line, err)
	}
	if line, err := g.Next(100 * time.Millisecond); err == nil {
		t.Fatalf("reply written past its deadline: %q", line)
	}
	if !strings.Contains(logs.all(), "suppressed at the writer") {
		t.Fatalf("no log line for the dropped reply: %s", logs.all())
	}
}

// Rule: a stall of the process longer than twice LivenessInterval is
// noticed without SIGCONT (by the liveness goroutine or the reader), once.
func TestStallWatchNoticesOnce(t *testing.T) {
	var w stallWatch
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	w.start(t0)
	w.stamp(t0.Add(time.Second))
	if got := w.aliveAt(); !got.Equal(t0.Add(time.Second)) {
		t.Fatalf("aliveAt = %v", got)
	}
	w.stamp(t0) // stamps never go back
	if got := w.aliveAt(); !got.Equal(t0.Add(time.Second)) {
		t.Fatalf("aliveAt went back to %v", got)
	}
	merge := 500 * time.Millisecond
	if !w.note(t0.Add(time.Second), t0.Add(7*time.Second), merge, 100) {
		t.Fatal("first notice not new")
	}
	if w.note(t0.Add(900*time.Millisecond), t0.Add(7*time.Second+100*time.Millisecond), merge, 200) {
		t.Fatal("second notice of the same stop counted as new")
	}
	if ep, began, end := w.latest(); ep != 1 || !began.Equal(t0.Add(900*time.Millisecond)) || end != 100 {
		t.Fatalf("latest = %d, %v, %d; want 1, the earlier start and the first backlog", ep, began, end)
	}
	if !w.note(t0.Add(9*time.Second), t0.Add(12*time.Second), merge, 300) {
		t.Fatal("a later stop not new")
	}
}

// Stdio reports its input offset and what waits in the pipe (FIONREAD).
func TestStdioInputWaiting(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := w.WriteString("one\n\ntwo\r\n"); err != nil {
		t.Fatal(err)
	}
	s := NewStdio(r, os.Stdout)
	if got := s.InputReceived(); got != 10 {
		t.Fatalf("received before any read = %d, want 10", got)
	}
	if line, err := s.ReadLine(1 << 10); err != nil || string(line) != "one" {
		t.Fatalf("ReadLine = %q, %v", line, err)
	}
	if off, rcv := s.InputOffset(), s.InputReceived(); off != 4 || rcv != 10 {
		t.Fatalf("after one line: offset %d received %d, want 4 and 10", off, rcv)
	}
	if _, err := w.WriteString("three\n"); err != nil {
		t.Fatal(err)
	}
	if got := s.InputReceived(); got != 16 {
		t.Fatalf("received after more input = %d, want 16", got)
	}
	_, _ = s.ReadLine(1 << 10)
	_, _ = s.ReadLine(1 << 10)
	if off := s.InputOffset(); off != 10 {
		t.Fatalf("after three lines: offset %d, want 10", off)
	}
}
