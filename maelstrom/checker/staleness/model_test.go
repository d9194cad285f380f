package staleness

import (
	"fmt"
	"math/rand"
	"testing"

	"broadcast/maelstrom/history"
)

// faultState is the reference model's view of the faults at one moment.
type faultState struct {
	cut         map[[2]int]bool // [receiver, sender]
	down, pause map[int]bool
	closure     [][]bool // reaches' result, computed once
}

func (s faultState) clone() faultState {
	c := faultState{cut: map[[2]int]bool{}, down: map[int]bool{}, pause: map[int]bool{}}
	for k, v := range s.cut {
		c.cut[k] = v
	}
	for k, v := range s.down {
		c.down[k] = v
	}
	for k, v := range s.pause {
		c.pause[k] = v
	}
	return c
}

// reaches is the transitive closure (Floyd-Warshall) of the live links.
func (s *faultState) reaches(n, from, to int) bool {
	if s.closure != nil {
		return s.closure[from][to]
	}
	live := func(i int) bool { return !s.down[i] && !s.pause[i] }
	r := make([][]bool, n)
	for i := range r {
		r[i] = make([]bool, n)
		for j := range r[i] {
			r[i][j] = live(i) && live(j) && (i == j || !s.cut[[2]int{j, i}])
		}
	}
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				r[i][j] = r[i][j] || (r[i][k] && r[k][j])
			}
		}
	}
	s.closure = r
	return r[from][to]
}

// Rule: on random histories with random partitions (any directed grudge),
// kills, restarts, pauses and resumes, the incremental tracker gives the
// same per-value figures as a reference that re-derives reachability from
// scratch for every fault state between each ack and each read.
func TestTrackerMatchesReferenceModel(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	for h := 0; h < 200; h++ {
		n := 2 + r.Intn(5)
		nodes := make([]string, n)
		for i := range nodes {
			nodes[i] = fmt.Sprintf("n%d", i)
		}
		tr := New(nodes)
		// states[i] holds from times[i] on.
		times := []int64{-1 << 62}
		states := []faultState{{cut: map[[2]int]bool{}, down: map[int]bool{}, pause: map[int]bool{}}}
		partitioned := false
		lastHeal := int64(never)
		type ackd struct {
			t      int64
			origin int
		}
		acks := map[int64]ackd{}
		var order []int64
		wantReach, wantHeal := map[int64]int64{}, map[int64]int64{}
		var now int64
		tick := func() int64 { now += 1 + r.Int63n(50e6); return now }
		nem := func(f string, comp any, apply func(s *faultState)) {
			tr.Op(history.Op{Time: tick(), Type: history.Info, Process: history.NemesisProcess, F: f, Value: "x"})
			at := tick()
			tr.Op(history.Op{Time: at, Type: history.Info, Process: history.NemesisProcess, F: f, Value: comp})
			s := states[len(states)-1].clone()
			apply(&s)
			times, states = append(times, at), append(states, s)
		}
		stateAt := func(t int64) int { // index of the state in force at t
			i := 0
			for i+1 < len(times) && times[i+1] <= t {
				i++
			}
			return i
		}
		next := int64(0)
		for step := 0; step < 150; step++ {
			switch k := r.Intn(10); {
			case k < 3: // broadcast
				node := r.Intn(n)
				tr.Op(history.Op{Time: tick(), Type: history.Invoke, Process: node, F: "broadcast", Value: next, Node: nodes[node]})
				at := tick()
				tr.Op(history.Op{Time: at, Type: history.OK, Process: node, F: "broadcast", Value: next, Node: nodes[node]})
				acks[next] = ackd{t: at, origin: node}
				order = append(order, next)
				next++
			case k < 7: // read, maybe with a fault while in flight
				node := r.Intn(n)
				inv := tick()
				tr.Op(history.Op{Time: inv, Type: history.Invoke, Process: 100 + node, F: "read", Node: nodes[node]})
				si := stateAt(inv)
				part, heal := partitioned, lastHeal
				if r.Intn(4) == 0 {
					p := r.Intn(n)
					nem("pause", map[string]string{nodes[p]: "paused"}, func(s *faultState) { s.pause[p] = true })
				}
				var missed []int64
				for _, v := range order {
					if r.Intn(3) > 0 {
						continue
					}
					missed = append(missed, v)
					a := acks[v]
					ok := true
					for i := stateAt(a.t); i <= si; i++ {
						if !states[i].reaches(n, a.origin, node) {
							ok = false
						}
					}
					if ok {
						wantReach[v] = max(wantReach[v], (inv+1-a.t)/1e6)
					}
					if !part {
						wantHeal[v] = max(wantHeal[v], (inv+1-max(a.t, heal))/1e6)
					}
				}
				tr.Missed(nodes[node], inv, missed)
				tr.Op(history.Op{Time: tick(), Type: history.OK, Process: 100 + node, F: "read", Node: nodes[node]})
			default: // a fault event
				x := r.Intn(n)
				switch r.Intn(6) {
				case 0:
					g := map[string][]string{}
					cut := map[[2]int]bool{}
					for a := 0; a < n; a++ {
						for b := 0; b < n; b++ {
							if a != b && r.Intn(3) == 0 {
								g[nodes[a]] = append(g[nodes[a]], nodes[b])
								cut[[2]int{a, b}] = true
							}
						}
					}
					nem("start-partition", []any{"isolated", g}, func(s *faultState) { s.cut = cut })
					partitioned = len(cut) > 0
				case 1:
					nem("stop-partition", "network-healed", func(s *faultState) { s.cut = map[[2]int]bool{} })
					if partitioned {
						lastHeal = now
					}
					partitioned = false
				case 2:
					nem("kill", map[string]string{nodes[x]: "killed"}, func(s *faultState) { s.down[x], s.pause[x] = true, false })
				case 3:
					nem("start", map[string]string{nodes[x]: "started"}, func(s *faultState) { s.down[x], s.pause[x] = false, false })
				case 4:
					nem("pause", map[string]string{nodes[x]: "paused"}, func(s *faultState) { s.pause[x] = true })
				case 5:
					nem("resume", map[string]string{nodes[x]: "resumed"}, func(s *faultState) { s.pause[x] = false })
				}
			}
		}
		got := map[int64][2]int64{}
		for _, v := range order {
			val := tr.values[v]
			got[v] = [2]int64{max(0, val.reach) / 1e6, max(0, val.heal) / 1e6}
			if got[v][0] != wantReach[v] || got[v][1] != wantHeal[v] {
				t.Fatalf("seed %d history %d value %d: tracker %d/%d ms, reference %d/%d ms (while reachable/after heal)",
					seed, h, v, got[v][0], got[v][1], wantReach[v], wantHeal[v])
			}
		}
	}
}
