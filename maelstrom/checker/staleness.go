package checker

import (
	"sort"

	"broadcast/maelstrom/checker/staleness"
	"broadcast/maelstrom/history"
)

// checkStaleness is the BATCH PATH for the staleness figures: it works out
// each ok read's misses (values whose broadcast_ok precedes the read's
// invocation in the history and that the read lacks) from the in-memory
// history and feeds them, with every op, to a staleness.Tracker. A
// streaming pipeline hands the misses to the tracker itself.
func checkStaleness(run history.Run) staleness.Figures {
	nodes := run.Nodes
	if len(nodes) == 0 { // a hand-made history: the nodes its ops name
		seen := map[string]bool{}
		for _, op := range run.Ops {
			if op.Node != "" && !seen[op.Node] {
				seen[op.Node] = true
				nodes = append(nodes, op.Node)
			}
		}
	}
	tr := staleness.New(nodes)
	type ack struct {
		index int // history position of the broadcast_ok
		value int64
	}
	var acks []ack // in history order
	acked := map[int64]bool{}
	inv := map[int]int{} // process -> position of its pending invocation
	var missed []int64
	for i, op := range run.Ops {
		if isClient(op) {
			if op.Type == history.Invoke {
				inv[op.Process] = i
			} else if at, ok := inv[op.Process]; ok {
				delete(inv, op.Process)
				switch {
				case op.F == "broadcast" && op.Type == history.OK:
					v, ok := IntValue(op.Value)
					if !ok {
						v, ok = IntValue(run.Ops[at].Value)
					}
					if ok && !acked[v] {
						acked[v] = true
						acks = append(acks, ack{index: i, value: v})
					}
				case op.F == "read" && op.Type == history.OK:
					seen, ok := readIntSet(op.Value)
					if ok {
						before := sort.Search(len(acks), func(k int) bool { return acks[k].index > at })
						missed = missed[:0]
						for _, a := range acks[:before] {
							if !seen.has(a.value) {
								missed = append(missed, a.value)
							}
						}
						tr.Missed(run.Ops[at].Node, run.Ops[at].Time, missed)
					}
				}
			}
		}
		tr.Op(op)
	}
	return tr.Figures()
}
