package nemesis

import (
	"fmt"
	"math/rand/v2"

	"broadcast/maelstrom/history"
)

// The pause fault (a bench extension, as jepsen's process pause): on the
// flip-flop schedule, pause SIGSTOPs one node that is up and not already
// paused, and resume SIGCONTs every node the schedule paused. Rules where it
// meets the other faults:
//   - a kill of a paused node ends the pause (the process is gone; the
//     restarted one runs), so the next resume leaves that node alone;
//   - a dead node is never paused (pause picks among the live nodes), and
//     when no node can be paused the op completes with an empty map;
//   - partitions are independent: a paused node can be partitioned, and
//     messages cut by a partition are dropped whether or not the receiver
//     is paused.

// ValidTargets checks that every target (--nemesis-targets) names a node.
func ValidTargets(targets, nodes []string) error {
	known := map[string]bool{}
	for _, x := range nodes {
		known[x] = true
	}
	for _, t := range targets {
		if !known[t] {
			return fmt.Errorf("nemesis: target %q is not a node of this test", t)
		}
	}
	return nil
}

// pick chooses one node among candidates (restricted to Config.Targets when
// set), uniformly at random; false if none is eligible.
func (n *Nemesis) pick(candidates []string, r *rand.Rand) (string, bool) {
	if len(n.cfg.Targets) > 0 {
		want := map[string]bool{}
		for _, t := range n.cfg.Targets {
			want[t] = true
		}
		var in []string
		for _, c := range candidates {
			if want[c] {
				in = append(in, c)
			}
		}
		candidates = in
	}
	if len(candidates) == 0 {
		return "", false
	}
	return candidates[r.IntN(len(candidates))], true
}

// pausedLocked returns the paused nodes in test order; n.mu must be held.
func (n *Nemesis) pausedLocked() []string {
	var out []string
	for _, node := range n.cfg.Nodes {
		if _, ok := n.openPause[node]; ok {
			out = append(out, node)
		}
	}
	return out
}

// endPauseLocked closes node's open pause interval at t, if any; n.mu must
// be held.
func (n *Nemesis) endPauseLocked(node string, t int64) {
	if i, ok := n.openPause[node]; ok {
		n.faults[i].End = t
		delete(n.openPause, node)
	}
}

// pauseOne SIGSTOPs one live node that is not paused: :pause "one",
// completed with {node "paused"} (or {} when none can be paused).
func (n *Nemesis) pauseOne(t int64, r *rand.Rand) {
	n.record(t, "pause", "one")
	n.mu.Lock()
	paused := map[string]bool{}
	for node := range n.openPause {
		paused[node] = true
	}
	n.mu.Unlock()
	var candidates []string
	for _, node := range n.ctl.Live() {
		if !paused[node] {
			candidates = append(candidates, node)
		}
	}
	res := map[string]string{}
	if node, ok := n.pick(candidates, r); ok {
		if err := n.ctl.Pause(node); err != nil {
			res[node] = "error: " + err.Error()
			n.cfg.Logf("WARN [jepsen nemesis] maelstrom.nemesis: pause %s: %v", node, err)
		} else {
			res[node] = "paused"
			now := n.cfg.Now()
			n.mu.Lock()
			n.faults = append(n.faults, history.Interval{Kind: FaultPause, Start: now, End: -1, Detail: node})
			n.openPause[node] = len(n.faults) - 1
			n.mu.Unlock()
		}
	}
	n.record(n.cfg.Now(), "pause", res)
	n.cfg.Logf("INFO [jepsen nemesis] maelstrom.nemesis: pause %v", res)
}

// resumePaused SIGCONTs every paused node: :resume "all", completed with
// {node "resumed"...}.
func (n *Nemesis) resumePaused(t int64, _ *rand.Rand) {
	n.record(t, "resume", "all")
	n.mu.Lock()
	nodes := n.pausedLocked()
	n.mu.Unlock()
	res := map[string]string{}
	for _, node := range nodes {
		err := n.ctl.Resume(node)
		now := n.cfg.Now()
		n.mu.Lock()
		n.endPauseLocked(node, now)
		n.mu.Unlock()
		if err != nil {
			res[node] = "error: " + err.Error()
			n.cfg.Logf("WARN [jepsen nemesis] maelstrom.nemesis: resume %s: %v", node, err)
			continue
		}
		res[node] = "resumed"
	}
	n.record(n.cfg.Now(), "resume", res)
	n.cfg.Logf("INFO [jepsen nemesis] maelstrom.nemesis: resume %v", res)
}
