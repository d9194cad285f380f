// Command nogossip acknowledges broadcasts and keeps them to itself: it
// never sends a message to another node (acceptance case 11).
package main

import (
	"encoding/json"
	"log"
	"sync"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

func main() {
	n := maelstrom.NewNode()
	var mu sync.Mutex
	values := []int64{}
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
		mu.Lock()
		values = append(values, b.Message)
		mu.Unlock()
		return n.Reply(m, map[string]any{"type": "broadcast_ok"})
	})
	n.Handle("read", func(m maelstrom.Message) error {
		mu.Lock()
		out := append([]int64{}, values...)
		mu.Unlock()
		return n.Reply(m, map[string]any{"type": "read_ok", "messages": out})
	})
	if err := n.Run(); err != nil {
		log.Fatal(err)
	}
}
