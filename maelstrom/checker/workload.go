package checker

import (
	"fmt"
	"math"
	"sort"

	"broadcast/maelstrom/history"
)

// unset marks an element field that no op has set yet.
const unset = -1

// elementState is jepsen's SetFullElement: positions in the history (slice
// positions, not Op.Index) of the ops that set each field, or unset.
type elementState struct {
	value       int64
	known       int
	lastPresent int
	lastAbsent  int
}

// invocationOf pairs completions with invocations the way jepsen's
// h/invocation does: the latest invocation by the same process.
type invocationOf map[int]int

// CheckWorkload is the :workload checker: jepsen 0.3.7's set-full with
// :linearizable? false over broadcasts (as :add) and reads. See spec §4.6.
func CheckWorkload(ops []history.Op) Workload {
	states := make(map[int64]*elementState)
	var order []*elementState // creation order, for the per-read sweep
	pending := make(invocationOf)

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
					*e = elementState{value: v, known: unset, lastPresent: unset, lastAbsent: unset}
					continue
				}
				e := &elementState{value: v, known: unset, lastPresent: unset, lastAbsent: unset}
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
			if op.Type == history.OK && e.known == unset {
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
			seen, ok := readIntSet(op.Value)
			if !ok {
				panic(fmt.Sprintf("checker: read completion %d has a non-list value %T", op.Index, op.Value))
			}
			invIndex := ops[inv].Index
			for _, e := range order {
				if seen.has(e.value) {
					if e.known == unset {
						e.known = i
					}
					if e.lastPresent == unset || ops[e.lastPresent].Index < invIndex {
						e.lastPresent = inv
					}
				} else if e.lastAbsent == unset || ops[e.lastAbsent].Index < invIndex {
					e.lastAbsent = inv
				}
			}
		default:
			// jepsen dispatches with condp and no default clause.
			panic(fmt.Sprintf("checker: client op %d has f %q, neither broadcast nor read", op.Index, op.F))
		}
	}
	return judge(ops, order)
}

// judge is pass 2: set-full-element-results and set-full-results.
func judge(ops []history.Op, states []*elementState) Workload {
	sorted := append([]*elementState(nil), states...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].value < sorted[b].value })

	idx := func(pos int) int {
		if pos == unset {
			return -1 // jepsen's (:index nil -1)
		}
		return ops[pos].Index
	}
	opAt := func(pos int) *history.Op {
		if pos == unset {
			return nil
		}
		op := ops[pos]
		return &op
	}

	w := Workload{Lost: []int64{}, NeverRead: []int64{}, Stale: []int64{}, WorstStale: []Element{}}
	var stableLat, lostLat []int64
	var stale []Element
	for _, s := range sorted {
		el := Element{Value: s.value, Known: opAt(s.known), LastPresent: opAt(s.lastPresent), LastAbsent: opAt(s.lastAbsent)}
		stable := s.lastPresent != unset && idx(s.lastAbsent) < idx(s.lastPresent)
		lost := s.known != unset && s.lastAbsent != unset &&
			idx(s.lastPresent) < idx(s.lastAbsent) && idx(s.known) < idx(s.lastAbsent)
		switch {
		case stable:
			el.Outcome = "stable"
			var at int64
			if s.lastAbsent != unset {
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
			if s.lastPresent != unset {
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

// latencyMS is (-> at (- known) (max 0) nanos->ms long): whole milliseconds,
// truncated, never negative.
func latencyMS(at, known int64) int64 {
	d := at - known
	if d < 0 {
		return 0
	}
	return d / 1e6
}

// QuantileIndex is jepsen's frequency-distribution index for n sorted samples
// at point q: min(n-1, floor(n*q)), computed in double precision as jepsen
// does.
func QuantileIndex(n int, q float64) int {
	i := int(math.Floor(float64(n) * q))
	if i > n-1 {
		i = n - 1
	}
	return i
}

// QuantilesOf returns xs's distribution at QuantilePoints, or nil if xs is
// empty. xs is not modified.
func QuantilesOf(xs []int64) Quantiles {
	if len(xs) == 0 {
		return nil
	}
	s := append([]int64(nil), xs...)
	sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
	out := make(Quantiles, len(QuantilePoints))
	for i, q := range QuantilePoints {
		out[i] = Quantile{Q: q, Value: s[QuantileIndex(len(s), q)]}
	}
	return out
}
