package checker

import (
	"fmt"
	"math"
	"math/bits"
	"sort"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/quantile"
)

// unset marks an element field that no op has set yet.
const unset = -1

// ReadMissFunc receives, for each ok read completion, the read's node, its
// invocation time (ns on the run's clock) and the values whose first
// broadcast_ok completion time is before that invocation time and which the
// read lacks, ascending. missed is reused after the call: copy what you keep.
type ReadMissFunc func(node string, invoke int64, missed []int64)

// pendingInv is a process's outstanding invocation, as jepsen's
// h/invocation pairs it: the latest invocation by the same process.
type pendingInv struct {
	pos   int32
	time  int64
	value int64
	hasV  bool // the invocation's value is an integer
}

// setFull is jepsen 0.3.7's set-full checker with :linearizable? false
// (MODEL.md, "Checker"), fed one op at a time. Per element it keeps the
// positions of the ops that set known, last-present and last-absent; per op
// it keeps only the op's Index and Time (16 bytes), so that pass 2 can
// compare indices and compute latencies. Read values are never kept.
type setFull struct {
	// Per element, in creation order (slot).
	vals    []int64
	invoked []int64 // time of the (last) broadcast invocation
	known   []int32 // positions, or unset
	present []int32
	absent  []int32
	slot    map[int64]int32

	// Per op position.
	opIndex []int64
	opTime  []int64

	pending map[int]pendingInv

	// The read-miss hook: acked holds each value with an ok broadcast
	// completion (bitmap for [0, BitmapLimit), a map beyond), ackTime the
	// first such completion's time.
	onMiss    ReadMissFunc
	acked     []uint64
	ackTime   []int64
	ackedBig  map[int64]int64
	missedBuf []int64
}

func newSetFull() *setFull {
	return &setFull{slot: map[int64]int32{}, pending: map[int]pendingInv{}}
}

// note records the op at the next position; called for every op, client
// or not, so positions match the history.
func (s *setFull) note(op *history.Op) int32 {
	pos := len(s.opIndex)
	if pos > math.MaxInt32 {
		panic("checker: more than 2^31 ops")
	}
	s.opIndex = append(s.opIndex, int64(op.Index))
	s.opTime = append(s.opTime, op.Time)
	return int32(pos)
}

// observe is one step of pass 1. It panics, with jepsen's reasons, on
// histories set-full cannot make sense of.
func (s *setFull) observe(op *history.Op, pos int32) {
	if op.Process < 0 { // jepsen h/client-ops: integer processes only
		return
	}
	switch op.F {
	case "broadcast":
		if op.Type == history.Invoke {
			v, ok := IntValue(op.Value)
			s.pending[op.Process] = pendingInv{pos: pos, time: op.Time, value: v, hasV: ok}
			if !ok {
				panic(fmt.Sprintf("checker: broadcast invocation %d has a non-integer value %#v", op.Index, op.Value))
			}
			if e, dup := s.slot[v]; dup {
				// A repeated value resets the element (assoc over it).
				s.known[e], s.present[e], s.absent[e] = unset, unset, unset
				s.invoked[e] = op.Time
				return
			}
			s.slot[v] = int32(len(s.vals))
			s.vals = append(s.vals, v)
			s.invoked = append(s.invoked, op.Time)
			s.known = append(s.known, unset)
			s.present = append(s.present, unset)
			s.absent = append(s.absent, unset)
			return
		}
		inv, hasInv := s.pending[op.Process]
		delete(s.pending, op.Process)
		v, ok := IntValue(op.Value)
		if !ok && hasInv {
			v, ok = inv.value, inv.hasV
		}
		e, exists := s.slot[v]
		if !ok || !exists {
			// jepsen's (update elements v set-full-add op) throws on a
			// missing element.
			panic(fmt.Sprintf("checker: broadcast completion %d has no matching invocation", op.Index))
		}
		if op.Type == history.OK {
			if s.known[e] == unset {
				s.known[e] = pos
			}
			if s.onMiss != nil {
				s.ack(v, op.Time)
			}
		}
	case "read":
		if op.Type == history.Invoke {
			s.pending[op.Process] = pendingInv{pos: pos, time: op.Time}
			return
		}
		inv, hasInv := s.pending[op.Process]
		delete(s.pending, op.Process)
		if op.Type != history.OK {
			return
		}
		if !hasInv {
			panic(fmt.Sprintf("checker: read completion %d has no invocation", op.Index))
		}
		seen, ok := history.ReadValueOf(op.Value)
		if !ok {
			panic(fmt.Sprintf("checker: read completion %d has a non-list value %T", op.Index, op.Value))
		}
		s.sweep(seen, pos, inv.pos)
		if s.onMiss != nil {
			s.onMiss(op.Node, inv.time, s.missed(seen, inv.time))
		}
	default:
		// jepsen dispatches with condp and no default clause.
		panic(fmt.Sprintf("checker: client op %d has f %q, neither broadcast nor read", op.Index, op.F))
	}
}

