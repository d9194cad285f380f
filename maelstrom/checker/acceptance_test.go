package checker

import (
	"reflect"
	"strings"
	"testing"

	"broadcast/maelstrom/history"
)

// MODEL.md, "Acceptance cases" 11: a node that acks but never gossips. Lost = attempts minus
// the values held by the node whose final read was invoked last; those are
// stable and stale. No server messages: servers msgs-per-op 0.0.
func TestCase11AckButNeverGossip(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		node := &ackNoGossip{held: map[int][]int64{}}
		ops := simulate(seed, 5, 5, 200, node)
		run := history.Run{Nodes: []string{"n0", "n1", "n2", "n3", "n4"}, Concurrency: 5, Ops: ops,
			Net: history.Net{All: history.Counts{Send: 900, Recv: 900, Msg: 900}, Clients: history.Counts{Send: 900, Recv: 900, Msg: 900}}}
		res := Check(run)
		w := res.Workload
		last := node.held[4] // worker 4's final read is invoked last; it reads n4
		if w.Valid != Invalid {
			t.Fatalf("seed %d: workload valid? %v, want false", seed, w.Valid)
		}
		if w.LostCount != w.AttemptCount-len(last) {
			t.Fatalf("seed %d: lost %d, want attempts %d - %d held by n4", seed, w.LostCount, w.AttemptCount, len(last))
		}
		if !reflect.DeepEqual(w.Stale, sorted64(last)) || w.StableCount != len(last) {
			t.Fatalf("seed %d: stale %v stable %d, want n4's values %v", seed, w.Stale, w.StableCount, sorted64(last))
		}
		if !res.Net.Servers.HasMsgsPerOp || res.Net.Servers.MsgsPerOp != 0 || res.Net.Servers.MsgCount != 0 {
			t.Fatalf("seed %d: servers %+v, want msg-count 0, msgs-per-op 0.0", seed, res.Net.Servers)
		}
		if res.Valid != Invalid {
			t.Fatalf("seed %d: overall %v", seed, res.Valid)
		}
	}
}

// MODEL.md, "Acceptance cases" 12: a node that never answers read. Every read fails with
// net-timeout; stats read ok-count 0 so stats invalid; workload unknown
// (nothing stable); the run is invalid.
func TestCase12NeverAnswersRead(t *testing.T) {
	h := &hist{}
	h.bInv(0, 0, 0)
	h.bDone(0, history.OK, 0, 1, nil)
	h.rInv(1, 2)
	h.rFail(1, 5002, "net-timeout")
	h.bInv(0, 1, 3)
	h.bDone(0, history.OK, 1, 4, nil)
	h.rFinal(0, 15000)
	h.rFinal(1, 15000)
	h.rFail(0, 20000, "net-timeout")
	h.rFail(1, 20000, "net-timeout")
	res := Check(history.Run{Ops: h.ops})
	if got := res.Stats.ByF["read"]; got.OKCount != 0 || got.FailCount != 3 || got.Valid != Invalid {
		t.Fatalf("read stats %+v", got)
	}
	if res.Stats.Valid != Invalid {
		t.Fatalf("stats valid? %v", res.Stats.Valid)
	}
	if res.Workload.Valid != Unknown || res.Workload.NeverReadCount != 2 || res.Workload.StableCount != 0 {
		t.Fatalf("workload %+v", res.Workload)
	}
	if _, ok := res.Workload.StableLatencies.At(0.5); ok {
		t.Fatal("stable-latencies present with no stable elements")
	}
	if res.Valid != Invalid {
		t.Fatalf("overall %v, want false (exit 1)", res.Valid)
	}
	if res.Bench.Errors["read"]["net-timeout"] != 3 {
		t.Fatalf("bench errors %v", res.Bench.Errors)
	}
}

