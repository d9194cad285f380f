package tests

import (
	"strings"
	"testing"
	"time"
)

// driveMix sends n messages of a hostile and ordinary mix to the node as
// fast as a window of 32 unanswered requests allows: client broadcasts of
// new values and reads, gossip pushes from n2, lines that are not JSON,
// unknown types and malformed broadcasts. It returns when every request
// is answered; next is the first value to use, the return the next unused.
func driveMix(t testing.TB, p *nodeProc, c1 chan reply, n int, next int64) int64 {
	t.Helper()
	const window = 32
	tokens := make(chan struct{}, window) // one per unanswered request
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-c1:
				<-tokens
			case <-stop:
				return
			}
		}
	}()
	defer close(stop)
	var msgID int64 = 1000
	for i := range n {
		switch i % 8 {
		case 0, 1, 2:
			tokens <- struct{}{}
			msgID++
			p.send(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":%d,"message":%d}}`, msgID, next)
			next++
		case 3:
			tokens <- struct{}{}
			msgID++
			p.send(`{"src":"c1","dest":"n1","body":{"type":"read","msg_id":%d}}`, msgID)
		case 4:
			p.send(`{"src":"n2","dest":"n1","body":{"type":"gossip_push","values":[%d,%d,%d]}}`, next, next+1, next+2)
			next += 3
		case 5:
			p.send(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":`)
		case 6:
			tokens <- struct{}{}
			msgID++
			p.send(`{"src":"c1","dest":"n1","body":{"type":"no_such_type","msg_id":%d}}`, msgID)
		case 7:
			tokens <- struct{}{}
			msgID++
			p.send(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":%d,"message":"seven"}}`, msgID)
		}
	}
	deadline := time.After(30 * time.Second)
	for len(tokens) > 0 {
		select {
		case <-deadline:
			t.Fatalf("%d requests unanswered 30 s after the last was sent", len(tokens))
		case <-time.After(time.Millisecond):
		}
	}
	return next
}

// Rule: the node process stays flat under many thousand messages of every
// kind (hostile input included): after them it runs no more goroutines of
// its own than a node that handled only the warm-up, and has no more open
// descriptors than after the warm-up. Threads are logged, not judged: the
// Go runtime keeps every thread it ever started (a high-water mark of
// blocking system calls at once, bounded by the design, not by messages),
// and goroutines are counted directly.
func TestNodeProcessStaysFlat(t *testing.T) {
	const warmup, main = 2_000, 24_000
	env := []string{"GOTRACEBACK=all"}
	start := func() (*nodeProc, chan reply) {
		c0, c1 := make(chan reply, 16), make(chan reply, 64)
		p := startNode(t, map[string]chan reply{"c0": c0, "c1": c1}, env)
		initNode(t, p, c0, `["n1","n2"]`)
		return p, c1
	}

	ref, refC1 := start()
	driveMix(t, ref, refC1, warmup, 0)
	time.Sleep(200 * time.Millisecond) // let the ticker-driven gossip settle
	refGoroutines := ref.goroutines()

	p, c1 := start()
	next := driveMix(t, p, c1, warmup, 0)
	time.Sleep(200 * time.Millisecond)
	before := p.status()
	began := time.Now()
	driveMix(t, p, c1, main, next)
	took := time.Since(began)
	time.Sleep(200 * time.Millisecond)
	after := p.status()
	goroutines := p.goroutines()
	t.Logf("%d messages in %v (%.0f msgs/s); after the warm-up: %d threads, %d fds, %.1f MB; after: %d threads, %d fds, %.1f MB; goroutines of the node's own %d (warm-up only: %d): %s",
		main, took.Round(time.Millisecond), float64(main)/took.Seconds(), before.Threads, before.FDs, float64(before.RSS)/1e6,
		after.Threads, after.FDs, float64(after.RSS)/1e6, len(goroutines), len(refGoroutines), strings.Join(goroutines, ", "))
	if len(goroutines) > len(refGoroutines) {
		t.Errorf("goroutines: %d after %d more messages, %d in a node after the warm-up only:\n%s\nvs\n%s",
			len(goroutines), main, len(refGoroutines), strings.Join(goroutines, "\n"), strings.Join(refGoroutines, "\n"))
	}
	if after.FDs > before.FDs {
		t.Errorf("open descriptors grew from %d to %d over %d messages", before.FDs, after.FDs, main)
	}
}
