// Command slowread acknowledges broadcasts at once but answers every read
// only after 6 s, past Maelstrom's 5 s RPC timeout (acceptance case 12).
package main

import (
	"log"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

func main() {
	n := maelstrom.NewNode()
	n.Handle("topology", func(m maelstrom.Message) error {
		return n.Reply(m, map[string]any{"type": "topology_ok"})
	})
	n.Handle("broadcast", func(m maelstrom.Message) error {
		return n.Reply(m, map[string]any{"type": "broadcast_ok"})
	})
	n.Handle("read", func(m maelstrom.Message) error {
		time.Sleep(6 * time.Second)
		return n.Reply(m, map[string]any{"type": "read_ok", "messages": []int{}})
	})
	if err := n.Run(); err != nil {
		log.Fatal(err)
	}
}