// MODEL.md, "Acceptance cases" 13: a node that never answers broadcast. Broadcasts are info
// net-timeout (new process id each time); stats invalid; values never-read
// unless some read shows them, and then they can be stable but never lost.
func TestCase13NeverAnswersBroadcast(t *testing.T) {
	h := &hist{}
	h.bInv(0, 0, 0)
	h.add(history.Op{Time: 5000 * ms, Type: history.Info, Process: 0, F: "broadcast", Value: int64(0), Error: "net-timeout"})
	h.bInv(2, 1, 5001) // process 0 + concurrency 2
	h.add(history.Op{Time: 10001 * ms, Type: history.Info, Process: 2, F: "broadcast", Value: int64(1), Error: "net-timeout"})
	h.rInv(1, 10002)
	h.rOKInts(1, 10003, 1) // the node stored 1 though it never answered
	h.rFinal(4, 20000)
	h.rFinal(1, 20000)
	h.rOKInts(4, 20001, 1)
	h.rOKInts(1, 20001, 1)
	res := Check(history.Run{Ops: h.ops})
	w := res.Workload
	if !reflect.DeepEqual(w.NeverRead, []int64{0}) || w.LostCount != 0 || w.StableCount != 1 {
		t.Fatalf("never-read %v lost %d stable %d", w.NeverRead, w.LostCount, w.StableCount)
	}
	if b := res.Stats.ByF["broadcast"]; b.InfoCount != 2 || b.Valid != Invalid {
		t.Fatalf("broadcast stats %+v", b)
	}
	if res.Stats.Valid != Invalid || res.Valid != Invalid {
		t.Fatalf("stats %v overall %v", res.Stats.Valid, res.Valid)
	}
	// Without any read showing them, both are never-read and the workload is unknown.
	h2 := &hist{}
	h2.bInv(0, 0, 0)
	h2.add(history.Op{Time: 5000 * ms, Type: history.Info, Process: 0, F: "broadcast", Value: int64(0), Error: "net-timeout"})
	h2.rFinal(2, 20000)
	h2.rOKInts(2, 20001)
	w2 := Check(history.Run{Ops: h2.ops}).Workload
	if w2.NeverReadCount != 1 || w2.LostCount != 0 || w2.Valid != Unknown {
		t.Fatalf("unread info broadcast: %+v", w2)
	}
}

// MODEL.md, "Acceptance cases" 14: error replies. Definite (code 11) broadcast error is fail,
// indefinite (13, 1000) is info, read with 13 is fail; none of them make an
// element known, so they are never-read, never lost.
func TestCase14ErrorReplies(t *testing.T) {
	h := &hist{}
	h.bInv(0, 0, 0)
	h.bDone(0, history.Fail, 0, 1, []any{"temporarily-unavailable", "busy"})
	h.bInv(0, 1, 2)
	h.bDone(0, history.Info, 1, 3, []any{"crash", "boom"})
	h.bInv(2, 2, 4)
	h.bDone(2, history.Info, 2, 5, []string{"unknown", "code 1000"})
	h.rInv(4, 6)
	h.rFail(4, 7, []any{"crash", "boom"})
	h.rFinal(4, 100)
	h.rOKInts(4, 101)
	res := Check(history.Run{Ops: h.ops})
	b := res.Stats.ByF["broadcast"]
	if b.FailCount != 1 || b.InfoCount != 2 || b.OKCount != 0 {
		t.Fatalf("broadcast stats %+v", b)
	}
	if r := res.Stats.ByF["read"]; r.FailCount != 1 || r.OKCount != 1 {
		t.Fatalf("read stats %+v", r)
	}
	if w := res.Workload; w.NeverReadCount != 3 || w.LostCount != 0 || w.Valid != Unknown {
		t.Fatalf("workload %+v", w)
	}
	want := map[string]map[string]int{
		"broadcast": {"temporarily-unavailable": 1, "crash": 1, "unknown": 1},
		"read":      {"crash": 1},
	}
	if !reflect.DeepEqual(res.Bench.Errors, want) {
		t.Fatalf("bench errors %v, want %v", res.Bench.Errors, want)
	}
}

