// Package nemesis injects faults the way Maelstrom's (jepsen's) nemesis does
// (MODEL.md, "Partitions"), plus three bench extensions: kill, kill-all
// and pause.
//
// The pure part is Grudge: a partition shape (one, minority-third, majority,
// majorities-ring) over the node list, drawn from a seeded *rand.Rand, as a
// map from each receiving node to the senders it drops.
//
// The schedules run against a Controller (the runner's cluster):
//
//   - partition: start-partition / stop-partition alternate (flip-flop),
//     the first at the start of the run, gaps uniform on [0, 2I);
//   - kill: kill / start alternate with the same stagger; kill SIGKILLs one
//     random live node, start launches it again (init and topology re-sent);
//   - kill-all: at one uniformly random moment before the time limit, every
//     live node is killed at once, then all are started again;
//   - pause: pause / resume alternate with the same stagger; pause SIGSTOPs
//     one live node that is not paused, resume SIGCONTs every paused node.
//     A kill ends a pause; a dead node is never paused (pause.go).
//
// Config.Targets (--nemesis-targets) restricts kill and pause to the named
// nodes, still chosen at random among them.
//
// Each enabled fault runs its own schedule; ops are serialised (one nemesis
// "thread") and recorded as jepsen does: {:process :nemesis, :type :info}
// invocation and completion, the completion saying what was done
// (["isolated" {receiver [senders]}], "network-healed", {node "killed"},
// {node "started"}, {node "paused"}, {node "resumed"}), so that the
// history alone gives the faults. Final resumes, heals and restarts
// everything, in that order.
//
//	nem, err := nemesis.New(nemesis.Config{Faults: []string{"partition"},
//		Interval: 10 * time.Second, Nodes: nodes, Seed: 7, Record: rec, Now: clock}, cluster)
//	nem.Run(ctx, t0, cutoff) // returns when every schedule is past the cutoff
//	nem.Final()              // stop-partition, restart dead nodes
//	faults := nem.Faults()   // history.Interval list for plots
package nemesis
