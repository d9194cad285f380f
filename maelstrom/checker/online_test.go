package checker

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"testing"

	"broadcast/maelstrom/checker/synth"
	"broadcast/maelstrom/history"
)

// comparable strips from res what the oracle does not compute (plot spans,
// op rate, invocation times) and the op copies the online checker only
// resolves for :worst-stale.
func comparable(res Results) Results {
	res.Spans, res.LastTime, res.Bench.OpRate = nil, 0, nil
	strip := func(r *OpRef, keepOp bool) *OpRef {
		if r == nil {
			return nil
		}
		c := *r
		c.pos = 0
		if !keepOp {
			c.Op = nil
		}
		return &c
	}
	strips := func(es []Element, keepOps bool) []Element {
		out := make([]Element, len(es))
		for i, e := range es {
			e.Invoked = 0
			e.Known, e.LastPresent, e.LastAbsent = strip(e.Known, keepOps), strip(e.LastPresent, keepOps), strip(e.LastAbsent, keepOps)
			out[i] = e
		}
		return out
	}
	w := &res.Workload
	w.Elements, w.WorstStale = strips(w.Elements, false), strips(w.WorstStale, true)
	return res
}

func sameResults(t *testing.T, label string, got, want Results) {
	t.Helper()
	g, w := comparable(got), comparable(want)
	if reflect.DeepEqual(g, w) {
		return
	}
	for _, part := range []struct {
		name string
		a, b any
	}{
		{"workload", g.Workload, w.Workload}, {"stats", g.Stats, w.Stats}, {"availability", g.Availability, w.Availability},
		{"net", g.Net, w.Net}, {"exceptions", g.Exceptions, w.Exceptions}, {"bench", g.Bench, w.Bench}, {"valid", g.Valid, w.Valid},
	} {
		if !reflect.DeepEqual(part.a, part.b) {
			t.Fatalf("%s: %s differs from the batch oracle:\nonline %+v\noracle %+v", label, part.name, part.a, part.b)
		}
	}
	t.Fatalf("%s: results differ from the batch oracle", label)
}

// Rule: the online checker's results equal the batch checker's (the oracle
// kept in oracle_test.go) on random concurrent histories, including broken
// ones where parts error out.
func TestOnlineMatchesBatchOracle(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 60
	}
	thresholds := []string{"", "total", "0.5", "bogus"}
	for seed := int64(1); seed <= int64(seeds); seed++ {
		rng := rand.New(rand.NewSource(seed))
		ops := randomHistory(rng, 1+rng.Intn(6), 20+rng.Intn(300))
		if seed%3 == 0 && len(ops) > 0 { // break pairs now and then
			k := rng.Intn(len(ops))
			ops = append(ops[:k:k], ops[k+1:]...)
		}
		cfg := Config{Availability: thresholds[seed%4]}
		if seed%2 == 0 {
			cfg.Params = &Params{NodeCount: 3, TimeLimit: 1}
		}
		net := history.Net{All: history.Counts{Send: seed, Recv: seed, Msg: seed}}
		run := history.Run{Ops: ops, Net: net, Faults: []history.Interval{{Kind: "partition", Start: 1, End: 2}}}
		got, want := CheckWith(run, cfg), oracleCheck(run, cfg)
		if seed%3 == 0 { // broken pairs: the miss hook's pairing is the online checker's own
			got.Bench.Staleness, want.Bench.Staleness = nil, nil
		}
		sameResults(t, fmt.Sprintf("seed %d", seed), got, want)
	}
}

// Rule: the same holds on synthetic runs shaped like real ones (grid
// spread, partitions, lost values, timeouts).
func TestOnlineMatchesBatchOracleSynth(t *testing.T) {
	for seed := int64(1); seed <= 6; seed++ {
		cfg := synth.Gossip3d()
		cfg.Seed, cfg.TimeLimit = seed, 5
		cfg.Partitions = seed%2 == 0
		if seed%3 == 0 {
			cfg.LoseEvery, cfg.TimeoutEvery = 7, 11
		}
		run := synth.Run(cfg)
		sameResults(t, fmt.Sprintf("synth seed %d", seed), Check(run), oracleCheck(run, DefaultConfig()))
	}
}

// Rule: the read-miss hook gives, for each ok read, exactly the values
// whose first ok broadcast completion is before the read's invocation time
// and that the read lacks, ascending; checked against a direct scan.
func TestReadMissHookMatchesDirectScan(t *testing.T) {
	for seed := int64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewSource(seed))
		ops := randomHistory(rng, 1+rng.Intn(6), 20+rng.Intn(300))
		type miss struct {
			node   string
			invoke int64
			missed []int64
		}
		var got []miss
		c := NewOnline(DefaultConfig())
		c.OnReadMiss(func(node string, invoke int64, missed []int64) {
			got = append(got, miss{node, invoke, append([]int64{}, missed...)})
		})
		for i := range ops {
			ops[i].Node = fmt.Sprintf("n%d", ops[i].Process%3)
			c.Observe(ops[i])
		}
		// The direct scan.
		var want []miss
		ackAt := map[int64]int64{}
		completions(ops, func(op history.Op, invPos int) {
			if op.Type != history.OK || invPos < 0 {
				return
			}
			inv := ops[invPos]
			if op.F == "broadcast" {
				v := op.Value.(int64)
				if _, ok := ackAt[v]; !ok {
					ackAt[v] = op.Time
				}
				return
			}
			rv := op.Read()
			m := []int64{}
			for v, at := range ackAt {
				if at < inv.Time && !rv.Has(v) {
					m = append(m, v)
				}
			}
			sort.Slice(m, func(a, b int) bool { return m[a] < m[b] })
			want = append(want, miss{op.Node, inv.Time, m})
		})
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d hook calls, want %d", seed, len(got), len(want))
		}
		for i := range got {
			if len(got[i].missed) == 0 {
				got[i].missed = []int64{}
			}
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("seed %d: call %d = %+v, want %+v", seed, i, got[i], want[i])
			}
		}
	}
}
