package checker

import (
	"math/rand"
	"sort"

	"broadcast/maelstrom/history"
)

// simNode decides what a scripted node does; the sim calls it synchronously.
type simNode interface {
	// broadcast handles value v arriving at node n; it returns the
	// completion type (ok, fail, info) and error.
	broadcast(n int, v int64) (history.Type, any)
	// read returns node n's values, or ok=false for a read timeout.
	read(n int) ([]int64, bool)
}

// ackNoGossip stores each value on the node that received it and never
// tells anyone (MODEL.md, "Acceptance cases" 11).
type ackNoGossip struct{ held map[int][]int64 }

func (a *ackNoGossip) broadcast(n int, v int64) (history.Type, any) {
	a.held[n] = append(a.held[n], v)
	return history.OK, nil
}

func (a *ackNoGossip) read(n int) ([]int64, bool) {
	return append([]int64(nil), a.held[n]...), true
}

// perfect delivers every value to every node at once.
type perfect struct{ all []int64 }

func (p *perfect) broadcast(n int, v int64) (history.Type, any) {
	p.all = append(p.all, v)
	return history.OK, nil
}

func (p *perfect) read(n int) ([]int64, bool) { return append([]int64(nil), p.all...), true }

// simulate runs a sequential Maelstrom-like workload: `steps` main-phase
// operations (broadcast or read with probability 1/2, values 0, 1, 2, ...),
// worker t talking to node t mod nodes, then one final read per worker, all
// invoked before any completes (they start almost together).
func simulate(seed int64, nodes, workers, steps int, node simNode) []history.Op {
	rng := rand.New(rand.NewSource(seed))
	h := &hist{}
	var t int64 = 0
	var next int64
	procs := make([]int, workers)
	for i := range procs {
		procs[i] = i
	}
	for i := 0; i < steps; i++ {
		w := i % workers
		p := procs[w]
		t += int64(rng.Intn(20))
		if rng.Intn(2) == 0 {
			v := next
			next++
			h.bInv(p, v, t)
			typ, err := node.broadcast(w%nodes, v)
			t++
			h.bDone(p, typ, v, t, err)
			if typ == history.Info {
				procs[w] += workers
			}
		} else {
			h.rInv(p, t)
			vals, ok := node.read(w % nodes)
			t++
			if ok {
				h.rOKInts(p, t, vals...)
			} else {
				h.rFail(p, t+5000, "net-timeout")
			}
		}
	}
	t += 10000
	for w := 0; w < workers; w++ {
		h.rFinal(procs[w], t+int64(w))
	}
	for w := 0; w < workers; w++ {
		vals, _ := node.read(w % nodes)
		h.rOKInts(procs[w], t+50, vals...)
	}
	return h.ops
}

func sorted64(xs []int64) []int64 {
	out := append([]int64{}, xs...)
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}
