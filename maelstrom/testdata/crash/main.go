// Command crash behaves like a no-gossip node until it has acknowledged its
// fifth broadcast, then exits with status 3 (acceptance case 19).
package main

import (
	"log"
	"os"
	"sync"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

func main() {
	n := maelstrom.NewNode()
	var mu sync.Mutex
	count := 0
	n.Handle("topology", func(m maelstrom.Message) error {
		return n.Reply(m, map[string]any{"type": "topology_ok"})
	})
	n.Handle("broadcast", func(m maelstrom.Message) error {
		err := n.Reply(m, map[string]any{"type": "broadcast_ok"})
		mu.Lock()
		count++
		c := count
		mu.Unlock()
		if c >= 5 {
			log.Printf("crash: exiting after %d broadcasts", c)
			os.Exit(3)
		}
		return err
	})
	n.Handle("read", func(m maelstrom.Message) error {
		return n.Reply(m, map[string]any{"type": "read_ok", "messages": []int{}})
	})
	if err := n.Run(); err != nil {
		log.Fatal(err)
	}
}
