package checker

import (
	"math/rand"
	"reflect"
	"sort"
	"strconv"
	"testing"

	"broadcast/maelstrom/history"
)

// randomHistory interleaves `procs` client processes issuing broadcasts and
// reads, completions in random order, reads returning random subsets of the
// values invoked so far (plus noise: duplicates, 3.0-style floats, unknown
// values), with random fail and info outcomes and nemesis ops.
func randomHistory(rng *rand.Rand, procs, steps int) []history.Op {
	h := &hist{}
	type pend struct {
		f string
		v int64
	}
	running := map[int]*pend{}
	var next int64
	var t int64
	for i := 0; i < steps; i++ {
		t += int64(rng.Intn(5))
		p := rng.Intn(procs)
		if rng.Intn(20) == 0 {
			h.nemesis("start-partition", t)
			continue
		}
		if op, busy := running[p]; busy {
			delete(running, p)
			r := rng.Intn(10)
			if op.f == "broadcast" {
				switch {
				case r < 7:
					h.bDone(p, history.OK, op.v, t, nil)
				case r < 9:
					h.bDone(p, history.Info, op.v, t, "net-timeout")
				default:
					h.bDone(p, history.Fail, op.v, t, []any{"temporarily-unavailable", "x"})
				}
				continue
			}
			if r < 8 {
				var raw []string
				for v := int64(0); v < next; v++ {
					if rng.Intn(3) > 0 {
						raw = append(raw, strconv.FormatInt(v, 10))
						if rng.Intn(10) == 0 {
							raw = append(raw, strconv.FormatInt(v, 10)) // duplicate
						}
					} else if rng.Intn(10) == 0 {
						raw = append(raw, strconv.FormatInt(v, 10)+".0") // never equal
					}
				}
				if rng.Intn(5) == 0 {
					raw = append(raw, "100000")
				}
				rng.Shuffle(len(raw), func(a, b int) { raw[a], raw[b] = raw[b], raw[a] })
				h.rOK(p, t, raw...)
			} else {
				h.rFail(p, t, "net-timeout")
			}
			continue
		}
		if rng.Intn(2) == 0 {
			running[p] = &pend{f: "broadcast", v: next}
			h.bInv(p, next, t)
			next++
		} else {
			running[p] = &pend{f: "read"}
			if rng.Intn(4) == 0 {
				h.rFinal(p, t)
			} else {
				h.rInv(p, t)
			}
		}
	}
	return h.ops
}

// naiveWorkload is set-full written per element, straight from the spec's
// definitions, without the single sweep: for each element, scan the whole
// history for the ops that set known, last-present and last-absent.
func naiveWorkload(ops []history.Op) (stable, lost, never []int64, stableLat, lostLat map[int64]int64) {
	stableLat, lostLat = map[int64]int64{}, map[int64]int64{}
	invOf := func(c int) int { // latest earlier invocation by the same process
		for j := c - 1; j >= 0; j-- {
			if ops[j].Process == ops[c].Process && ops[j].Type == history.Invoke {
				return j
			}
		}
		return -1
	}
	type elem struct {
		v     int64
		start int // position of its (last) broadcast invocation
	}
	var elems []elem
	at := map[int64]int{}
	for i, op := range ops {
		if op.Process >= 0 && op.F == "broadcast" && op.Type == history.Invoke {
			v := op.Value.(int64)
			if j, ok := at[v]; ok {
				elems[j].start = i
			} else {
				at[v] = len(elems)
				elems = append(elems, elem{v, i})
			}
		}
	}
	for _, e := range elems {
		known, lp, la := -1, -1, -1
		for i := e.start + 1; i < len(ops); i++ {
			op := ops[i]
			if op.Process < 0 || op.Type != history.OK {
				continue
			}
			if op.F == "broadcast" && op.Value.(int64) == e.v && known == -1 {
				known = i
			}
			if op.F != "read" {
				continue
			}
			inv := invOf(i)
			present := false
			for _, r := range op.ReadValues() {
				if string(r) == strconv.FormatInt(e.v, 10) {
					present = true
				}
			}
			if present {
				if known == -1 {
					known = i
				}
				if lp == -1 || ops[lp].Index < ops[inv].Index {
					lp = inv
				}
			} else if la == -1 || ops[la].Index < ops[inv].Index {
				la = inv
			}
		}
		idx := func(p int) int {
			if p < 0 {
				return -1
			}
			return ops[p].Index
		}
		lat := func(at int, from int) int64 {
			var t int64
			if at >= 0 {
				t = ops[at].Time + 1
			}
			d := t - ops[from].Time
			if d < 0 {
				return 0
			}
			return d / 1e6
		}
		switch {
		case lp >= 0 && idx(la) < idx(lp):
			stable = append(stable, e.v)
			stableLat[e.v] = lat(la, known)
		case known >= 0 && la >= 0 && idx(lp) < idx(la) && idx(known) < idx(la):
			lost = append(lost, e.v)
			lostLat[e.v] = lat(lp, known)
		default:
			never = append(never, e.v)
		}
	}
	return
}

