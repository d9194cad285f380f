package checker

import (
	"encoding/json"
	"fmt"
	"sort"

	"broadcast/maelstrom/checker/staleness"
	"broadcast/maelstrom/history"
)

// This file keeps the bench's original batch checker, unchanged but for
// names: each part walks the whole history held in memory. The online
// checker (online.go) must give identical results; the tests in
// online_test.go compare the two.

// oracleCheck is the batch checker the bench used before the online one:
// every part walks the whole history. It is the oracle the online checker
// must match (oracle_test.go). Each checker that panics becomes
// {valid? unknown, error ...} for its part, as jepsen's check-safe does; the
// top-level verdict merges the parts (false beats unknown beats true).
func oracleCheck(run history.Run, cfg Config) Results {
	ops := run.Ops
	res := Results{
		Perf:     Perf{Valid: Valid, LatencyGraphValid: Valid, RateGraphValid: Valid},
		Timeline: Timeline{Valid: Valid},
	}
	safe(&res.Exceptions.Error, func() { res.Exceptions = oracleExceptions(ops) })
	safe(&res.Stats.Error, func() { res.Stats = oracleStats(ops) })
	safe(&res.Availability.Error, func() { res.Availability = oracleAvailability(ops, cfg.Availability) })
	safe(&res.Net.Error, func() { res.Net = oracleNet(ops, run.Net) })
	safe(&res.Workload.Error, func() { res.Workload = oracleWorkload(ops) })
	res.Valid = Merge(res.Perf.Valid, res.Timeline.Valid, res.Exceptions.Valid,
		res.Stats.Valid, res.Availability.Valid, res.Net.Valid, res.Workload.Valid)

	safeBench := func() (b Bench) {
		defer func() {
			if r := recover(); r != nil {
				b = Bench{}
			}
		}()
		return oracleBench(ops, run.Faults)
	}
	res.Bench = safeBench()
	safe(&res.Bench.StalenessError, func() { f := oracleStaleness(run, cfg.nodesFor(run)); res.Bench.Staleness = &f })
	res.Bench.AvailabilityThreshold = cfg.Availability
	if cfg.Params != nil {
		p := *cfg.Params
		res.Bench.Params = &p
	}
	return res
}

// oracleUnset marks an element field that no op has set yet.
const oracleUnset = -1

// oracleElement is jepsen's SetFullElement: positions in the history (slice
// positions, not Op.Index) of the ops that set each field, or oracleUnset.
type oracleElement struct {
	value       int64
	known       int
	lastPresent int
	lastAbsent  int
}

// oracleInvocations pairs completions with invocations the way jepsen's
// h/invocation does: the latest invocation by the same process.
type oracleInvocations map[int]int

// oracleWorkload is the :workload checker: jepsen 0.3.7's set-full with
// :linearizable? false over broadcasts (as :add) and reads. See MODEL.md, "Checker".
func oracleWorkload(ops []history.Op) Workload {
	states := make(map[int64]*oracleElement)
	var order []*oracleElement // creation order, for the per-read sweep
	pending := make(oracleInvocations)

	for i := range ops {
		op := &ops[i]
		if op.Process < 0 { // jepsen h/client-ops: integer processes only
			continue
		}
		switch op.F {
		case "broadcast":
			if op.Type == history.Invoke {
				pending[op.Process] = i
				v, ok := IntValue(op.Value)
				if !ok {
					panic(fmt.Sprintf("checker: broadcast invocation %d has a non-integer value %#v", op.Index, op.Value))
				}
				if e, dup := states[v]; dup {
					// A repeated value resets the element (assoc over it).
					*e = oracleElement{value: v, known: oracleUnset, lastPresent: oracleUnset, lastAbsent: oracleUnset}
					continue
				}
				e := &oracleElement{value: v, known: oracleUnset, lastPresent: oracleUnset, lastAbsent: oracleUnset}
				states[v] = e
				order = append(order, e)
				continue
			}
			inv, hasInv := pending[op.Process]
			delete(pending, op.Process)
			v, ok := IntValue(op.Value)
			if !ok && hasInv {
				v, ok = IntValue(ops[inv].Value)
			}
			e := states[v]
			if !ok || e == nil {
				// jepsen's (update elements v set-full-add op) throws on a
				// missing element.
				panic(fmt.Sprintf("checker: broadcast completion %d has no matching invocation", op.Index))
			}
			if op.Type == history.OK && e.known == oracleUnset {
				e.known = i
			}
		case "read":
			if op.Type == history.Invoke {
				pending[op.Process] = i
				continue
			}
			inv, hasInv := pending[op.Process]
			delete(pending, op.Process)
			if op.Type != history.OK {
				continue
			}
			if !hasInv {
				panic(fmt.Sprintf("checker: read completion %d has no invocation", op.Index))
			}
			seen, ok := oracleReadIntSet(op.Value)
			if !ok {
				panic(fmt.Sprintf("checker: read completion %d has a non-list value %T", op.Index, op.Value))
			}
			invIndex := ops[inv].Index
			for _, e := range order {
				if seen.has(e.value) {
					if e.known == oracleUnset {
						e.known = i
					}
					if e.lastPresent == oracleUnset || ops[e.lastPresent].Index < invIndex {
						e.lastPresent = inv
					}
				} else if e.lastAbsent == oracleUnset || ops[e.lastAbsent].Index < invIndex {
					e.lastAbsent = inv
				}
			}
		default:
			// jepsen dispatches with condp and no default clause.
			panic(fmt.Sprintf("checker: client op %d has f %q, neither broadcast nor read", op.Index, op.F))
		}
	}
	return oracleJudge(ops, order)
}

