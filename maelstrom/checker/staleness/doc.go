// Package staleness computes two figures that Maelstrom's stable latency
// cannot give under faults, because that figure is bounded by the heal:
//
//   - staleness while reachable: for each value, the longest time from its
//     broadcast_ok to the invocation of a read that missed it, counting only
//     reads whose node was reachable from the value's origin (the node the
//     broadcast was sent to) for that whole time. Reachable means a directed
//     path of links that no partition cuts, through nodes that are up and
//     not paused; the path may take several hops (the majorities ring is
//     not transitive).
//   - staleness after heal: for each value, the longest time from the later
//     of its broadcast_ok and the last heal to the invocation of a read that
//     missed it, counting only reads invoked while no partition was in
//     force.
//
// Both are quantiles 0, 0.5, 0.95, 0.99 and 1 over every acknowledged value,
// in whole milliseconds by Maelstrom's stable-latency formula
// (floor((read invocation + 1 ns - from) / 1 ms)); a value no qualifying
// read missed counts 0. With no faults both equal Maelstrom's stable
// latencies over the same reads whenever each value's broadcast_ok precedes
// every read that shows it (Maelstrom starts from whichever comes first).
//
// The tracker rebuilds the faults from the nemesis ops of the history alone:
// start-partition completing with ["isolated" {receiver [dropped senders]}],
// stop-partition completing with "network-healed", kill / kill-all
// completing with {node "killed"}, start / start-all with {node "started"},
// pause with {node "paused"} and resume with {node "resumed"}. A fault takes
// effect at its completion's time (the nemesis records it right after
// acting). A kill ends a pause. A stop-partition counts as a heal only if a
// partition was in force.
//
// Reachability is recomputed at each fault event, and each ordered pair of
// nodes keeps the last time it was unreachable, so a read costs O(its
// misses). Driving it, over a history in index order:
//
//	tr := staleness.New(nodes)
//	for _, op := range ops {
//		if isOKReadCompletion(op) {
//			// values acknowledged (broadcast_ok earlier in the history)
//			// before the read's invocation that the read lacks
//			tr.Missed(op.Node, invocation.Time, missed)
//		}
//		tr.Op(op)
//	}
//	figs := tr.Figures()
//
// Missed must be called after Op has seen the read's invocation and before
// it sees the read's completion.
package staleness