// Property: the single-sweep checker agrees with the per-element reference
// on random concurrent histories, element by element.
func TestWorkloadMatchesNaiveModel(t *testing.T) {
	seeds := 400
	if testing.Short() {
		seeds = 60
	}
	for seed := int64(1); seed <= int64(seeds); seed++ {
		rng := rand.New(rand.NewSource(seed))
		ops := randomHistory(rng, 1+rng.Intn(6), 20+rng.Intn(200))
		w := CheckWorkload(ops)
		stable, lost, never, sl, ll := naiveWorkload(ops)
		var gotStable []int64
		for _, e := range w.Elements {
			if e.Outcome == "stable" {
				gotStable = append(gotStable, e.Value)
				if *e.StableLatency != sl[e.Value] {
					t.Fatalf("seed %d: element %d stable latency %d, naive %d", seed, e.Value, *e.StableLatency, sl[e.Value])
				}
			}
			if e.Outcome == "lost" && *e.LostLatency != ll[e.Value] {
				t.Fatalf("seed %d: element %d lost latency %d, naive %d", seed, e.Value, *e.LostLatency, ll[e.Value])
			}
		}
		if !sameSet(gotStable, stable) || !sameSet(w.Lost, lost) || !sameSet(w.NeverRead, never) {
			t.Fatalf("seed %d: stable %v/%v lost %v/%v never %v/%v", seed, gotStable, stable, w.Lost, lost, w.NeverRead, never)
		}
		// Internal consistency of the result map.
		if w.StableCount+w.LostCount+w.NeverReadCount != w.AttemptCount || len(w.Lost) != w.LostCount ||
			len(w.NeverRead) != w.NeverReadCount || len(w.Stale) != w.StaleCount || len(w.WorstStale) > 8 ||
			len(w.WorstStale) != min(8, w.StaleCount) {
			t.Fatalf("seed %d: inconsistent counts %+v", seed, w)
		}
		for _, l := range [][]int64{w.Lost, w.NeverRead, w.Stale} {
			if !sort.SliceIsSorted(l, func(a, b int) bool { return l[a] < l[b] }) {
				t.Fatalf("seed %d: list not sorted: %v", seed, l)
			}
		}
		want := Invalid
		if w.LostCount == 0 {
			want = Valid
			if w.StableCount == 0 {
				want = Unknown
			}
		}
		if w.Valid != want {
			t.Fatalf("seed %d: valid? %v, want %v", seed, w.Valid, want)
		}
	}
}

func sameSet(a, b []int64) bool {
	x := append([]int64{}, a...)
	y := append([]int64{}, b...)
	sort.Slice(x, func(i, j int) bool { return x[i] < x[j] })
	sort.Slice(y, func(i, j int) bool { return y[i] < y[j] })
	if len(x) == 0 && len(y) == 0 {
		return true
	}
	return reflect.DeepEqual(x, y)
}

// FuzzCheck: no history makes Check panic; a part that cannot make sense
// of it reports unknown with an error instead.
func FuzzCheck(f *testing.F) {
	f.Add(int64(1), uint8(3), uint16(50))
	f.Add(int64(7), uint8(1), uint16(5))
	f.Fuzz(func(t *testing.T, seed int64, procs uint8, steps uint16) {
		rng := rand.New(rand.NewSource(seed))
		ops := randomHistory(rng, 1+int(procs%8), int(steps%500))
		// Corrupt it a little: drop an op, so pairs can break.
		if len(ops) > 0 {
			k := rng.Intn(len(ops))
			ops = append(ops[:k:k], ops[k+1:]...)
		}
		res := Check(history.Run{Ops: ops})
		if res.Workload.Error != "" && res.Workload.Valid != Unknown {
			t.Fatalf("errored workload with verdict %v", res.Workload.Valid)
		}
	})
}
