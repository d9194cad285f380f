// Command correct is a correct gossiping broadcast node built on the
// Maelstrom Go library, for the bench's tests. It pushes every value it has
// not yet seen acknowledged to every other node every 100 ms (Send both
// ways, with its own gossip/gossip_ack types, so the library's reply-to-Send
// pitfall and in_reply_to 0 never arise), and starts gossiping only after
// init (the library's init race).
package main

import (
	"encoding/json"
	"log"
	"sync"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

type state struct {
	mu     sync.Mutex
	values map[int64]bool
	acked  map[string]map[int64]bool // peer -> values it confirmed
}

func main() {
	n := maelstrom.NewNode()
	s := &state{values: map[int64]bool{}, acked: map[string]map[int64]bool{}}
	var once sync.Once
	n.Handle("init", func(maelstrom.Message) error {
		once.Do(func() { go gossip(n, s) })
		return nil
	})
	n.Handle("topology", func(m maelstrom.Message) error {
		return n.Reply(m, map[string]any{"type": "topology_ok"})
	})
	n.Handle("broadcast", func(m maelstrom.Message) error {
		var b struct {
			Message int64 `json:"message"`
		}
		if err := json.Unmarshal(m.Body, &b); err != nil {
			return err
		}
		s.mu.Lock()
		s.values[b.Message] = true
		s.mu.Unlock()
		return n.Reply(m, map[string]any{"type": "broadcast_ok"})
	})
	n.Handle("read", func(m maelstrom.Message) error {
		s.mu.Lock()
		out := make([]int64, 0, len(s.values))
		for v := range s.values {
			out = append(out, v)
		}
		s.mu.Unlock()
		return n.Reply(m, map[string]any{"type": "read_ok", "messages": out})
	})
	n.Handle("gossip", func(m maelstrom.Message) error {
		var b struct {
			Values []int64 `json:"values"`
		}
		if err := json.Unmarshal(m.Body, &b); err != nil {
			return err
		}
		s.mu.Lock()
		for _, v := range b.Values {
			s.values[v] = true
		}
		s.mu.Unlock()
		return n.Send(m.Src, map[string]any{"type": "gossip_ack", "values": b.Values})
	})
	n.Handle("gossip_ack", func(m maelstrom.Message) error {
		var b struct {
			Values []int64 `json:"values"`
		}
		if err := json.Unmarshal(m.Body, &b); err != nil {
			return err
		}
		s.mu.Lock()
		if s.acked[m.Src] == nil {
			s.acked[m.Src] = map[int64]bool{}
		}
		for _, v := range b.Values {
			s.acked[m.Src][v] = true
		}
		s.mu.Unlock()
		return nil
	})
	if err := n.Run(); err != nil {
		log.Fatal(err)
	}
}

// gossip sends each peer up to 500 values it has not acknowledged, every
// 100 ms.
func gossip(n *maelstrom.Node, s *state) {
	for range time.Tick(100 * time.Millisecond) {
		for _, peer := range n.NodeIDs() {
			if peer == n.ID() {
				continue
			}
			s.mu.Lock()
			var missing []int64
			for v := range s.values {
				if !s.acked[peer][v] {
					missing = append(missing, v)
					if len(missing) == 500 {
						break
					}
				}
			}
			s.mu.Unlock()
			if len(missing) > 0 {
				n.Send(peer, map[string]any{"type": "gossip", "values": missing})
			}
		}
	}
}
