package gossip

import (
	"container/heap"
	"fmt"
	"math/rand"
	"slices"
	"strings"
)

// simNet is an in-process network of Cores for deterministic tests, in the
// spirit of raft's rafttest: time is a step counter; every node ticks once
// per stepsPerTick steps (each with its own phase); messages are delivered
// after a latency drawn from a seeded source, dropped by partitions
// (checked at delivery, as Maelstrom does), seeded random loss, or a
// crashed receiver. Everything is synchronous and seeded: a run is
// replayed exactly from its seed.
type simNet struct {
	rng          *rand.Rand
	now          int64 // steps
	stepsPerTick int64
	latency      func(*rand.Rand) int64 // steps, >= 1
	dropRate     float64
	base         Config
	logf         func(format string, args ...any)

	ids     []string
	cores   map[string]*Core
	phase   map[string]int64
	inc     map[string]int // incarnation counter per node
	down    map[string]bool
	paused  map[string]bool // stopped (SIGSTOP): no ticks; messages to it wait in held
	held    map[string][]inflight
	blocked map[string]map[string]bool // receiver -> senders it drops

	q   msgHeap
	seq int64

	topology map[string][]string // sent to every core (and restarted ones) by setTopology

	acked  map[int64]bool            // values acknowledged to a client
	origin map[int64]string          // node each acked value was broadcast to
	disk   map[string]map[int64]bool // values each node made durable (Ready.NewValues)

	sent       int
	sentByKind map[Kind]int
	// Pushes of the acknowledgement machinery (suspect.go): direct copies
	// from suspect nodes, acknowledgement-only pushes, probes.
	directSent, ackOnly, probes int
	dropped                     int
	errs                        []string

	// trace, if set, sees every message as it is sent.
	trace func(from, to string, m Message)
	// learned, if set, sees every value a node reports in Ready.NewValues.
	learned func(node string, v int64)
}

type inflight struct {
	at       int64
	seq      int64
	from, to string
	msg      Message
}

type msgHeap []inflight

