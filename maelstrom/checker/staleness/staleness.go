package staleness

import (
	"math"
	"slices"
	"sort"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/quantile"
)

const (
	never  = math.MinInt64 // a pair that was never unreachable
	broken = math.MaxInt64 // a pair that is unreachable now
)

// Figure is one staleness distribution over the acknowledged values.
type Figure struct {
	// Values is how many acknowledged values the quantiles are over.
	Values int
	// Stale is how many of them have a staleness of at least 1 ms.
	Stale int
	// MS holds the staleness in whole milliseconds at each of
	// quantile.Points, in order; empty when Values is 0.
	MS []int64
	// WorstValue is a value at the maximum (-1 when Stale is 0).
	WorstValue int64
}

// At returns the staleness in ms at point q and whether it is present.
func (f Figure) At(q float64) (int64, bool) {
	i := slices.Index(quantile.Points, q)
	if i < 0 || i >= len(f.MS) {
		return 0, false
	}
	return f.MS[i], true
}

// Figures are the two staleness figures of a run.
type Figures struct {
	// Reachable is staleness while reachable.
	Reachable Figure
	// AfterHeal is staleness after heal.
	AfterHeal Figure
}

// value is what the tracker keeps per acknowledged value.
type value struct {
	ack    int64 // broadcast_ok time
	origin int   // node index, -1 if not a test node
	// worst figures so far, in ns (invocation + 1 - from), 0 if none
	reach, heal int64
}

// readKey finds a pending read from Missed's arguments.
type readKey struct {
	node int
	inv  int64
}

// pending is a read between its invocation and its completion, with the
// fault state at its invocation.
type pending struct {
	key         readKey
	refs        int
	partitioned bool
	lastHeal    int64
	// col is lastBroken[*][node] at the invocation, copied only once a fault
	// event happens while the read is pending; nil means "as now".
	col []int64
}

// Tracker follows one history. Create it with New.
type Tracker struct {
	nodes []string
	idx   map[string]int

	// fault state now
	cut         [][]bool // cut[receiver][sender]
	down        []bool
	paused      []bool
	partitioned bool
	lastHeal    int64
	reach       [][]bool  // reach[from][to]
	lastBroken  [][]int64 // [from][to]: last time unreachable; broken, never

	values    map[int64]*value
	order     []int64          // acknowledged values, in ack order
	bcastInv  map[int]int64    // process -> broadcast value being invoked
	byProcess map[int]*pending // process -> its pending read
	byKey     map[readKey]*pending
	scratch   []int
}

// New returns a tracker over the servers nodes (in test order), with every
// node up, none paused and no partition.
func New(nodes []string) *Tracker {
	n := len(nodes)
	t := &Tracker{
		nodes: append([]string(nil), nodes...), idx: map[string]int{},
		cut: grid[bool](n), down: make([]bool, n), paused: make([]bool, n),
		lastHeal: never, reach: grid[bool](n), lastBroken: grid[int64](n),
		values: map[int64]*value{}, bcastInv: map[int]int64{},
		byProcess: map[int]*pending{}, byKey: map[readKey]*pending{},
	}
	for i, x := range nodes {
		t.idx[x] = i
	}
	for i := range t.lastBroken {
		for j := range t.lastBroken[i] {
			t.lastBroken[i][j] = never
		}
	}
	t.recompute(0)
	return t
}

func grid[T any](n int) [][]T {
	g := make([][]T, n)
	for i := range g {
		g[i] = make([]T, n)
	}
	return g
}

func (t *Tracker) node(name string) int {
	if i, ok := t.idx[name]; ok {
		return i
	}
	return -1
}

// Observe is Op, so that a Tracker can be registered as an observer of the
// recorder's op stream.
func (t *Tracker) Observe(op history.Op) { t.Op(op) }

// Op takes the next history op, in index order.
func (t *Tracker) Op(op history.Op) {
	if op.Process == history.NemesisProcess {
		t.nemesis(op)
		return
	}
	if op.Process < 0 {
		return
	}
	switch op.F {
	case "broadcast":
		if op.Type == history.Invoke {
			if v, ok := op.BroadcastValue(); ok {
				t.bcastInv[op.Process] = v
			}
			return
		}
		v, ok := op.BroadcastValue()
		if inv, had := t.bcastInv[op.Process]; had {
			if !ok {
				v, ok = inv, true
			}
			delete(t.bcastInv, op.Process)
		}
		if !ok || op.Type != history.OK {
			return
		}
		if _, seen := t.values[v]; !seen {
			t.values[v] = &value{ack: op.Time, origin: t.node(op.Node)}
			t.order = append(t.order, v)
		}
	case "read":
		if op.Type == history.Invoke {
			t.readInvoked(op)
			return
		}
		if p := t.byProcess[op.Process]; p != nil {
			delete(t.byProcess, op.Process)
			if p.refs--; p.refs == 0 {
				delete(t.byKey, p.key)
			}
		}
	}
}

func (t *Tracker) readInvoked(op history.Op) {
	if old := t.byProcess[op.Process]; old != nil { // an invocation never completed
		if old.refs--; old.refs == 0 {
			delete(t.byKey, old.key)
		}
	}
	k := readKey{node: t.node(op.Node), inv: op.Time}
	p := t.byKey[k]
	if p == nil {
		p = &pending{key: k, partitioned: t.partitioned, lastHeal: t.lastHeal}
		t.byKey[k] = p
	}
	p.refs++
	t.byProcess[op.Process] = p
}

// Missed takes the values a read on node, invoked at invoke (ns), lacks
// among those acknowledged before its invocation. missed may be reused
// after the call.
func (t *Tracker) Missed(node string, invoke int64, missed []int64) {
	r := t.node(node)
	p := t.byKey[readKey{node: r, inv: invoke}]
	partitioned, lastHeal := t.partitioned, t.lastHeal
	var col []int64
	if p != nil {
		partitioned, lastHeal, col = p.partitioned, p.lastHeal, p.col
	}
	for _, v := range missed {
		val := t.values[v]
		if val == nil || val.ack > invoke {
			continue
		}
		if r >= 0 && val.origin >= 0 {
			lb := t.lastBroken[val.origin][r]
			if col != nil {
				lb = col[val.origin]
			}
			if lb <= val.ack {
				val.reach = max(val.reach, invoke+1-val.ack)
			}
		}
		if !partitioned {
			val.heal = max(val.heal, invoke+1-max(val.ack, lastHeal))
		}
	}
}

// Figures returns both figures over the values acknowledged so far.
func (t *Tracker) Figures() Figures {
	return Figures{
		Reachable: t.figure(func(v *value) int64 { return v.reach }),
		AfterHeal: t.figure(func(v *value) int64 { return v.heal }),
	}
}

func (t *Tracker) figure(get func(*value) int64) Figure {
	f := Figure{Values: len(t.order), WorstValue: -1}
	if f.Values == 0 {
		return f
	}
	ms := make([]int64, 0, len(t.order))
	var worst int64
	for _, v := range t.order {
		m := max(0, get(t.values[v])) / 1e6
		if m > 0 {
			f.Stale++
			if m > worst {
				worst, f.WorstValue = m, v
			}
		}
		ms = append(ms, m)
	}
	sort.Slice(ms, func(a, b int) bool { return ms[a] < ms[b] })
	for _, q := range quantile.Points {
		f.MS = append(f.MS, ms[quantile.Index(len(ms), q)])
	}
	return f
}
