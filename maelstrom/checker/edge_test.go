package checker

import (
	"math/big"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"broadcast/maelstrom/history"
)

// n = 0: no broadcasts at all. attempt-count 0, unknown, no latency maps.
func TestWorkloadNoElements(t *testing.T) {
	h := &hist{}
	h.rFinal(0, 1)
	h.rOKInts(0, 2, 5, 6) // values never broadcast are ignored
	w := Check(history.Run{Ops: h.ops}).Workload
	if w.AttemptCount != 0 || w.Valid != Unknown || len(w.StableLatencies) != 0 || len(w.LostLatencies) != 0 {
		t.Fatalf("%+v", w)
	}
	if w.Lost == nil || w.Stale == nil || w.NeverRead == nil || w.WorstStale == nil {
		t.Fatal("empty lists must be empty, not nil (they print as ())")
	}
	if e := Check(history.Run{}); e.Workload.Valid != Unknown || e.Stats.Valid != Valid || e.Valid != Unknown {
		t.Fatalf("empty history: workload %v stats %v overall %v", e.Workload.Valid, e.Stats.Valid, e.Valid)
	}
}

// Even n: the 0.5 point is the upper median, sorted[floor(n/2)].
func TestQuantilesEvenMedian(t *testing.T) {
	q := QuantilesOf([]int64{40, 10, 30, 20})
	want := Quantiles{{0, 10}, {0.5, 30}, {0.95, 40}, {0.99, 40}, {1, 40}}
	if !reflect.DeepEqual(q, want) {
		t.Fatalf("%v, want %v", q, want)
	}
	if QuantilesOf(nil) != nil {
		t.Fatal("n = 0 must give no quantiles")
	}
	if one := QuantilesOf([]int64{7}); len(one) != 5 || one[4].Value != 7 || one[0].Value != 7 {
		t.Fatalf("n = 1: %v", one)
	}
}

// A read invoked before the broadcast was acknowledged missed it: the
// latency (t(last-absent)+1 - t(known)) is negative and clamps to 0, so the
// element is stable but not stale.
func TestNegativeLatencyClampedToZero(t *testing.T) {
	h := &hist{}
	h.bInv(0, 1, 0)
	h.rInv(1, 5) // invoked before the ack, misses 1
	h.bDone(0, history.OK, 1, 20, nil)
	h.rOKInts(1, 21)
	h.rFinal(0, 100)
	h.rOKInts(0, 101, 1)
	w := Check(history.Run{Ops: h.ops}).Workload
	e, _ := element(w, 1)
	if e.Outcome != "stable" || *e.StableLatency != 0 || w.StaleCount != 0 || e.LastAbsent.Time != 5*ms {
		t.Fatalf("%+v (stale %d)", e, w.StaleCount)
	}
}

// Only elements whose broadcast invocation precedes a read's completion are
// updated by it; an element invoked after a read completed is untouched,
// while one invoked between the read's invocation and completion is.
func TestElementCreatedAfterReadNotAffected(t *testing.T) {
	h := &hist{}
	h.rInv(1, 0)
	h.bInv(0, 1, 1) // invoked while the read is in flight
	h.rOKInts(1, 2)
	h.bInv(0, 2, 3) // invoked after the read completed
	h.bDone(0, history.OK, 2, 4, nil)
	w := Check(history.Run{Ops: h.ops}).Workload
	e1, _ := element(w, 1)
	e2, _ := element(w, 2)
	if e1.LastAbsent == nil || e1.LastAbsent.Index != 0 {
		t.Fatalf("element invoked mid-read: last-absent %+v", e1.LastAbsent)
	}
	if e2.LastAbsent != nil || e2.LastPresent != nil || e2.Known == nil || e2.Outcome != "never-read" {
		t.Fatalf("element invoked after the read: %+v", e2)
	}
	// Seen mid-read: known is the read completion, last-present its
	// invocation (whose index is below the broadcast's).
	h2 := &hist{}
	h2.rInv(1, 0)
	h2.bInv(0, 1, 1)
	h2.rOKInts(1, 2, 1)
	w2 := Check(history.Run{Ops: h2.ops}).Workload
	e, _ := element(w2, 1)
	if e.Known == nil || e.Known.Index != 2 || e.LastPresent.Index != 0 || e.Outcome != "stable" {
		t.Fatalf("%+v", e)
	}
}

// Known (acked) and never seen by any read: lost with lost-latency 0.
func TestLostLatencyWithoutLastPresent(t *testing.T) {
	h := &hist{}
	h.bInv(0, 1, 0)
	h.bDone(0, history.OK, 1, 1, nil)
	h.rFinal(0, 500)
	h.rOKInts(0, 501)
	w := Check(history.Run{Ops: h.ops}).Workload
	e, _ := element(w, 1)
	if e.Outcome != "lost" || *e.LostLatency != 0 || e.StableLatency != nil {
		t.Fatalf("%+v", e)
	}
	if v, ok := w.LostLatencies.At(0.99); !ok || v != 0 {
		t.Fatalf("lost-latencies %v", w.LostLatencies)
	}
	// Absent in a read concurrent with the add (invoked before the ack):
	// never-read, not lost.
	h2 := &hist{}
	h2.bInv(0, 1, 0)
	h2.rInv(1, 1)
	h2.rOKInts(1, 2)
	h2.bDone(0, history.OK, 1, 3, nil)
	if w2 := Check(history.Run{Ops: h2.ops}).Workload; w2.NeverReadCount != 1 || w2.Valid != Unknown {
		t.Fatalf("concurrent absent read: %+v", w2)
	}
}