func (h msgHeap) Len() int { return len(h) }
func (h msgHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h msgHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *msgHeap) Push(x any)   { *h = append(*h, x.(inflight)) }
func (h *msgHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// newSimNet builds n nodes n0..n(n-1) from base (ID, NodeIDs, Seed and
// Logf are filled per node).
func newSimNet(seed int64, n int, stepsPerTick int64, latency func(*rand.Rand) int64, base Config) (*simNet, error) {
	s := &simNet{
		rng:          rand.New(rand.NewSource(seed)),
		stepsPerTick: stepsPerTick,
		latency:      latency,
		base:         base,
		logf:         func(string, ...any) {},
		cores:        map[string]*Core{},
		phase:        map[string]int64{},
		inc:          map[string]int{},
		down:         map[string]bool{},
		paused:       map[string]bool{},
		held:         map[string][]inflight{},
		blocked:      map[string]map[string]bool{},
		acked:        map[int64]bool{},
		origin:       map[int64]string{},
		disk:         map[string]map[int64]bool{},
		sentByKind:   map[Kind]int{},
	}
	if base.Logf != nil {
		s.logf = base.Logf
	}
	for i := range n {
		s.ids = append(s.ids, fmt.Sprintf("n%d", i))
	}
	for _, id := range s.ids {
		s.phase[id] = s.rng.Int63n(stepsPerTick)
		s.disk[id] = map[int64]bool{}
		c, err := s.newCore(id)
		if err != nil {
			return nil, err
		}
		s.cores[id] = c
	}
	return s, nil
}

func (s *simNet) newCore(id string) (*Core, error) {
	cfg := s.base
	cfg.ID = id
	cfg.NodeIDs = s.ids
	cfg.Seed = s.rng.Int63()
	cfg.Logf = func(format string, args ...any) { s.logf("%s: "+format, append([]any{id}, args...)...) }
	return New(cfg)
}

// drain takes a node's Ready: its messages go in flight, its new values to
// its disk.
func (s *simNet) drain(id string) {
	rd := s.cores[id].Ready()
	for _, v := range rd.NewValues {
		s.disk[id][v] = true
		if s.learned != nil {
			s.learned(id, v)
		}
	}
	for _, e := range rd.Messages {
		if e.To == id || !slices.Contains(s.ids, e.To) {
			s.errs = append(s.errs, fmt.Sprintf("%s sent to %q", id, e.To))
			continue
		}
		if e.Msg.Kind == KindPush && len(e.Msg.Values) == 0 && e.Msg.Ack == 0 && e.Msg.Round == 0 && !isDetach(e.Msg) && !isRootNotice(e.Msg) {
			s.errs = append(s.errs, fmt.Sprintf("%s sent an empty push to %s that is neither an acknowledgement, a probe, a detach nor a root notice", id, e.To))
		}
		s.sent++
		s.sentByKind[e.Msg.Kind]++
		switch m := e.Msg; {
		case m.Kind != KindPush:
		case m.Direct:
			s.directSent++
		case len(m.Values) == 0 && m.Round == 0:
			s.ackOnly++
		case len(m.Values) == 0:
			s.probes++
		}
		if s.trace != nil {
			s.trace(id, e.To, e.Msg)
		}
		s.seq++
		heap.Push(&s.q, inflight{at: s.now + max(1, s.latency(s.rng)), seq: s.seq, from: id, to: e.To, msg: e.Msg})
	}
}

// step advances time by one step: due messages are delivered (or dropped),
// then the nodes whose tick falls on this step tick.
func (s *simNet) step() {
	s.now++
	for len(s.q) > 0 && s.q[0].at <= s.now {
		s.deliver(heap.Pop(&s.q).(inflight))
	}
	for _, id := range s.ids {
		if !s.down[id] && !s.paused[id] && (s.now+s.phase[id])%s.stepsPerTick == 0 {
			s.cores[id].Tick()
			s.drain(id)
		}
	}
}

func (s *simNet) deliver(m inflight) {
	if s.paused[m.to] { // delivered once it resumes
		s.held[m.to] = append(s.held[m.to], m)
		return
	}
	if s.down[m.to] || s.blocked[m.to][m.from] || (s.dropRate > 0 && s.rng.Float64() < s.dropRate) {
		s.dropped++
		return
	}
	if err := s.cores[m.to].Step(m.from, m.msg); err != nil {
		s.errs = append(s.errs, fmt.Sprintf("%s stepping %s from %s: %v", m.to, m.msg.Kind, m.from, err))
	}
	s.drain(m.to)
}

// deliverAll delivers every message in flight now, whatever its deadline
// (repeatedly, until none is left or rounds run out).
func (s *simNet) deliverAll() {
	for range 100 {
		if len(s.q) == 0 {
			return
		}
		batch := s.q
		s.q = nil
		slices.SortFunc(batch, func(a, b inflight) int {
			if a.at != b.at {
				return int(a.at - b.at)
			}
			return int(a.seq - b.seq)
		})
		for _, m := range batch {
			s.deliver(m)
		}
	}
}

func (s *simNet) run(steps int64) {
	for range steps {
		s.step()
	}
}

// broadcast sends v from a client to node id; it is acknowledged if the
// node is up (the node makes it durable before the ack).
func (s *simNet) broadcast(id string, v int64) bool {
	if s.down[id] || s.paused[id] {
		return false
	}
	s.cores[id].Broadcast(v)
	s.drain(id)
	s.acked[v] = true
	s.origin[v] = id
	return true
}

// partition cuts the network into the given groups (nodes not listed form
// one more group); traffic crosses no group boundary until heal.
func (s *simNet) partition(groups ...[]string) {
	s.heal()
	groupOf := map[string]int{}
	for i, g := range groups {
		for _, id := range g {
			groupOf[id] = i + 1
		}
	}
	for _, a := range s.ids {
		for _, b := range s.ids {
			if groupOf[a] != groupOf[b] {
				s.block(a, b)
			}
		}
	}
}

// block makes to drop messages from from.
func (s *simNet) block(to, from string) {
	if s.blocked[to] == nil {
		s.blocked[to] = map[string]bool{}
	}
	s.blocked[to][from] = true
}

func (s *simNet) heal() { s.blocked = map[string]map[string]bool{} }

// nemesisPartition applies one of Maelstrom's four partition shapes
// (spec 3.5) chosen by shape 0..3, and returns its name.
func (s *simNet) nemesisPartition(shape int) string {
	ids := slices.Clone(s.ids)
	s.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	n := len(ids)
	switch shape {
	case 0:
		s.partition(ids[:1])
		return "one"
	case 1:
		s.partition(ids[:(n-1)/3])
		return "minority-third"
	case 2:
		s.partition(ids[:n/2])
		return "majority"
	default:
		s.ringPartition(ids)
		return "majorities-ring"
	}
}

// ringPartition: each node hears only the nodes within a window of
// floor(n/2)+1 around it on a ring (the perfect ring of spec 3.5; used for
// every size, which keeps the shape's intent: no node hears everyone,
// every node hears a majority).
func (s *simNet) ringPartition(ring []string) {
	s.heal()
	n := len(ring)
	m := n/2 + 1
	for i, to := range ring {
		hear := map[string]bool{}
		for k := -(m / 2); k < m-m/2; k++ {
			hear[ring[((i+k)%n+n)%n]] = true
		}
		for _, from := range ring {
			if !hear[from] {
				s.block(to, from)
			}
		}
	}
}

// pause stops node id the way SIGSTOP does: it neither ticks nor handles
// messages, which wait for it; resume lets it go on where it stopped.
func (s *simNet) pause(id string) { s.paused[id] = true }

func (s *simNet) resume(id string) {
	s.paused[id] = false
	for _, m := range s.held[id] {
		s.deliver(m)
	}
	s.held[id] = nil
}

// crash stops node id: its in-flight and future messages are lost.
func (s *simNet) crash(id string) {
	s.down[id], s.paused[id], s.held[id] = true, false, nil
}

// restart brings a crashed node back as a new incarnation, restored from
// the values it acknowledged to clients (always durable) plus a random
// keep fraction of the rest of its disk (writes a crash may lose).
func (s *simNet) restart(id string, keep float64) error {
	c, err := s.newCore(id)
	if err != nil {
		return err
	}
	var restored []int64
	for v := range s.disk[id] {
		if s.origin[v] == id || s.rng.Float64() < keep {
			restored = append(restored, v)
		}
	}
	slices.Sort(restored) // map order must not leak into the run
	s.disk[id] = map[int64]bool{}
	for _, v := range restored {
		s.disk[id][v] = true
	}
	s.inc[id]++
	s.cores[id] = c
	s.down[id] = false
	c.Restore(restored)
	c.Rejoin(fmt.Sprintf("%s-%d", id, s.inc[id]))
	if s.topology != nil {
		c.SetTopology(s.topology)
	}
	s.drain(id)
	return nil
}

// setTopology sends Maelstrom's topology message to every live core.
func (s *simNet) setTopology(topo map[string][]string) {
	s.topology = topo
	for _, id := range s.ids {
		if !s.down[id] {
			s.cores[id].SetTopology(topo)
			s.drain(id)
		}
	}
}

// lineTopology is Maelstrom's "line" topology over ids.
func lineTopology(ids []string) map[string][]string {
	topo := map[string][]string{}
	for i, id := range ids {
		if i > 0 {
			topo[id] = append(topo[id], ids[i-1])
		}
		if i+1 < len(ids) {
			topo[id] = append(topo[id], ids[i+1])
		}
	}
	return topo
}

// converged reports whether every live node holds exactly the acknowledged
// values; if not, it describes the first difference.
func (s *simNet) converged() (bool, string) {
	for _, id := range s.ids {
		if s.down[id] {
			continue
		}
		c := s.cores[id]
		for v := range s.acked {
			if !c.Has(v) {
				return false, fmt.Sprintf("%s lacks %d (broadcast to %s) and %d more", id, v, s.origin[v], len(s.acked)-c.Len()-1)
			}
		}
		if c.Len() != len(s.acked) {
			return false, fmt.Sprintf("%s holds %d values, %d acknowledged", id, c.Len(), len(s.acked))
		}
	}
	return true, ""
}

// runUntilConverged steps until converged, at most limit steps; it returns
// the steps taken and whether it converged.
func (s *simNet) runUntilConverged(limit int64) (int64, bool) {
	for i := int64(0); i <= limit; i++ {
		if i%10 == 0 {
			if ok, _ := s.converged(); ok {
				return i, true
			}
		}
		s.step()
	}
	return limit, false
}

func (s *simNet) read(id string) []int64 {
	return slices.Clone(s.cores[id].values.Sorted())
}

func formatValues(vs []int64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprint(v)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// starConfig is DefaultConfig with the star strategy of the first design:
// the tests of the star's rules use it.
func starConfig() Config {
	c := DefaultConfig()
	c.Strategy = StrategyStar
	return c
}

// star returns the core's star strategy (the test's config must choose
// StrategyStar).
func (c *Core) star() *star { return c.strat.(*star) }
