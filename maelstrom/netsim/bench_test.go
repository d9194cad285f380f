package netsim

import (
	"fmt"
	"io"
	"testing"
)

// BenchmarkSendLine measures the hot path of one node-to-node message: parse
// the stdout line, check it, assign the id, record it, draw the latency,
// encode the delivery line and queue it (the delivery goroutine writes to
// io.Discard).
func BenchmarkSendLine(b *testing.B) {
	n, err := New(Config{Latency: 0})
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	for i := 0; i < 25; i++ {
		id := fmt.Sprintf("n%d", i)
		n.AddServer(id)
		n.Attach(id, io.Discard)
	}
	s := n.Sender("n0")
	line := []byte(`{"src":"n0","dest":"n7","body":{"type":"gossip","message":123456}}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.SendLine(line); err != nil {
			b.Fatal(err)
		}
	}
}