// MODEL.md, "Acceptance cases" 15: a malformed read_ok is info with an exception; the
// exceptions checker lists it, grouped by class, most frequent first.
func TestCase15MalformedReplyListedInExceptions(t *testing.T) {
	h := &hist{}
	h.rInv(0, 0)
	h.add(history.Op{Time: 1 * ms, Type: history.Info, Process: 0, F: "read",
		Error: "indeterminate: Malformed RPC response", Exception: "clojure.lang.ExceptionInfo"})
	h.rInv(1, 2)
	h.add(history.Op{Time: 3 * ms, Type: history.Info, Process: 1, F: "read",
		Error: "indeterminate: other", Exception: "java.lang.IllegalStateException"})
	h.rInv(2, 4)
	h.add(history.Op{Time: 5 * ms, Type: history.Info, Process: 2, F: "read",
		Error: "indeterminate: Malformed RPC response again", Exception: "clojure.lang.ExceptionInfo"})
	h.rInv(3, 6)
	h.add(history.Op{Time: 7 * ms, Type: history.Fail, Process: 3, F: "read", Error: "net-timeout"})
	res := Check(history.Run{Ops: h.ops})
	ex := res.Exceptions
	if ex.Valid != Valid || len(ex.Groups) != 2 {
		t.Fatalf("exceptions %+v", ex)
	}
	g := ex.Groups[0]
	if g.Class != "clojure.lang.ExceptionInfo" || g.Count != 2 || g.Example.Index != 1 ||
		!strings.HasPrefix(g.Example.Error.(string), "indeterminate: Malformed RPC response") {
		t.Fatalf("first group %+v", g)
	}
	if ex.Groups[1].Count != 1 {
		t.Fatalf("second group %+v", ex.Groups[1])
	}
	if none := CheckExceptions(nil); none.Valid != Valid || len(none.Groups) != 0 {
		t.Fatalf("no exceptions: %+v", none)
	}
}

// MODEL.md, "Acceptance cases" 16: duplicates and never-broadcast values in reads do not
// matter; 3.0, 3e0 and "3" do not match broadcast 3.
func TestCase16ToleratedReadContent(t *testing.T) {
	h := &hist{}
	h.bInv(0, 3, 0)
	h.bDone(0, history.OK, 3, 1, nil)
	h.bInv(0, 4, 2)
	h.bDone(0, history.OK, 4, 3, nil)
	h.rFinal(0, 10)
	h.rFinal(1, 11)
	h.rOK(0, 12, "4", "4", "99", "3.0", `"3"`, "3e0", `{"v":3}`, "[3]", "null", "-0")
	h.rOK(1, 13, "4", "99", "99", " 3.0 ")
	w := Check(history.Run{Ops: h.ops}).Workload
	if w.DuplicatedCount != 0 {
		t.Fatalf("duplicated-count %d", w.DuplicatedCount)
	}
	if !reflect.DeepEqual(w.Lost, []int64{3}) || w.StableCount != 1 || w.Valid != Invalid {
		t.Fatalf("lost %v stable %d valid %v: 3.0 must not match 3", w.Lost, w.StableCount, w.Valid)
	}
	// The integer literal 3 (and -0 for 0) does match.
	h2 := &hist{}
	h2.bInv(0, 3, 0)
	h2.bDone(0, history.OK, 3, 1, nil)
	h2.bInv(0, 0, 2)
	h2.bDone(0, history.OK, 0, 3, nil)
	h2.rFinal(0, 10)
	h2.rOK(0, 11, " 3", "-0", "3", "12345678901234567890")
	w2 := Check(history.Run{Ops: h2.ops}).Workload
	if w2.StableCount != 2 || w2.Valid != Valid {
		t.Fatalf("integer literals: %+v", w2)
	}
}

