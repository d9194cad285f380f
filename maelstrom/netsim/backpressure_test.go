package netsim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"
)

// Rule: messages to a node that stops reading (paused) wait in its queue and
// pipe, and are delivered once each, in order, when it reads again; the time
// the delivery goroutine waits on the full pipe is back-pressure (an ideal
// simulator waits too), not lateness of the bench.
func TestFullPipeWaitsAndIsNotLateness(t *testing.T) {
	const count, stall = 4000, 400 * time.Millisecond
	n, err := New(Config{Latency: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	for _, id := range []string{"n0", "n1"} {
		if err := n.AddServer(id); err != nil {
			t.Fatal(err)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	n.Attach("n1", w)
	pad := fmt.Sprintf("%0100d", 0)
	snd := n.Sender("n0")
	start := time.Now()
	go func() {
		for i := 0; i < count; i++ {
			snd.SendLine(msg("n0", "n1", fmt.Sprintf(`{"i":%d,"pad":%q}`, i, pad)))
		}
	}()
	time.Sleep(stall) // the reader is "paused": the pipe (64 KiB) and the buffer fill up
	if q := n.QueuedFor("n1"); q == 0 {
		t.Fatalf("nothing queued behind the full pipe after %v", stall)
	}
	sc := bufio.NewScanner(r)
	for i := 0; i < count; i++ {
		if !sc.Scan() {
			t.Fatalf("line %d: %v", i, sc.Err())
		}
		var m struct {
			Body struct{ I int } `json:"body"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if m.Body.I != i {
			t.Fatalf("line %d carries message %d: want each once, in order", i, m.Body.I)
		}
	}
	waited := time.Since(start)
	st := n.Stats()
	if st.Net.Servers.Recv != count || st.Net.Servers.Send != count || st.Dropped != 0 {
		t.Fatalf("servers %+v dropped %d, want %d sent and received, none dropped", st.Net.Servers, st.Dropped, count)
	}
	// Without the back-pressure rule the first message after the stall
	// would count the whole wait (>= 400 ms) as lateness.
	if st.Lateness.Max > 100*time.Millisecond {
		t.Fatalf("lateness max %v after a %v stall (run took %v): the pipe wait was counted", st.Lateness.Max, stall, waited)
	}
}
