package node_test

import (
	"fmt"
	"time"

	"broadcast/node"
)

// Example drives one node through the in-memory transport: the same loop
// cmd/broadcast runs over stdin and stdout.
func Example() {
	cfg := node.DefaultConfig()
	cfg.Durability = node.DurabilityNone // no data directory in an example
	cfg.DisableTicker = true             // the driver would call n.Tick()
	tr := node.NewMem()
	n, err := node.New(cfg, tr)
	if err != nil {
		panic(err)
	}
	n.Start()
	defer n.Stop()

	for _, line := range []string{
		`{"id":0,"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}`,
		`{"id":1,"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":1,"message":42}}`,
		`{"id":2,"src":"c1","dest":"n1","body":{"type":"read","msg_id":2}}`,
		`{"id":3,"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":3,"message":4.2}}`,
	} {
		tr.Deliver([]byte(line))
	}
	for range 4 {
		line, err := tr.Next(10 * time.Second)
		if err != nil {
			panic(err)
		}
		fmt.Println(string(line))
	}
	// Output:
	// {"src":"n1","dest":"c0","body":{"type":"init_ok","in_reply_to":1}}
	// {"src":"n1","dest":"c1","body":{"type":"broadcast_ok","in_reply_to":1}}
	// {"src":"n1","dest":"c1","body":{"type":"read_ok","messages":[42],"in_reply_to":2}}
	// {"src":"n1","dest":"c1","body":{"type":"error","in_reply_to":3,"code":12,"text":"malformed broadcast: message 4.2: not an integer in int64 range"}}
}