// oracleJudge is pass 2. It is the online checker's own pass 2, fed the
// oracle's pass-1 state: pass 2 has no online form, and the naive model
// (model_test.go) and the recorded results check it on their own.
func oracleJudge(ops []history.Op, states []*oracleElement) Workload {
	s := newSetFull()
	for i := range ops {
		s.note(&ops[i])
	}
	for _, e := range states {
		s.vals = append(s.vals, e.value)
		s.invoked = append(s.invoked, 0)
		s.known = append(s.known, int32(e.known))
		s.present = append(s.present, int32(e.lastPresent))
		s.absent = append(s.absent, int32(e.lastAbsent))
	}
	w := s.judge(opsResolver(ops))
	for i := range w.Elements {
		w.Elements[i].Known = withOp(ops, w.Elements[i].Known)
		w.Elements[i].LastPresent = withOp(ops, w.Elements[i].LastPresent)
		w.Elements[i].LastAbsent = withOp(ops, w.Elements[i].LastAbsent)
	}
	return w
}

// withOp fills r's op from the history, as the batch checker kept it.
func withOp(ops []history.Op, r *OpRef) *OpRef {
	if r == nil {
		return nil
	}
	op := ops[r.pos]
	c := *r
	c.Op = &op
	return &c
}

// oracleStats is the :stats checker: completions of client ops, overall and
// by f; each f is valid iff it has at least one ok, and the whole is the
// merge of the by-f verdicts (valid when there are none).
func oracleStats(ops []history.Op) Stats {
	st := Stats{ByF: map[string]OpStats{}}
	count := countType
	for _, op := range ops {
		if op.Process < 0 || op.Type == history.Invoke {
			continue
		}
		switch op.Type {
		case history.OK, history.Fail, history.Info:
		default:
			panic(fmt.Sprintf("checker: op %d has unknown type %q", op.Index, op.Type))
		}
		count(&st.OpStats, op.Type)
		s := st.ByF[op.F]
		count(&s, op.Type)
		st.ByF[op.F] = s
	}
	var vs []Validity
	for f, s := range st.ByF {
		s.Valid = Invalid
		if s.OKCount > 0 {
			s.Valid = Valid
		}
		st.ByF[f] = s
		vs = append(vs, s.Valid)
	}
	st.Valid = Merge(vs...)
	return st
}

// oracleAvailability is Maelstrom's availability checker: ok-fraction = client
// oks / client invocations, as a single-precision float (1 with no
// invocations). With threshold "" it is always valid; "total" needs exactly
// 1; a number needs ok-fraction >= it, compared after widening the float, as
// Clojure does (so 9 oks of 10 fail a 0.9 threshold: 0.9f < 0.9).
func oracleAvailability(ops []history.Op, threshold string) Availability {
	var oks, invokes int
	for _, op := range ops {
		if op.Process < 0 {
			continue
		}
		switch op.Type {
		case history.OK:
			oks++
		case history.Invoke:
			invokes++
		}
	}
	p := availabilityPart{oks: oks, invokes: invokes}
	return p.result(threshold)
}

// oracleNet is the :net checker: the run's counters plus msgs-per-op =
// msg-count / op-count for all and servers, where op-count is every
// non-nemesis invocation. msgs-per-op is omitted when op-count is 0.
func oracleNet(ops []history.Op, net history.Net) Net {
	var p netPart
	for _, op := range ops {
		if op.Process != history.NemesisProcess && op.Type == history.Invoke {
			p.opCount++
		}
	}
	return p.result(net)
}

// oracleExceptions is jepsen's unhandled-exceptions checker: :info ops that
// carry an exception, grouped by class, most frequent first (ties: first
// seen first), each with its first op as the example.
func oracleExceptions(ops []history.Op) Exceptions {
	ex := Exceptions{Valid: Valid}
	at := map[string]int{}
	for _, op := range ops {
		if op.Type != history.Info || op.Exception == "" {
			continue
		}
		i, ok := at[op.Exception]
		if !ok {
			i = len(ex.Groups)
			at[op.Exception] = i
			ex.Groups = append(ex.Groups, ExceptionGroup{Class: op.Exception, Example: op})
		}
		ex.Groups[i].Count++
	}
	sort.SliceStable(ex.Groups, func(a, b int) bool { return ex.Groups[a].Count > ex.Groups[b].Count })
	return ex
}

