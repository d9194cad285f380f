package checker

import (
	"fmt"
	"math/rand"
	"testing"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/quantile"
)

// noFaultHistory is a random fault-free history in which every broadcast is
// acknowledged before any read shows its value (so Maelstrom's "known" is
// the ack), times grow with the index, and the final reads see every value.
func noFaultHistory(r *rand.Rand) history.Run {
	nodes := []string{"n0", "n1", "n2", "n3", "n4"}
	procs := 2 * len(nodes)
	var ops []history.Op
	var t int64
	add := func(op history.Op) {
		t += 1 + r.Int63n(3e6)
		op.Time, op.Index = t, len(ops)
		ops = append(ops, op)
	}
	type ackAt struct {
		v int64
		t int64
	}
	var acked []ackAt
	busy := make([]*history.Op, procs)
	next := int64(0)
	steps := 50 + r.Intn(400)
	for s := 0; s < steps; s++ {
		p := r.Intn(procs)
		node := nodes[p%len(nodes)]
		if busy[p] == nil {
			op := history.Op{Type: history.Invoke, Process: p, F: "read", Node: node}
			if r.Intn(2) == 0 {
				op.F, op.Value = "broadcast", next
				next++
			}
			add(op)
			busy[p] = &ops[len(ops)-1]
			continue
		}
		inv := *busy[p]
		busy[p] = nil
		comp := inv
		comp.Type = history.OK
		if inv.F == "read" {
			// Each acknowledged value shows with a probability that grows
			// with its age.
			var vals []any
			for _, a := range acked {
				if age := t - a.t; r.Int63n(60e6) < age {
					vals = append(vals, a.v)
				}
			}
			comp.Value = vals
			add(comp)
		} else {
			add(comp)
			acked = append(acked, ackAt{v: inv.Value.(int64), t: t})
		}
	}
	for p, b := range busy {
		if b != nil {
			comp := *b
			comp.Type = history.OK
			if b.F == "read" {
				comp.Value = []any{}
			}
			add(comp)
			if b.F == "broadcast" {
				acked = append(acked, ackAt{v: b.Value.(int64), t: t})
			}
			busy[p] = nil
		}
	}
	all := make([]any, len(acked))
	for i, a := range acked {
		all[i] = a.v
	}
	for p := 0; p < procs; p++ {
		add(history.Op{Type: history.Invoke, Process: p, F: "read", Node: nodes[p%len(nodes)], Final: true})
	}
	for p := 0; p < procs; p++ {
		add(history.Op{Type: history.OK, Process: p, F: "read", Node: nodes[p%len(nodes)], Final: true, Value: all})
	}
	return history.Run{Nodes: nodes, Concurrency: procs, Ops: ops}
}

// Rule: with no faults, staleness while reachable and staleness after heal
// both equal Maelstrom's stable latencies over the same reads.
func TestStalenessEqualsStableLatencyWithoutFaults(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	stale := 0
	for i := 0; i < 300; i++ {
		run := noFaultHistory(r)
		res := CheckWith(run, Config{})
		w, f := res.Workload, *res.Bench.Staleness
		if w.StableCount != f.Reachable.Values {
			t.Fatalf("seed %d history %d: %d stable values, %d acknowledged", seed, i, w.StableCount, f.Reachable.Values)
		}
		for _, q := range quantile.Points {
			want, ok := w.StableLatencies.At(q)
			rq, rok := f.Reachable.At(q)
			hq, hok := f.AfterHeal.At(q)
			if ok != rok || ok != hok || want != rq || want != hq {
				t.Fatalf("seed %d history %d q %v: stable latency %d (%v), while reachable %d (%v), after heal %d (%v)",
					seed, i, q, want, ok, rq, rok, hq, hok)
			}
		}
		if w.StaleCount != f.Reachable.Stale || w.StaleCount != f.AfterHeal.Stale {
			t.Fatalf("seed %d history %d: stale %d, %d, %d", seed, i, w.StaleCount, f.Reachable.Stale, f.AfterHeal.Stale)
		}
		stale += w.StaleCount
	}
	if stale < 1000 {
		t.Fatalf("seed %d: only %d stale values over 300 histories: the comparison says little", seed, stale)
	}
}

// Rule: the batch path gives the tracker exactly the values acknowledged
// before a read's invocation that the read lacks: a value acknowledged while
// the read is in flight is not a miss.
func TestStalenessBatchMisses(t *testing.T) {
	ops := []history.Op{
		{Time: 0, Type: history.Invoke, Process: 0, F: "broadcast", Value: int64(7), Node: "n0"},
		{Time: 1e6, Type: history.OK, Process: 0, F: "broadcast", Value: int64(7), Node: "n0"},
		{Time: 50e6, Type: history.Invoke, Process: 1, F: "read", Node: "n1"},
		{Time: 51e6, Type: history.Invoke, Process: 0, F: "broadcast", Value: int64(8), Node: "n0"},
		{Time: 52e6, Type: history.OK, Process: 0, F: "broadcast", Value: int64(8), Node: "n0"},
		{Time: 53e6, Type: history.OK, Process: 1, F: "read", Node: "n1", Value: []any{}},
	}
	for i := range ops {
		ops[i].Index = i
	}
	f := *CheckWith(history.Run{Ops: ops, Nodes: []string{"n0", "n1"}}, Config{}).Bench.Staleness
	if m, _ := f.Reachable.At(1); m != 49 || f.Reachable.Stale != 1 || f.Reachable.WorstValue != 7 {
		t.Fatal(fmt.Sprintf("%+v: want value 7 stale 49 ms, value 8 not missed", f.Reachable))
	}
}