// MODEL.md, "Acceptance cases" 17, as the checker sees it: a reply the client ignored means
// the op timed out, so a read is fail and a broadcast info; neither touches
// element state.
func TestCase17IgnoredReplyTimesOut(t *testing.T) {
	h := &hist{}
	h.bInv(0, 0, 0)
	h.bDone(0, history.OK, 0, 1, nil)
	h.rInv(1, 2)
	h.rFail(1, 5002, "net-timeout") // the node answered without in_reply_to
	h.rFinal(0, 6000)
	h.rOKInts(0, 6001, 0)
	w := Check(history.Run{Ops: h.ops}).Workload
	e, _ := element(w, 0)
	if e.LastAbsent != nil || e.Outcome != "stable" || *e.StableLatency != 0 {
		t.Fatalf("a failed read changed element state: %+v", e)
	}
}

// MODEL.md, "Acceptance cases" 20: msgs-per-op = k*B / (B + Rd + F), e.g. 400/205 = 1.9512196
// as a single-precision float; clients have none; nemesis ops do not count.
func TestCase20MsgsPerOp(t *testing.T) {
	h := &hist{}
	tm := int64(0)
	for i := 0; i < 100; i++ {
		h.bInv(0, int64(i), tm)
		h.bDone(0, history.OK, int64(i), tm+1, nil)
		h.rInv(0, tm+2)
		h.rOKInts(0, tm+3)
		tm += 4
	}
	h.nemesis("start-partition", tm)
	h.nemesis("stop-partition", tm+1)
	for p := 0; p < 5; p++ {
		h.rFinal(p, tm+10)
	}
	for p := 0; p < 5; p++ {
		h.rOKInts(p, tm+11)
	}
	net := history.Net{
		All:     history.Counts{Send: 400 + 2*205 + 20, Recv: 400 + 2*205 + 20, Msg: 400 + 2*205 + 20},
		Clients: history.Counts{Send: 2*205 + 20, Recv: 2*205 + 20, Msg: 2*205 + 20},
		Servers: history.Counts{Send: 400, Recv: 400, Msg: 400},
	}
	n := Check(history.Run{Ops: h.ops, Net: net}).Net
	if n.OpCount != 205 {
		t.Fatalf("op-count %d, want 205", n.OpCount)
	}
	if !n.Servers.HasMsgsPerOp || n.Servers.MsgsPerOp != float32(1.9512196) {
		t.Fatalf("servers msgs-per-op %v", n.Servers.MsgsPerOp)
	}
	if n.Clients.HasMsgsPerOp {
		t.Fatal("clients must have no msgs-per-op")
	}
	if want := float32(830.0 / 205.0); n.All.MsgsPerOp != want {
		t.Fatalf("all msgs-per-op %v, want %v", n.All.MsgsPerOp, want)
	}
	if n.Servers.SendCount != 400 || n.Servers.RecvCount != 400 || n.Valid != Valid {
		t.Fatalf("servers %+v", n)
	}
	// Failed and info invocations count too; with no invocations the keys go.
	empty := CheckNet(nil, net)
	if empty.All.HasMsgsPerOp || empty.Servers.HasMsgsPerOp {
		t.Fatal("msgs-per-op present with op-count 0")
	}
}