// sweep applies one ok read (completion at pos, invocation at invPos) to
// every element created so far.
func (s *setFull) sweep(seen *history.ReadValue, pos, invPos int32) {
	invIndex := s.opIndex[invPos]
	idx := s.opIndex
	present, absent, known := s.present, s.absent, s.known
	for e, v := range s.vals {
		if seen.Has(v) {
			if known[e] == unset {
				known[e] = pos
			}
			if p := present[e]; p == unset || idx[p] < invIndex {
				present[e] = invPos
			}
		} else if a := absent[e]; a == unset || idx[a] < invIndex {
			absent[e] = invPos
		}
	}
}

// ack records v's first ok broadcast completion at time t.
func (s *setFull) ack(v, t int64) {
	if v < 0 || v >= history.BitmapLimit {
		if s.ackedBig == nil {
			s.ackedBig = map[int64]int64{}
		}
		if _, ok := s.ackedBig[v]; !ok {
			s.ackedBig[v] = t
		}
		return
	}
	w := int(v >> 6)
	for w >= len(s.acked) {
		s.acked = append(s.acked, 0)
	}
	for int(v) >= len(s.ackTime) {
		s.ackTime = append(s.ackTime, 0)
	}
	bit := uint64(1) << uint(v&63)
	if s.acked[w]&bit == 0 {
		s.acked[w] |= bit
		s.ackTime[v] = t
	}
}

// missed returns the acknowledged values, acked before invoke, that seen
// lacks: a word-wise and-not of the acked bitmap and the read's, then a
// time check on the few values left.
func (s *setFull) missed(seen *history.ReadValue, invoke int64) []int64 {
	out := s.missedBuf[:0]
	var big []int64
	for v, t := range s.ackedBig {
		if v < 0 && t < invoke && !seen.Has(v) {
			big = append(big, v)
		}
	}
	sort.Slice(big, func(a, b int) bool { return big[a] < big[b] })
	for _, v := range big {
		out = append(out, v)
	}
	words := seen.Words()
	for w, a := range s.acked {
		if w < len(words) {
			a &^= words[w]
		}
		for a != 0 {
			v := int64(w)<<6 | int64(bits.TrailingZeros64(a))
			a &= a - 1
			if s.ackTime[v] < invoke {
				out = append(out, v)
			}
		}
	}
	big = big[:0]
	for v, t := range s.ackedBig {
		if v >= 0 && t < invoke && !seen.Has(v) {
			big = append(big, v)
		}
	}
	sort.Slice(big, func(a, b int) bool { return big[a] < big[b] })
	out = append(out, big...)
	s.missedBuf = out
	return out
}

