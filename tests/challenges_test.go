package tests

import (
	"strconv"
	"testing"
)

// challenge is one configuration of the Gossip Glomers broadcast challenges
// (maelstrom/MODEL.md, "Gossip Glomers targets") or of the durability faults.
type challenge struct {
	name string
	args []string
}

var (
	efficient = []string{"--node-count", "25", "--rate", "100", "--latency", "100"}

	// Rule checked by every run below: every acknowledged broadcast is in
	// every node's final read (lost-count 0, workload valid), and both
	// broadcast and read have successful operations (stats valid).
	challenges = []challenge{
		{"3a-single-node", []string{"--node-count", "1", "--rate", "10"}},
		{"3b-multi-node", []string{"--node-count", "5", "--rate", "10"}},
		{"3c-partition-5", []string{"--node-count", "5", "--rate", "10", "--nemesis", "partition"}},
		{"3d-grid", append([]string{"--topology", "grid"}, efficient...)},
		{"3d-line", append([]string{"--topology", "line"}, efficient...)},
		{"3d-tree4", append([]string{"--topology", "tree4"}, efficient...)},
		{"3d-total", append([]string{"--topology", "total"}, efficient...)},
		{"3c-partition-25", append([]string{"--nemesis", "partition"}, efficient...)},
	}

	// Durability: nodes are SIGKILLed and restarted by the bench (not a
	// Maelstrom fault; see the bench README). Rule: no acknowledged value is
	// lost when nodes crash, one at a time or all at once.
	durability = []challenge{
		{"kill", append([]string{"--nemesis", "kill", "--nemesis-interval", "2"}, efficient...)},
		{"kill-all", append([]string{"--nemesis", "kill-all"}, efficient...)},
		{"partition-kill", append([]string{"--nemesis", "partition,kill", "--nemesis-interval", "2"}, efficient...)},
	}
)

func runChallenges(t *testing.T, set []challenge) {
	for _, c := range set {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			forSeeds(t, func(t *testing.T, seed int) {
				args := append([]string{"--time-limit", timeLimit(), "--seed", strconv.Itoa(seed)}, c.args...)
				requireValid(t, c.name, seed, runBench(t, args...))
			})
		})
	}
}

// TestChallenges runs every broadcast challenge configuration on the bench.
func TestChallenges(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs take minutes; skipped under -short")
	}
	runChallenges(t, challenges)
}

// TestDurability runs the crash faults of issue 4 on the bench.
func TestDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs take minutes; skipped under -short")
	}
	runChallenges(t, durability)
}

// TestChecksCatchAForgetfulNode shows that the durability runs can fail:
// the same node with durability off (-durability none), with every node
// killed at once, forgets every value acknowledged before the kill. Both
// Maelstrom's checker (lost values, exit 1) and the per-node checks of
// consistency_test.go (reads going backwards) must say so.
func TestChecksCatchAForgetfulNode(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run; skipped under -short")
	}
	t.Parallel()
	r := runBenchEnv(t, []string{"BROADCAST_DURABILITY=none"},
		"--node-count", "5", "--rate", "20", "--latency", "10", "--time-limit", "10", "--seed", "1",
		"--nemesis", "kill-all")
	if r.Dir == "" || r.Results == nil {
		t.Fatalf("no results (exit %d)\n%s", r.Exit, tail(r.Stderr, 20))
	}
	if lost := num(get(r.Results, "workload", "lost-count")); lost == 0 || r.Exit != 1 {
		t.Errorf("memory-only nodes all killed: lost-count %v, exit %d; want lost values and exit 1", lost, r.Exit)
	}
	bad, err := consistencyViolations(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) == 0 {
		t.Errorf("memory-only nodes all killed: no read went backwards; the per-node check cannot fail (run %s)", r.Dir)
	} else {
		t.Logf("caught, as it should be: %s", bad[0])
	}
}