// MODEL.md, "Acceptance cases" 21: x acked at 1.000 s, a read invoked at 1.050 s misses it,
// one at 1.200 s sees it, all final reads see it: stable, stale, 50 ms.
func TestCase21StableLatency(t *testing.T) {
	h := &hist{}
	h.bInv(0, 7, 990)
	h.bDone(0, history.OK, 7, 1000, nil)
	h.rInv(1, 1050)
	h.rOKInts(1, 1051)
	h.rInv(2, 1200)
	h.rOKInts(2, 1201, 7)
	h.rFinal(0, 12000)
	h.rFinal(1, 12000)
	h.rFinal(2, 12000)
	h.rOKInts(0, 12001, 7)
	h.rOKInts(1, 12001, 7)
	h.rOKInts(2, 12001, 7)
	w := Check(history.Run{Ops: h.ops}).Workload
	if w.Valid != Valid || w.StableCount != 1 || !reflect.DeepEqual(w.Stale, []int64{7}) {
		t.Fatalf("workload %+v", w)
	}
	want := Quantiles{{0, 50}, {0.5, 50}, {0.95, 50}, {0.99, 50}, {1, 50}}
	if !reflect.DeepEqual(w.StableLatencies, want) {
		t.Fatalf("stable-latencies %v, want %v", w.StableLatencies, want)
	}
	if len(w.WorstStale) != 1 || *w.WorstStale[0].StableLatency != 50 || w.WorstStale[0].LastAbsent.Time != 1050*ms ||
		w.WorstStale[0].Known.Time != 1000*ms || w.WorstStale[0].LostLatency != nil {
		t.Fatalf("worst-stale %+v", w.WorstStale)
	}
}

// MODEL.md, "Acceptance cases" 22: only the most recently invoked reads matter. Present only
// in the final read invoked last: stable (stale). Missing from the last one
// but present in an earlier one: lost.
func TestCase22FinalReadOrdering(t *testing.T) {
	build := func(presentInLast bool) Workload {
		h := &hist{}
		h.bInv(0, 1, 0)
		h.bDone(0, history.OK, 1, 1, nil)
		h.rFinal(0, 11000)
		h.rFinal(1, 11001)
		h.rFinal(2, 11002) // invoked last
		if presentInLast {
			h.rOKInts(2, 11003, 1)
			h.rOKInts(0, 11004)
			h.rOKInts(1, 11005)
		} else {
			h.rOKInts(2, 11003)
			h.rOKInts(0, 11004, 1)
			h.rOKInts(1, 11005, 1)
		}
		return Check(history.Run{Ops: h.ops}).Workload
	}
	w := build(true)
	if w.Valid != Valid || !reflect.DeepEqual(w.Stale, []int64{1}) || w.LostCount != 0 {
		t.Fatalf("present in last-invoked: %+v", w)
	}
	if v, _ := w.StableLatencies.At(1); v != 11000 {
		// last-absent is the read invoked at 11001 ms: (11001 ms + 1 ns) - 1 ms.
		t.Fatalf("stable latency %d, want 11000", v)
	}
	w = build(false)
	if w.Valid != Invalid || !reflect.DeepEqual(w.Lost, []int64{1}) {
		t.Fatalf("missing from last-invoked: %+v", w)
	}
	if v, _ := w.LostLatencies.At(0); v != 11000 {
		// last-present is the read invoked at 11001 ms.
		t.Fatalf("lost latency %d, want 11000", v)
	}
}

// MODEL.md, "Acceptance cases" 23: the merged verdict: false beats unknown beats true.
func TestCase23MergedVerdict(t *testing.T) {
	cases := []struct {
		in   []Validity
		want Validity
	}{
		{nil, Valid},
		{[]Validity{Valid, Valid}, Valid},
		{[]Validity{Valid, Unknown}, Unknown},
		{[]Validity{Unknown, Invalid, Valid}, Invalid},
		{[]Validity{Invalid, Unknown}, Invalid},
	}
	for _, c := range cases {
		if got := Merge(c.in...); got != c.want {
			t.Errorf("Merge(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	// A healthy run is valid overall; every part is valid.
	node := &perfect{}
	res := Check(history.Run{Ops: simulate(3, 3, 3, 100, node)})
	if res.Valid != Valid || res.Workload.Valid != Valid || res.Stats.Valid != Valid ||
		res.Workload.LostCount != 0 || res.Workload.StaleCount != 0 {
		t.Fatalf("perfect node: %+v", res)
	}
}
