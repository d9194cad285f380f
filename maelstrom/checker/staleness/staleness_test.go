package staleness

import (
	"fmt"
	"testing"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/quantile"
)

const ms = int64(1e6)

// script drives a Tracker with hand-written ops; times are in ms.
type script struct {
	t     *testing.T
	tr    *Tracker
	nodes []string
	proc  map[string]int
}

func newScript(t *testing.T, n int) *script {
	nodes := make([]string, n)
	proc := map[string]int{}
	for i := range nodes {
		nodes[i] = fmt.Sprintf("n%d", i)
		proc[nodes[i]] = i
	}
	return &script{t: t, tr: New(nodes), nodes: nodes, proc: proc}
}

func (s *script) ack(v int64, node string, at int64) {
	p := s.proc[node]
	s.tr.Op(history.Op{Time: at*ms - ms/2, Type: history.Invoke, Process: p, F: "broadcast", Value: v, Node: node})
	s.tr.Op(history.Op{Time: at * ms, Type: history.OK, Process: p, F: "broadcast", Value: v, Node: node})
}

// read invokes a read on node at inv, runs during (faults while the read is
// in flight), reports missed, and completes it.
func (s *script) read(node string, inv int64, during func(), missed ...int64) {
	p := s.proc[node]
	s.tr.Op(history.Op{Time: inv * ms, Type: history.Invoke, Process: p, F: "read", Node: node})
	if during != nil {
		during()
	}
	s.tr.Missed(node, inv*ms, missed)
	s.tr.Op(history.Op{Time: inv*ms + ms/2, Type: history.OK, Process: p, F: "read", Node: node})
}

func (s *script) nem(at int64, f string, inv, comp any) {
	s.tr.Op(history.Op{Time: at*ms - 1, Type: history.Info, Process: history.NemesisProcess, F: f, Value: inv})
	s.tr.Op(history.Op{Time: at * ms, Type: history.Info, Process: history.NemesisProcess, F: f, Value: comp})
}

// partition isolates the components from each other (shapes one,
// minority-third, majority).
func (s *script) partition(at int64, components ...[]string) {
	comp := map[string]int{}
	for i, c := range components {
		for _, x := range c {
			comp[x] = i
		}
	}
	g := map[string][]string{}
	for _, a := range s.nodes {
		g[a] = []string{}
		for _, b := range s.nodes {
			if comp[a] != comp[b] {
				g[a] = append(g[a], b)
			}
		}
	}
	s.grudge(at, g)
}

func (s *script) grudge(at int64, g map[string][]string) {
	s.nem(at, "start-partition", "shape", []any{"isolated", g})
}

func (s *script) heal(at int64) { s.nem(at, "stop-partition", nil, "network-healed") }

func (s *script) node(at int64, f, node, result string) {
	s.nem(at, f, "one", map[string]string{node: result})
}

// want checks the maxima (worst staleness) of both figures, in ms.
func (s *script) want(reach, heal int64) {
	s.t.Helper()
	f := s.tr.Figures()
	r, _ := f.Reachable.At(1)
	h, _ := f.AfterHeal.At(1)
	if r != reach || h != heal {
		s.t.Fatalf("max staleness while reachable %d ms, after heal %d ms; want %d and %d", r, h, reach, heal)
	}
}