// oracleBench computes the figures beyond Maelstrom.
func oracleBench(ops []history.Op, faults []history.Interval) Bench {
	b := Bench{
		Latency: map[string]LatencySummary{},
		Errors:  map[string]map[string]int{},
		Faults:  append([]history.Interval{}, faults...),
	}
	lat := map[string][]int64{}
	completions(ops, func(op history.Op, inv int) {
		if op.Type == history.OK && inv >= 0 {
			lat[op.F] = append(lat[op.F], op.Time-ops[inv].Time)
		}
		countError(b.Errors, &op)
	})
	for f, ns := range lat {
		b.Latency[f] = latencySummary(ns)
	}
	return b
}

// oracleIntSet is a set of int64: a bitmap for small non-negative values (the
// broadcast values 0, 1, 2, ...) and a map for the rest.
type oracleIntSet struct {
	bits  []uint64
	other map[int64]struct{}
}

// oracleBitmapLimit bounds the values kept in the bitmap.
const oracleBitmapLimit = 1 << 22

func (s *oracleIntSet) add(v int64) {
	if v >= 0 && v < oracleBitmapLimit {
		w := int(v >> 6)
		if w >= len(s.bits) {
			s.bits = append(s.bits, make([]uint64, w+1-len(s.bits))...)
		}
		s.bits[w] |= 1 << uint(v&63)
		return
	}
	if s.other == nil {
		s.other = map[int64]struct{}{}
	}
	s.other[v] = struct{}{}
}

func (s *oracleIntSet) has(v int64) bool {
	if v >= 0 && v < oracleBitmapLimit {
		w := int(v >> 6)
		return w < len(s.bits) && s.bits[w]&(1<<uint(v&63)) != 0
	}
	_, ok := s.other[v]
	return ok
}

// oracleReadIntSet returns the integers in a read completion's value under the
// exact-equality rule. Non-integer elements are dropped: they can equal no
// broadcast value. ok is false if v is not a list at all.
func oracleReadIntSet(v any) (set *oracleIntSet, ok bool) {
	set = &oracleIntSet{}
	add := func(n int64, isInt bool) {
		if isInt {
			set.add(n)
		}
	}
	switch xs := v.(type) {
	case nil:
	case []json.RawMessage:
		for _, x := range xs {
			add(history.IntLiteral(x))
		}
	case []int64:
		for _, x := range xs {
			set.add(x)
		}
	case []int:
		for _, x := range xs {
			set.add(int64(x))
		}
	case []any:
		for _, x := range xs {
			switch e := x.(type) {
			case json.RawMessage:
				add(history.IntLiteral(e))
			case json.Number:
				add(history.IntLiteral([]byte(e)))
			case int, int64, int32:
				add(IntValue(e))
			}
			// float64, strings, maps...: never equal to an integer value.
		}
	default:
		return nil, false
	}
	return set, true
}

// completions calls fn with each client completion and the position of
// its invocation (the latest by the same process), -1 if none.
func completions(ops []history.Op, fn func(op history.Op, inv int)) {
	pending := map[int]int{}
	for i, op := range ops {
		if op.Process < 0 {
			continue
		}
		if op.Type == history.Invoke {
			pending[op.Process] = i
			continue
		}
		inv, ok := pending[op.Process]
		delete(pending, op.Process)
		if !ok {
			inv = -1
		}
		fn(op, inv)
	}
}

// oracleStaleness is the staleness figures' batch path: each ok read's
// misses (values whose first broadcast_ok time precedes the read's
// invocation time and that the read lacks), worked out from the whole
// history in memory, fed to a staleness.Tracker.
func oracleStaleness(run history.Run, nodes []string) staleness.Figures {
	tr := staleness.New(nodes)
	type ack struct {
		t     int64
		value int64
	}
	var acks []ack
	acked := map[int64]bool{}
	inv := map[int]int{}
	var missed []int64
	for i, op := range run.Ops {
		if op.Process >= 0 {
			if op.Type == history.Invoke {
				inv[op.Process] = i
			} else if at, ok := inv[op.Process]; ok {
				delete(inv, op.Process)
				switch {
				case op.F == "broadcast" && op.Type == history.OK:
					v, ok := IntValue(op.Value)
					if !ok {
						v, ok = IntValue(run.Ops[at].Value)
					}
					if ok && !acked[v] {
						acked[v] = true
						acks = append(acks, ack{t: op.Time, value: v})
					}
				case op.F == "read" && op.Type == history.OK:
					seen := op.Read()
					if seen == nil {
						break
					}
					missed = missed[:0]
					for _, a := range acks {
						if a.t < run.Ops[at].Time && !seen.Has(a.value) {
							missed = append(missed, a.value)
						}
					}
					sort.Slice(missed, func(x, y int) bool { return missed[x] < missed[y] })
					tr.Missed(run.Ops[at].Node, run.Ops[at].Time, missed)
				}
			}
		}
		tr.Op(op)
	}
	return tr.Figures()
}
