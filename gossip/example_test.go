package gossip_test

import (
	"fmt"

	"broadcast/gossip"
)

// Example drives two cores by hand the way the node does: events in,
// Ready out, messages carried to the other core.
func Example() {
	nodes := []string{"n0", "n1"}
	cores := map[string]*gossip.Core{}
	for i, id := range nodes {
		cfg := gossip.DefaultConfig()
		cfg.ID, cfg.NodeIDs, cfg.Seed = id, nodes, int64(i)
		c, err := gossip.New(cfg)
		if err != nil {
			panic(err)
		}
		cores[id] = c
	}
	// A client broadcasts 7 to n1: it is new, and goes to its relay n0 at
	// once (no upload timing is known yet).
	fmt.Println("new:", cores["n1"].Broadcast(7))
	rd := cores["n1"].Ready()
	fmt.Println("persist:", rd.NewValues)
	for _, env := range rd.Messages {
		fmt.Println("send:", env.To, env.Msg.Kind, env.Msg.Values)
		if err := cores[env.To].Step("n1", env.Msg); err != nil {
			fmt.Println("bad message:", err) // log and drop
		}
	}
	cores["n0"].Tick()
	fmt.Println("n0 has 7:", cores["n0"].Has(7), "new at n0:", cores["n0"].Ready().NewValues)
	// Output:
	// new: true
	// persist: [7]
	// send: n0 push [7]
	// n0 has 7: true new at n0: [7]
}