// Rule: under a partition, a read on the far side of the cut does not count
// while reachable; a read on the near side does, for its whole wait; after
// heal, only reads invoked with no partition count, from the heal.
func TestPartitionShapes(t *testing.T) {
	for _, c := range []struct {
		name       string
		n          int
		near, far  string
		components [][]string
	}{
		{"one", 5, "n2", "n0", [][]string{{"n0"}, {"n1", "n2", "n3", "n4"}}},
		{"minority-third", 7, "n5", "n1", [][]string{{"n0", "n1"}, {"n2", "n3", "n4", "n5", "n6"}}},
		{"majority", 5, "n4", "n2", [][]string{{"n1", "n2"}, {"n0", "n3", "n4"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newScript(t, c.n)
			s.ack(1, "n3", 100)
			s.partition(200, c.components...)
			s.read(c.far, 1100, nil, 1) // cut off: excluded while reachable
			s.read(c.near, 900, nil, 1) // 800 ms while reachable, partitioned
			s.want(800, 0)
			s.heal(2000)
			s.read(c.far, 2300, nil, 1) // 300 ms after the heal
			s.want(800, 300)
		})
	}
}

// Rule: the majorities ring is not transitive, but a value counts as
// reachable over a path of several hops; with both paths cut by pauses it
// does not.
func TestMajoritiesRingTwoHops(t *testing.T) {
	s := newScript(t, 5)
	// ring n0-n1-n2-n3-n4-n0: each node hears only itself and its two
	// neighbours.
	ring := map[string][]string{
		"n0": {"n2", "n3"}, "n1": {"n3", "n4"}, "n2": {"n0", "n4"}, "n3": {"n0", "n1"}, "n4": {"n1", "n2"},
	}
	s.grudge(0, ring)
	s.ack(1, "n0", 100)
	s.read("n2", 400, nil, 1) // n0 -> n1 -> n2
	s.want(300, 0)
	s.node(500, "pause", "n1", "paused")
	s.ack(2, "n0", 600)
	s.read("n2", 1000, nil, 2) // n0 -> n4 -> n3 -> n2
	s.want(400, 0)
	s.node(1100, "pause", "n3", "paused")
	s.ack(3, "n0", 1200)
	s.read("n2", 1900, nil, 3) // both ways cut by pauses
	s.want(400, 0)
	// Directed: n2 dropping n1 alone leaves n0 -> n4 -> n3 -> n2.
	s.nem(2000, "resume", "all", map[string]string{"n1": "resumed", "n3": "resumed"})
	s.heal(2000)
	s.grudge(2100, map[string][]string{"n2": {"n1"}})
	s.ack(4, "n0", 2200)
	s.read("n2", 2700, nil, 4)
	s.want(500, 0)
}

// Rule: a paused reader, or a paused origin, is not reachable for the
// pause; pauses are not partitions, so after heal still counts.
func TestPausedNode(t *testing.T) {
	s := newScript(t, 3)
	s.ack(1, "n0", 0)
	s.node(100, "pause", "n1", "paused")
	s.read("n2", 2000, nil, 1) // n1's pause does not cut n0 -> n2
	s.node(3000, "resume", "n1", "resumed")
	s.read("n1", 3500, nil, 1) // n1 was paused since the ack
	s.want(2000, 3500)
	s.ack(2, "n0", 4000)
	s.node(4100, "pause", "n0", "paused")
	s.read("n2", 9000, nil, 2) // the origin is paused
	s.want(2000, 5000)
}

// Rule: a killed node is not reachable until it is started again; a kill
// ends a pause, so the restarted node is up.
func TestKilledNode(t *testing.T) {
	s := newScript(t, 3)
	s.ack(1, "n0", 0)
	s.node(100, "kill", "n1", "killed")
	s.node(1000, "start", "n1", "started")
	s.read("n1", 1500, nil, 1)
	s.want(0, 1500)
	s.node(2000, "pause", "n2", "paused")
	s.node(2100, "kill-all", "n2", "killed")
	s.node(2200, "start-all", "n2", "started")
	s.ack(2, "n0", 2300)
	s.read("n2", 2900, nil, 2) // up and not paused since 2200
	s.want(600, 1500)
	s.node(3000, "kill", "n1", "error: n1 is not running") // not applied
	s.ack(3, "n0", 3000)
	s.read("n1", 3700, nil, 3)
	s.want(700, 1500)
}

// Rule: a read just after a heal counts after heal from the heal, not from
// the ack; a value acknowledged after the heal counts from its ack; a
// stop-partition with no partition in force is not a heal.
func TestReadJustAfterHeal(t *testing.T) {
	s := newScript(t, 5)
	s.partition(0, []string{"n0"}, []string{"n1", "n2", "n3", "n4"})
	s.ack(1, "n1", 500)
	s.heal(1000)
	s.read("n0", 1050, nil, 1)
	s.want(0, 50)
	s.ack(2, "n1", 1100)
	s.read("n0", 1300, nil, 2)
	s.want(200, 200)
	s.heal(5000) // the final heal, nothing to heal
	s.read("n0", 5200, nil, 1)
	s.want(200, 4200)
}

// Rule: a read is judged by the faults at its invocation, even when a fault
// starts or ends while it is in flight.
func TestReadStraddlesFault(t *testing.T) {
	s := newScript(t, 5)
	s.ack(1, "n1", 0)
	s.read("n0", 500, func() { s.partition(600, []string{"n0"}, []string{"n1", "n2", "n3", "n4"}) }, 1)
	s.want(500, 500)
	s.ack(2, "n1", 700)
	s.read("n0", 900, func() { s.heal(1000) }, 2) // invoked while cut off
	s.want(500, 500)
	s.read("n0", 1400, nil, 2)
	s.want(500, 500) // 2: cut until 1000 > ack; after heal 400
	f := s.tr.Figures()
	if f.AfterHeal.Values != 2 || f.AfterHeal.Stale != 2 {
		t.Fatalf("after heal %+v", f.AfterHeal)
	}
}

// Rule: quantiles are over every acknowledged value at its worst case;
// values never missed count 0; Maelstrom's index rule floor(n*q), capped.
func TestQuantilesOverValues(t *testing.T) {
	s := newScript(t, 2)
	for v := int64(0); v < 10; v++ {
		s.ack(v, "n0", 0)
	}
	s.read("n1", 10, nil, 0, 1, 2) // 10 ms
	s.read("n1", 30, nil, 0)       // 30 ms: 0's worst case
	f := s.tr.Figures()
	want := []int64{0, 0, 30, 30, 30}
	for i, q := range quantile.Points {
		if got, _ := f.Reachable.At(q); got != want[i] {
			t.Fatalf("q %v: %d, want %d (%+v)", q, got, want[i], f.Reachable)
		}
	}
	if f.Reachable.Values != 10 || f.Reachable.Stale != 3 || f.Reachable.WorstValue != 0 {
		t.Fatalf("%+v", f.Reachable)
	}
	s.read("n1", 100, nil, 5, 6, 7)
	f = s.tr.Figures()
	// sorted: 0 0 0 0 10 10 30 100 100 100
	if got, _ := f.Reachable.At(0.5); got != 10 {
		t.Fatalf("median %d, want 10", got)
	}
	if got, _ := f.Reachable.At(0.95); got != 100 {
		t.Fatalf("p95 %d, want 100", got)
	}
}

// Rule: the nemesis values read back from history.json (generic maps and
// lists) are understood as the in-memory ones.
func TestJSONShapedNemesisValues(t *testing.T) {
	s := newScript(t, 3)
	s.ack(1, "n0", 0)
	s.nem(10, "start-partition", "one", []any{"isolated", map[string]any{"n2": []any{"n0", "n1"}, "n0": []any{"n2"}, "n1": []any{"n2"}}})
	s.nem(20, "pause", "one", map[string]any{"n1": "paused"})
	s.read("n2", 500, nil, 1)
	s.read("n1", 600, nil, 1)
	s.want(0, 0)
}