// judge is pass 2: set-full-element-results and set-full-results. resolve
// gives the whole ops at some positions; it is called once, for the ops
// shown in :worst-stale.
func (s *setFull) judge(resolve Resolver) Workload {
	order := make([]int32, len(s.vals))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(a, b int) bool { return s.vals[order[a]] < s.vals[order[b]] })

	idx := func(pos int32) int64 {
		if pos == unset {
			return -1 // jepsen's (:index nil -1)
		}
		return s.opIndex[pos]
	}
	ref := func(pos int32) *OpRef {
		if pos == unset {
			return nil
		}
		return &OpRef{Index: int(s.opIndex[pos]), Time: s.opTime[pos], pos: int(pos)}
	}

	w := Workload{Lost: []int64{}, NeverRead: []int64{}, Stale: []int64{}, WorstStale: []Element{},
		Elements: make([]Element, 0, len(order))}
	var stableLat, lostLat []int64
	var stale []int // positions in w.Elements
	for _, e := range order {
		known, present, absent := s.known[e], s.present[e], s.absent[e]
		el := Element{Value: s.vals[e], Invoked: s.invoked[e], Known: ref(known), LastPresent: ref(present), LastAbsent: ref(absent)}
		isStable := present != unset && idx(absent) < idx(present)
		isLost := known != unset && absent != unset && idx(present) < idx(absent) && idx(known) < idx(absent)
		switch {
		case isStable:
			el.Outcome = "stable"
			var at int64
			if absent != unset {
				at = s.opTime[absent] + 1
			}
			l := latencyMS(at, s.opTime[known])
			el.StableLatency = &l
			stableLat = append(stableLat, l)
			w.StableCount++
			if l > 0 {
				stale = append(stale, len(w.Elements))
				w.Stale = append(w.Stale, el.Value)
			}
		case isLost:
			el.Outcome = "lost"
			var at int64
			if present != unset {
				at = s.opTime[present] + 1
			}
			l := latencyMS(at, s.opTime[known])
			el.LostLatency = &l
			lostLat = append(lostLat, l)
			w.LostCount++
			w.Lost = append(w.Lost, el.Value)
		default:
			el.Outcome = "never-read"
			w.NeverReadCount++
			w.NeverRead = append(w.NeverRead, el.Value)
		}
		w.Elements = append(w.Elements, el)
	}
	w.AttemptCount = len(order)
	w.StaleCount = len(stale)

	// (->> stale (sort-by :stable-latency) reverse (take 8)): a stable sort
	// over value order, reversed, so ties put the larger value first.
	sort.SliceStable(stale, func(a, b int) bool {
		return *w.Elements[stale[a]].StableLatency < *w.Elements[stale[b]].StableLatency
	})
	var want []int
	for i := len(stale) - 1; i >= 0 && len(w.WorstStale) < 8; i-- {
		el := w.Elements[stale[i]]
		for _, r := range []**OpRef{&el.Known, &el.LastPresent, &el.LastAbsent} {
			if *r != nil {
				c := **r
				*r = &c
				want = append(want, c.pos)
			}
		}
		w.WorstStale = append(w.WorstStale, el)
	}
	if len(want) > 0 {
		ops, err := resolve(want)
		if err != nil {
			panic(fmt.Sprintf("checker: reading back the ops :worst-stale shows: %v", err))
		}
		k := 0
		for i := range w.WorstStale {
			el := &w.WorstStale[i]
			for _, r := range []*OpRef{el.Known, el.LastPresent, el.LastAbsent} {
				if r != nil {
					op := ops[k]
					r.Op = &op
					k++
				}
			}
		}
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

// CheckWorkload is the :workload checker over a whole history: jepsen
// 0.3.7's set-full with :linearizable? false over broadcasts (as :add) and
// reads. See MODEL.md, "Checker".
func CheckWorkload(ops []history.Op) Workload {
	s := newSetFull()
	for i := range ops {
		s.observe(&ops[i], s.note(&ops[i]))
	}
	return s.judge(opsResolver(ops))
}

// Resolver returns the whole ops at the given positions (0 = the first op
// fed to the checker), in the order asked.
type Resolver func(positions []int) ([]history.Op, error)

// opsResolver resolves positions in an in-memory history.
func opsResolver(ops []history.Op) Resolver {
	return func(positions []int) ([]history.Op, error) {
		out := make([]history.Op, len(positions))
		for i, pos := range positions {
			if pos < 0 || pos >= len(ops) {
				return nil, fmt.Errorf("no op at position %d", pos)
			}
			out[i] = ops[pos]
		}
		return out, nil
	}
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

// QuantilesOf returns xs's distribution at quantile.Points, or nil if xs is
// empty. xs is not modified.
func QuantilesOf(xs []int64) Quantiles {
	if len(xs) == 0 {
		return nil
	}
	s := append([]int64(nil), xs...)
	sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
	out := make(Quantiles, len(quantile.Points))
	for i, q := range quantile.Points {
		out[i] = Quantile{Q: q, Value: s[quantile.Index(len(s), q)]}
	}
	return out
}
