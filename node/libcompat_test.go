package node

// The sharp edges of the Maelstrom Go library (maelstrom/MODEL.md), demonstrated
// against the real library, and our loop on the same input. These are the
// measurements behind the decision in doc.go to use the library's types
// with a read loop of our own.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
	"testing"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// syncBuffer is a bytes.Buffer safe for the library's concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// quietLibrary silences the library's log.Printf of every message.
func quietLibrary(t testing.TB) {
	prev := log.Writer()
	log.SetOutput(io.Discard)
	t.Cleanup(func() { log.SetOutput(prev) })
}

// libNode returns a library node with read and broadcast handlers, the way
// a typical solution writes them.
func libNode(in io.Reader, out io.Writer) *maelstrom.Node {
	n := maelstrom.NewNode()
	n.Stdin, n.Stdout = in, out
	var mu sync.Mutex
	seen := map[float64]bool{}
	values := []float64{}
	n.Handle("broadcast", func(msg maelstrom.Message) error {
		var body map[string]any
		if err := json.Unmarshal(msg.Body, &body); err != nil {
			return err
		}
		v, _ := body["message"].(float64)
		mu.Lock()
		if !seen[v] {
			seen[v] = true
			values = append(values, v)
		}
		mu.Unlock()
		return n.Reply(msg, map[string]any{"type": "broadcast_ok"})
	})
	n.Handle("read", func(msg maelstrom.Message) error {
		mu.Lock()
		vs := append([]float64(nil), values...)
		mu.Unlock()
		return n.Reply(msg, map[string]any{"type": "read_ok", "messages": vs})
	})
	n.Handle("topology", func(msg maelstrom.Message) error {
		return n.Reply(msg, map[string]any{"type": "topology_ok"})
	})
	return n
}

// ourNode runs our node over the same byte streams, memory-only, ticker off.
func ourNode(t testing.TB, in io.Reader, out io.Writer) error {
	cfg := DefaultConfig()
	cfg.Durability = DurabilityNone
	cfg.DisableTicker = true
	n, err := New(cfg, NewStdio(in, out))
	if err != nil {
		t.Fatal(err)
	}
	return n.Run()
}

const (
	initLine = `{"id":0,"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1","n2"]}}`
	readLine = `{"src":"c1","dest":"n1","body":{"type":"read","msg_id":99}}`
)

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// Sharp edge: a message type with no handler makes the library's Run
// return (its main then exits: a crash under Maelstrom; maelstrom/MODEL.md).
// Our loop answers error 10 and keeps serving.
func TestLibraryExitsOnUnknownType(t *testing.T) {
	quietLibrary(t)
	input := lines(initLine, `{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":2,"echo":"hi"}}`, readLine)

	var libOut syncBuffer
	err := libNode(strings.NewReader(input), &libOut).Run()
	if err == nil || !strings.Contains(err.Error(), "No handler for") {
		t.Fatalf("library Run = %v, want the no-handler error", err)
	}

	var ours syncBuffer
	if err := ourNode(t, strings.NewReader(input), &ours); err != nil {
		t.Fatalf("our Run = %v", err)
	}
	if !strings.Contains(ours.String(), `"code":10`) || !strings.Contains(ours.String(), `"read_ok"`) {
		t.Fatalf("our output %q: want error 10, then the read answered", ours.String())
	}
}

// Sharp edge: an input line over 64 KiB stops the library (bufio.Scanner's
// default limit). Our loop parses lines up to MaxLineBytes.
func TestLibraryDiesOnLongLine(t *testing.T) {
	quietLibrary(t)
	pad := strings.Repeat("x", 100<<10)
	long := `{"src":"c1","dest":"n1","body":{"type":"read","msg_id":2,"pad":"` + pad + `"}}`
	input := lines(initLine, long, readLine)

	err := libNode(strings.NewReader(input), io.Discard).Run()
	if !errors.Is(err, bufio.ErrTooLong) {
		t.Fatalf("library Run = %v, want bufio.ErrTooLong", err)
	}

	var ours syncBuffer
	if err := ourNode(t, strings.NewReader(input), &ours); err != nil {
		t.Fatalf("our Run = %v", err)
	}
	if got := strings.Count(ours.String(), `"read_ok"`); got != 2 {
		t.Fatalf("our output %q: want both reads answered", ours.String())
	}
}

