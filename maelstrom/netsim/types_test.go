package netsim

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// Reference: MODEL.md, "Extensions", messages by type: server-to-server messages are
// counted by body type (sent, delivered, dropped, sent while partitioned);
// client traffic is not; a body with no string type counts as NoType.
func TestMessagesByType(t *testing.T) {
	n, sinks := newNet(t, Config{Latency: 5}, "n0", "n1", "n2")
	snd := n.Sender("n0")
	send := func(dest, body string) {
		t.Helper()
		if err := snd.SendLine(msg("n0", dest, body)); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		send("n1", `{"type":"gossip","values":[1,2]}`)
	}
	send("n2", `{"values":[1],"type":"sync"}`)
	send("n2", `{"type":7}`)
	send("n2", `{"type":"esc\u0061ped"}`)
	c := n.OpenClient()
	send(c.id, `{"type":"read_ok","in_reply_to":1}`) // to a client: not counted
	sinks["n1"].wait(t, 3)
	sinks["n2"].wait(t, 3)
	n.Partition(map[string][]string{"n1": {"n0"}})
	send("n1", `{"type":"gossip"}`)
	send("n2", `{"type":"gossip"}`)
	sinks["n2"].wait(t, 4)
	deadline := time.Now().Add(5 * time.Second)
	for n.Stats().Dropped < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the message into the cut was not dropped")
		}
		time.Sleep(time.Millisecond)
	}
	got := n.Stats().ByType
	want := []TypeCount{
		{Type: "gossip", Sent: 5, Delivered: 4, Dropped: 1, SentCut: 2},
		{Type: NoType, Sent: 1, Delivered: 1},
		{Type: "escaped", Sent: 1, Delivered: 1},
		{Type: "sync", Sent: 1, Delivered: 1},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("by type:\n got %+v\nwant %+v", got, want)
	}
}

// Reference: MODEL.md, "Extensions", messages by type: at most maxTypes types are
// told apart; the rest count together as OtherTypes.
func TestMessagesByTypeCapped(t *testing.T) {
	n, sinks := newNet(t, Config{}, "n0", "n1")
	snd := n.Sender("n0")
	for i := range maxTypes + 6 {
		if err := snd.SendLine(msg("n0", "n1", fmt.Sprintf(`{"type":"t%03d"}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	sinks["n1"].wait(t, maxTypes+6)
	got := n.Stats().ByType
	if len(got) != maxTypes+1 {
		t.Fatalf("%d types, want %d", len(got), maxTypes+1)
	}
	if got[0] != (TypeCount{Type: OtherTypes, Sent: 6, Delivered: 6}) {
		t.Fatalf("first (most sent) %+v, want the 6 beyond the cap as %s", got[0], OtherTypes)
	}
	if got[1].Type != "t000" || got[maxTypes].Type != fmt.Sprintf("t%03d", maxTypes-1) {
		t.Fatalf("types %s .. %s, want t000 .. t%03d", got[1].Type, got[maxTypes].Type, maxTypes-1)
	}
}

// The count is on the send path of every server message: a type already
// seen costs no allocation.
func TestTypeSlotDoesNotAllocate(t *testing.T) {
	var tt typeTable
	body := []byte(`{"type":"gossip","values":[1,2,3],"round":4}`)
	tt.slot(body)
	if a := testing.AllocsPerRun(100, func() { tt.sent(tt.slot(body), false) }); a != 0 {
		t.Fatalf("%v allocations per count, want 0", a)
	}
}