// worst-stale: up to 8, highest latency first, ties larger value first.
func TestWorstStaleOrder(t *testing.T) {
	h := &hist{}
	lat := []int64{5, 30, 30, 1, 9, 12, 40, 7, 3, 30}
	for v := range lat {
		h.bInv(0, int64(v), 0)
		h.bDone(0, history.OK, int64(v), 0, nil)
	}
	// Each value v is missed by a read invoked at lat[v] ms, then seen by all.
	for v, l := range lat {
		var others []int64
		for u := range lat {
			if u != v {
				others = append(others, int64(u))
			}
		}
		h.rInv(1+v, l)
		h.rOKInts(1+v, l, others...)
	}
	all := make([]int64, len(lat))
	for v := range lat {
		all[v] = int64(v)
	}
	h.rFinal(0, 1000)
	h.rOKInts(0, 1001, all...)
	w := Check(history.Run{Ops: h.ops}).Workload
	var got []int64
	for _, e := range w.WorstStale {
		got = append(got, e.Value)
	}
	if want := []int64{6, 9, 2, 1, 5, 4, 7, 0}; !reflect.DeepEqual(got, want) {
		t.Fatalf("worst-stale order %v, want %v", got, want)
	}
	if w.StaleCount != 10 || len(w.Stale) != 10 {
		t.Fatalf("stale %v", w.Stale)
	}
}

func TestAvailability(t *testing.T) {
	mk := func(oks, fails int) []history.Op {
		h := &hist{}
		for i := 0; i < oks+fails; i++ {
			h.rInv(0, int64(i))
			if i < oks {
				h.rOKInts(0, int64(i))
			} else {
				h.rFail(0, int64(i), "net-timeout")
			}
		}
		h.nemesis("start-partition", 0)
		return h.ops
	}
	cases := []struct {
		oks, fails int
		threshold  string
		want       Validity
		frac       float32
	}{
		{9, 1, "", Valid, 0.9},
		{9, 1, "total", Invalid, 0.9},
		{10, 0, "total", Valid, 1},
		{9, 1, "0.5", Valid, 0.9},
		{9, 1, "0.9", Invalid, 0.9}, // 0.9f widens to 0.8999999761581421 < 0.9
		{3, 1, "0.75", Valid, 0.75},
		{0, 0, "total", Valid, 1}, // no invocations: ok-fraction 1
		{1, 1, "nonsense", Unknown, 0.5},
	}
	for _, c := range cases {
		a := CheckAvailability(mk(c.oks, c.fails), c.threshold)
		if a.Valid != c.want || (a.Error == "" && a.OKFraction != c.frac) {
			t.Errorf("%d/%d threshold %q: %+v, want %v fraction %v", c.oks, c.oks+c.fails, c.threshold, a, c.want, c.frac)
		}
		if (c.threshold == "nonsense") != (a.Error != "") {
			t.Errorf("threshold %q: error %q", c.threshold, a.Error)
		}
	}
	if a := CheckAvailability(nil, ""); !a.NoInvocations || a.OKFraction != 1 {
		t.Errorf("no invocations: %+v", a)
	}
	if err := (Config{Availability: "1.5"}).Validate(); err == nil {
		t.Error("1.5 accepted")
	}
	if err := (Config{Availability: "total"}).Validate(); err != nil {
		t.Error(err)
	}
	res := CheckWith(history.Run{Ops: mk(1, 1)}, Config{Availability: "total"})
	if res.Availability.Valid != Invalid || res.Valid != Invalid || res.Bench.AvailabilityThreshold != "total" {
		t.Errorf("threshold not applied: %+v", res.Availability)
	}
}

// Stats: completions only, by f; an f with no ok is invalid.
func TestStats(t *testing.T) {
	h := &hist{}
	h.bInv(0, 0, 0)
	h.bDone(0, history.OK, 0, 1, nil)
	h.rInv(0, 2)
	h.rFail(0, 3, "net-timeout")
	h.nemesis("start-partition", 4)
	s := CheckStats(h.ops)
	if s.Count != 2 || s.OKCount != 1 || s.FailCount != 1 || s.Valid != Invalid || len(s.ByF) != 2 {
		t.Fatalf("%+v", s)
	}
	if s.ByF["broadcast"].Valid != Valid || s.ByF["read"].Valid != Invalid {
		t.Fatalf("%+v", s.ByF)
	}
}

