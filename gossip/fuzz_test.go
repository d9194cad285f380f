package gossip

import (
	"encoding/binary"
	"testing"
)

// decodeFuzzMessage turns arbitrary bytes into a peer message: the shape a
// decoded wire body can take, including nonsense.
func decodeFuzzMessage(data []byte) (from int, m Message) {
	next := func(n int) []byte {
		if n > len(data) {
			n = len(data)
		}
		b := data[:n]
		data = data[n:]
		return b
	}
	byteAt := func() int {
		if b := next(1); len(b) == 1 {
			return int(b[0])
		}
		return 0
	}
	from = byteAt()
	m.Kind = Kind(byteAt() % 7)
	for range byteAt() % 16 {
		b := next(8)
		if len(b) < 8 {
			break
		}
		m.Values = append(m.Values, int64(binary.LittleEndian.Uint64(b)))
	}
	if byteAt()%2 == 1 {
		m.Root = next(byteAt() % 40)
	}
	if byteAt()%2 == 1 {
		m.Digests = next(byteAt() * 4)
	}
	for range byteAt() % 8 {
		m.Buckets = append(m.Buckets, int(int8(byteAt())))
	}
	m.Count = int(int8(byteAt()))
	m.Round = uint64(byteAt())
	m.Incarnation = string(next(byteAt() % 8))
	m.Ack = uint64(byteAt())
	m.Direct = byteAt()%2 == 1
	return from, m
}

// FuzzStep feeds arbitrary peer messages to a core: Step must never panic;
// a rejected message changes nothing; an accepted one leaves only valid
// output (no empty push, no bucket out of range, nothing to itself).
func FuzzStep(f *testing.F) {
	f.Add([]byte{1, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0})
	f.Add(append([]byte{2, 2, 0, 1, 32}, make([]byte, 400)...))
	f.Add([]byte{1, 3, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 200})
	f.Add([]byte{3, 5, 0, 1, 32, 1, 16})
	f.Add([]byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0})                         // an acknowledgement from the parent
	f.Add([]byte{2, 1, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}) // a direct push
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newCore(t, "n1", 4, func(c *Config) { c.MerkleBuckets = 16 })
		c.Restore([]int64{1, 2, 3, 1 << 40})
		c.Broadcast(9)
		c.Ready()
		from, m := decodeFuzzMessage(data)
		sender := []string{"n0", "n1", "n2", "n3", "c1", ""}[from%6]
		before := c.Len()
		err := c.Step(sender, m)
		rd := c.Ready()
		if err != nil {
			if c.Len() != before || len(rd.Messages) != 0 || len(rd.NewValues) != 0 {
				t.Fatalf("rejected message changed state: %v", err)
			}
			return
		}
		for _, e := range rd.Messages {
			if e.To == "n1" || e.To != sender && e.Msg.Kind != KindPush {
				t.Fatalf("message to %s: %+v", e.To, e.Msg)
			}
			if e.Msg.Kind == KindPush && len(e.Msg.Values) == 0 && (e.Msg.Direct || e.Msg.Ack == 0 && e.Msg.Round == 0) {
				t.Fatal("empty push that is neither an acknowledgement nor a probe")
			}
			for _, b := range e.Msg.Buckets {
				if b < 0 || b >= 16 {
					t.Fatalf("bucket %d out of range", b)
				}
			}
		}
		for range 200 { // ticking on must not panic either
			c.Tick()
		}
	})
}
