// Package topology computes the neighbour maps Maelstrom's broadcast workload
// sends in its topology message (MODEL.md, "Topology"): line, grid,
// total, tree (alias of tree2), tree2, tree3 and tree4, over the server list
// in test order.
//
// Drive it with one call:
//
//	topo, err := topology.Build("grid", []string{"n0", "n1", "n2", "n3", "n4"})
//	// topo["n0"] == []string{"n3", "n1"}
//
// Every node receives the whole map (not just its own entry); the map is
// encoded with encoding/json, so keys come out sorted while each neighbour
// list keeps Maelstrom's order.
package topology