// Sharp edge: the library's Reply to a message sent with Send says
// in_reply_to 0, which the sender's Run takes for a new request of type
// *_ok, finds no handler for, and returns. Our loop treats any message
// with an in_reply_to key as a reply: logged, dropped, and it keeps going.
func TestLibraryExitsOnReplyToSend(t *testing.T) {
	quietLibrary(t)
	// n1 sends with Send (no msg_id); n2 answers with Reply.
	var sent syncBuffer
	a := maelstrom.NewNode()
	a.Stdout = &sent
	a.Init("n1", []string{"n1", "n2"})
	if err := a.Send("n2", map[string]any{"type": "broadcast", "message": 1}); err != nil {
		t.Fatal(err)
	}
	var req maelstrom.Message
	if err := json.Unmarshal([]byte(strings.TrimSpace(sent.String())), &req); err != nil {
		t.Fatal(err)
	}
	var replied syncBuffer
	b := maelstrom.NewNode()
	b.Stdout = &replied
	b.Init("n2", []string{"n1", "n2"})
	if err := b.Reply(req, map[string]any{"type": "broadcast_ok"}); err != nil {
		t.Fatal(err)
	}
	reply := strings.TrimSpace(replied.String())
	if !strings.Contains(reply, `"in_reply_to":0`) {
		t.Fatalf("library reply %q, want in_reply_to 0", reply)
	}
	input := lines(initLine, reply, readLine)

	err := libNode(strings.NewReader(input), io.Discard).Run()
	if err == nil || !strings.Contains(err.Error(), "No handler for") {
		t.Fatalf("library Run = %v, want the no-handler error", err)
	}

	var ours syncBuffer
	if err := ourNode(t, strings.NewReader(input), &ours); err != nil {
		t.Fatalf("our Run = %v", err)
	}
	out := ours.String()
	if strings.Count(out, "\n") != 2 || !strings.Contains(out, `"read_ok"`) {
		t.Fatalf("our output %q: want init_ok and read_ok only", out)
	}
}

// benchInput is n client messages (half broadcasts of 100 distinct values,
// half reads) after init and topology: the same bytes for both loops.
func benchInput(n int) []byte {
	var b bytes.Buffer
	b.WriteString(initLine + "\n")
	b.WriteString(`{"src":"c0","dest":"n1","body":{"type":"topology","msg_id":2,"topology":{"n1":["n2"],"n2":["n1"]}}}` + "\n")
	for i := range n {
		if i%2 == 0 {
			fmt.Fprintf(&b, `{"id":%d,"src":"c1","dest":"n1","body":{"type":"broadcast","message":%d,"msg_id":%d}}`+"\n", i+2, i%100, i+3)
		} else {
			fmt.Fprintf(&b, `{"id":%d,"src":"c2","dest":"n1","body":{"type":"read","msg_id":%d}}`+"\n", i+2, i+3)
		}
	}
	return b.Bytes()
}

// BenchmarkLoop compares the library's Run with our loop on the same input
// (client broadcasts and reads, output discarded). One op = one message.
// Target: ours at least as fast as the library (compare the two msgs/s
// lines), with fewer allocations.
func BenchmarkLoop(b *testing.B) {
	b.Run("library", func(b *testing.B) {
		quietLibrary(b)
		in := benchInput(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		if err := libNode(bytes.NewReader(in), io.Discard).Run(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
	b.Run("ours", func(b *testing.B) {
		in := benchInput(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		if err := ourNode(b, bytes.NewReader(in), io.Discard); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}
