package checker

import (
	"encoding/json"
	"fmt"
	"sort"

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

// judge is pass 2: set-full-element-results and set-full-results.
func oracleJudge(ops []history.Op, states []*oracleElement) Workload {
	sorted := append([]*oracleElement(nil), states...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].value < sorted[b].value })

	idx := func(pos int) int {
		if pos == oracleUnset {
			return -1 // jepsen's (:index nil -1)
		}
		return ops[pos].Index
	}
	opAt := func(pos int) *OpRef {
		if pos == oracleUnset {
			return nil
		}
		op := ops[pos]
		return &OpRef{Index: op.Index, Time: op.Time, Op: &op}
	}

	w := Workload{Lost: []int64{}, NeverRead: []int64{}, Stale: []int64{}, WorstStale: []Element{}}
	var stableLat, lostLat []int64
	var stale []Element
	for _, s := range sorted {
		el := Element{Value: s.value, Known: opAt(s.known), LastPresent: opAt(s.lastPresent), LastAbsent: opAt(s.lastAbsent)}
		stable := s.lastPresent != oracleUnset && idx(s.lastAbsent) < idx(s.lastPresent)
		lost := s.known != oracleUnset && s.lastAbsent != oracleUnset &&
			idx(s.lastPresent) < idx(s.lastAbsent) && idx(s.known) < idx(s.lastAbsent)
		switch {
		case stable:
			el.Outcome = "stable"
			var at int64
			if s.lastAbsent != oracleUnset {
				at = ops[s.lastAbsent].Time + 1
			}
			l := latencyMS(at, ops[s.known].Time)
			el.StableLatency = &l
			stableLat = append(stableLat, l)
			w.StableCount++
			if l > 0 {
				stale = append(stale, el)
				w.Stale = append(w.Stale, s.value)
			}
		case lost:
			el.Outcome = "lost"
			var at int64
			if s.lastPresent != oracleUnset {
				at = ops[s.lastPresent].Time + 1
			}
			l := latencyMS(at, ops[s.known].Time)
			el.LostLatency = &l
			lostLat = append(lostLat, l)
			w.LostCount++
			w.Lost = append(w.Lost, s.value)
		default:
			el.Outcome = "never-read"
			w.NeverReadCount++
			w.NeverRead = append(w.NeverRead, s.value)
		}
		w.Elements = append(w.Elements, el)
	}
	w.AttemptCount = len(sorted)
	w.StaleCount = len(stale)

	// (->> stale (sort-by :stable-latency) reverse (take 8)): a stable sort
	// over value order, reversed, so ties put the larger value first.
	sort.SliceStable(stale, func(a, b int) bool { return *stale[a].StableLatency < *stale[b].StableLatency })
	for i := len(stale) - 1; i >= 0 && len(w.WorstStale) < 8; i-- {
		w.WorstStale = append(w.WorstStale, stale[i])
	}
	w.StableLatencies = QuantilesOf(stableLat)
	w.LostLatencies = QuantilesOf(lostLat)

	switch {
	case w.LostCount > 0:
		w.Valid = Invalid
	case w.StableCount == 0:
		w.Valid = Unknown
	default:
		w.Valid = Valid
	}
	return w
}

// oracleStats is the :stats checker: completions of client ops, overall and
// by f; each f is valid iff it has at least one ok, and the whole is the
// merge of the by-f verdicts (valid when there are none).
func oracleStats(ops []history.Op) Stats {
	st := Stats{ByF: map[string]OpStats{}}
	count := func(s *OpStats, t history.Type) {
		s.Count++
		switch t {
		case history.OK:
			s.OKCount++
		case history.Fail:
			s.FailCount++
		case history.Info:
			s.InfoCount++
		}
	}
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
	a := Availability{Valid: Valid, OKFraction: 1}
	if invokes == 0 {
		a.NoInvocations = true
	} else {
		a.OKFraction = float32(float64(oks) / float64(invokes))
	}
	total, min, set, err := ParseAvailability(threshold)
	switch {
	case err != nil:
		a.Valid, a.Error = Unknown, err.Error()
	case !set:
	case total:
		a.Valid = validIf(a.OKFraction == 1)
	default:
		a.Valid = validIf(min <= float64(a.OKFraction))
	}
	return a
}

// oracleNet is the :net checker: the run's counters plus msgs-per-op =
// msg-count / op-count for all and servers, where op-count is every
// non-nemesis invocation. msgs-per-op is omitted when op-count is 0.
func oracleNet(ops []history.Op, net history.Net) Net {
	n := Net{Valid: Valid}
	for _, op := range ops {
		if op.Process != history.NemesisProcess && op.Type == history.Invoke {
			n.OpCount++
		}
	}
	group := func(c history.Counts, perOp bool) NetGroup {
		g := NetGroup{SendCount: c.Send, RecvCount: c.Recv, MsgCount: c.Msg}
		if perOp && n.OpCount > 0 {
			g.MsgsPerOp = float32(float64(c.Msg) / float64(n.OpCount))
			g.HasMsgsPerOp = true
		}
		return g
	}
	n.All = group(net.All, true)
	n.Clients = group(net.Clients, false)
	n.Servers = group(net.Servers, true)
	return n
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
	pending := map[int]int{}
	lat := map[string][]int64{}
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
		if op.Type == history.OK && ok {
			lat[op.F] = append(lat[op.F], op.Time-ops[inv].Time)
		}
		if name := ErrorName(op.Error); name != "" && op.Type != history.OK {
			if len(name) > 80 {
				name = name[:80]
			}
			m := b.Errors[op.F]
			if m == nil {
				m = map[string]int{}
				b.Errors[op.F] = m
			}
			m[name]++
		}
	}
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
