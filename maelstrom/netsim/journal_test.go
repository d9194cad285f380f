package netsim

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeJournal records every event the network reports.
type fakeJournal struct {
	mu     sync.Mutex // protects the fields below
	sends  map[int64]string
	due    map[int64]int64
	sent   map[int64]int64
	deliv  map[int64]int64
	drops  map[int64]DropReason
	events int
}

func newFakeJournal() *fakeJournal {
	return &fakeJournal{sends: map[int64]string{}, due: map[int64]int64{}, sent: map[int64]int64{},
		deliv: map[int64]int64{}, drops: map[int64]DropReason{}}
}

func (j *fakeJournal) Send(id, sent, due int64, src, dest, body []byte) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sends[id] = fmt.Sprintf("%s>%s %s", src, dest, body)
	j.sent[id], j.due[id] = sent, due
	j.events++
}

func (j *fakeJournal) Deliver(id, at int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.sends[id]; !ok {
		panic(fmt.Sprintf("deliver of %d before its send", id))
	}
	j.deliv[id] = at
	j.events++
}

func (j *fakeJournal) Drop(id, at int64, why DropReason) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.drops[id] = why
	j.events++
}

func (j *fakeJournal) count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.events
}

// Rule: the journal hears one send per accepted message, then its
// hand-over (with the drawn deadline) or its drop with the reason:
// partition for a blocked sender, down for a dead receiver; client
// messages are delivered at their send time.
func TestJournalSeesSendDeliverDrop(t *testing.T) {
	j := newFakeJournal()
	n, sinks := newNet(t, Config{Latency: 20, Journal: j}, "n0", "n1", "n2")
	snd := n.Sender("n0")
	if err := snd.SendLine(msg("n0", "n1", `{"type":"a"}`)); err != nil { // id 0: delivered
		t.Fatal(err)
	}
	sinks["n1"].wait(t, 1)
	n.Partition(map[string][]string{"n1": {"n0"}})
	snd.SendLine(msg("n0", "n1", `{"type":"b"}`)) // id 1: partition
	n.SetState("n2", Down)
	snd.SendLine(msg("n0", "n2", `{"type":"c"}`)) // id 2: down
	c := n.OpenClient()
	go c.Call("n0", map[string]any{"type": "read"}, time.Second) // id 3
	sinks["n0"].wait(t, 1)
	snd.SendLine(msg("n0", c.ID(), `{"type":"read_ok","in_reply_to":1}`)) // id 4
	deadline := time.Now().Add(5 * time.Second)
	for j.count() < 10 {
		if time.Now().After(deadline) {
			t.Fatalf("journal saw %d events, want 10", j.count())
		}
		time.Sleep(time.Millisecond)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.sends[0] != `n0>n1 {"type":"a"}` || j.sends[3] != `c0>n0 {"type":"read","msg_id":1}` {
		t.Fatalf("sends %v", j.sends)
	}
	if d := j.due[0] - j.sent[0]; d != 20*int64(time.Millisecond) {
		t.Fatalf("due-sent %v, want the 20 ms latency", time.Duration(d))
	}
	if at := j.deliv[0]; at < j.due[0]-int64(time.Millisecond) {
		t.Fatalf("delivered %v before due", time.Duration(j.due[0]-at))
	}
	if j.drops[1] != DropPartition || j.drops[2] != DropDown || len(j.drops) != 2 {
		t.Fatalf("drops %v", j.drops)
	}
	if j.deliv[4] != j.sent[4] || j.due[4] != j.sent[4] {
		t.Fatalf("client reply: sent %d due %d delivered %d, want all equal", j.sent[4], j.due[4], j.deliv[4])
	}
}