// A checker that panics becomes unknown with an error, for its part only.
func TestPanickingCheckerBecomesUnknown(t *testing.T) {
	h := &hist{}
	h.add(history.Op{Type: history.Invoke, Process: 0, F: "broadcast", Value: "not a number"})
	h.add(history.Op{Type: history.OK, Process: 0, F: "broadcast", Value: "not a number"})
	res := Check(history.Run{Ops: h.ops})
	if res.Workload.Valid != Unknown || !strings.Contains(res.Workload.Error, "non-integer") {
		t.Fatalf("workload %+v", res.Workload)
	}
	if res.Stats.Valid != Valid || res.Stats.Error != "" || res.Valid != Unknown {
		t.Fatalf("stats %+v overall %v", res.Stats, res.Valid)
	}
	// A client op that is neither broadcast nor read: jepsen's condp throws.
	h3 := &hist{}
	h3.add(history.Op{Type: history.Invoke, Process: 0, F: "topology"})
	if w := Check(history.Run{Ops: h3.ops}).Workload; !strings.Contains(w.Error, `f "topology"`) || w.Valid != Unknown {
		t.Fatalf("%+v", w)
	}
	// Nemesis ops with any f are ignored.
	h4 := &hist{}
	h4.nemesis("kill", 0)
	if w := Check(history.Run{Ops: h4.ops}).Workload; w.Error != "" {
		t.Fatalf("nemesis op: %+v", w)
	}
	// A read completion with no invocation makes jepsen throw too.
	h2 := &hist{}
	h2.rOKInts(0, 1)
	if w := Check(history.Run{Ops: h2.ops}).Workload; w.Error == "" || w.Valid != Unknown {
		t.Fatalf("%+v", w)
	}
}

func TestClientLatencyBench(t *testing.T) {
	h := &hist{}
	h.bInv(0, 0, 0)
	h.bDone(0, history.OK, 0, 10, nil)
	h.bInv(0, 1, 20)
	h.bDone(0, history.OK, 1, 50, nil)
	h.bInv(0, 2, 60)
	h.bDone(0, history.Info, 2, 5060, "net-timeout")
	h.rInv(3, 0)
	h.add(history.Op{Time: 1500000, Type: history.OK, Process: 3, F: "read", Value: rawList()})
	b := Check(history.Run{Ops: h.ops, Faults: []history.Interval{{Kind: "partition", Start: 1, End: 2}}}).Bench
	bl := b.Latency["broadcast"]
	if bl.Count != 2 || bl.MeanMS != 20 {
		t.Fatalf("broadcast %+v", bl)
	}
	if p50, _ := bl.At(0.5); p50 != 30 {
		t.Fatalf("p50 %v", p50)
	}
	if r, _ := b.Latency["read"].At(1); r != 1.5 {
		t.Fatalf("read max %v", r)
	}
	if len(b.Faults) != 1 || b.Errors["broadcast"]["net-timeout"] != 1 {
		t.Fatalf("%+v", b)
	}
}

// Property: QuantilesOf agrees with a naive order statistic that never
// sorts: the value v with #{x < v} <= k < #{x <= v}, where k = min(n-1,
// floor(n*q)) is computed in exact rational arithmetic.
func TestQuantilesMatchNaive(t *testing.T) {
	points := []*big.Rat{big.NewRat(0, 1), big.NewRat(1, 2), big.NewRat(95, 100), big.NewRat(99, 100), big.NewRat(1, 1)}
	naive := func(xs []int64, q *big.Rat) int64 {
		n := int64(len(xs))
		num := new(big.Int).Mul(big.NewInt(n), q.Num())
		k := new(big.Int).Quo(num, q.Denom()).Int64()
		if k > n-1 {
			k = n - 1
		}
		for _, v := range xs {
			var less, leq int64
			for _, x := range xs {
				if x < v {
					less++
				}
				if x <= v {
					leq++
				}
			}
			if less <= k && k < leq {
				return v
			}
		}
		panic("no order statistic")
	}
	trials := 3000
	if testing.Short() {
		trials = 300
	}
	for seed := int64(0); seed < int64(trials); seed++ {
		rng := rand.New(rand.NewSource(seed))
		n := 1 + rng.Intn(300)
		xs := make([]int64, n)
		for i := range xs {
			xs[i] = rng.Int63n(1 + int64(rng.Intn(1000)))
		}
		got := QuantilesOf(xs)
		for i, q := range points {
			if want := naive(xs, q); got[i].Value != want {
				t.Fatalf("seed %d n %d q %v: got %d, want %d", seed, n, q, got[i].Value, want)
			}
		}
	}
}

// Property: on random histories from a node that loses nothing, no element
// is ever lost, every acknowledged element is stable, and the counts add up.
func TestPerfectNodeNeverLoses(t *testing.T) {
	for seed := int64(1); seed <= 50; seed++ {
		nodes := 1 + int(seed%5)
		ops := simulate(seed, nodes, nodes*(1+int(seed%2)), 150, &perfect{})
		w := Check(history.Run{Ops: ops}).Workload
		if w.LostCount != 0 || w.StableCount+w.NeverReadCount != w.AttemptCount || w.NeverReadCount != 0 {
			t.Fatalf("seed %d: %+v", seed, w)
		}
	}
}
