package gossip

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// stalenessBoundMs is the bound of the no-single-point-of-failure rules:
// a value reaches every node its origin can reach within a second.
const stalenessBoundMs = 1000

// faultLatency is the latency of every message of a faultRun, steps (ms).
const faultLatency = 100

// faultRun is one simulated 3d/3e-style run (25 nodes, 100 ms latency,
// ticks of 10 ms, 1 step = 1 ms, about 50 broadcasts/s) with faults
// injected by events at given steps.
type faultRun struct {
	seed   int64
	until  int64                     // steps of client load
	events map[int64]func(s *simNet) // step -> fault
	cfg    func(*Config)             // changes to DefaultConfig, or nil
	healAt int64                     // if set: measure afterHealMs
	// trace, if set, sees every message sent (see simNet.trace).
	trace func(from, to string, m Message)
}

// faultResult is what a faultRun measured: for every value, the worst
// delay (ms) from its broadcast to a node its origin could reach (both ways,
// up, not paused) from the broadcast until the bound, and the value and
// node of the worst case overall.
type faultResult struct {
	values, late int
	worstMs      int64
	worst        string
	msgsPerOp    float64
	// sent, ops: messages sent by all nodes, client operations.
	sent, ops int
	// scheduleMsgs is what the relay's schedule sends for this load with
	// no fault (see relaySchedule).
	scheduleMsgs int
	converged    bool
	// afterHealMs: from healAt until every node held every value
	// broadcast before it.
	afterHealMs int64
}

func (fr faultRun) run(t *testing.T) faultResult {
	t.Helper()
	cfg := DefaultConfig()
	if fr.cfg != nil {
		fr.cfg(&cfg)
	}
	s, err := newSimNet(fr.seed, 25, 10, func(*rand.Rand) int64 { return faultLatency }, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.trace = fr.trace
	learned := map[int64]map[string]int64{}
	s.learned = func(id string, v int64) {
		if learned[v] == nil {
			learned[v] = map[string]int64{}
		}
		if _, ok := learned[v][id]; !ok { // a restarted node learns again
			learned[v][id] = s.now
		}
	}
	var open []*watch
	bornAt := map[int64]int64{}
	watches := map[int64]*watch{}
	up := func(id string) bool { return !s.down[id] && !s.paused[id] }
	canReach := func(o, id string) bool {
		return id != o && up(o) && up(id) && !s.blocked[id][o] && !s.blocked[o][id]
	}
	rng := rand.New(rand.NewSource(fr.seed ^ 0x5eed))
	next, ops := int64(0), 0
	nextOp := 0.0
	end := fr.until + 10000
	for s.now < end {
		if ev := fr.events[s.now]; ev != nil {
			ev(s)
			// Faults change only here: drop, from the values within their
			// bound, the nodes their origin no longer reaches.
			keep := open[:0]
			for _, w := range open {
				if s.now-w.born > stalenessBoundMs {
					continue
				}
				keep = append(keep, w)
				for p := range w.reach {
					if !canReach(s.origin[w.value], p) {
						delete(w.reach, p)
					}
				}
			}
			open = keep
		}
		for s.now < fr.until && float64(s.now) >= nextOp {
			ops++
			if rng.Intn(2) == 0 {
				id := s.ids[rng.Intn(len(s.ids))]
				bornAt[next] = s.now
				if s.broadcast(id, next) {
					w := &watch{value: next, born: s.now, reach: map[string]bool{}}
					for _, p := range s.ids {
						if canReach(id, p) {
							w.reach[p] = true
						}
					}
					watches[next] = w
					open = append(open, w)
				}
				next++
			}
			nextOp += rng.Float64() * 20
		}
		s.step()
	}
	if len(s.errs) > 0 {
		t.Fatalf("seed %d: protocol errors: %v", fr.seed, s.errs[:min(3, len(s.errs))])
	}
	res := faultResult{values: len(watches), msgsPerOp: float64(s.sent) / float64(ops), sent: s.sent, ops: ops}
	res.scheduleMsgs = relaySchedule(cfg, s, watches)
	vs := make([]int64, 0, len(watches))
	for v := range watches {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	for _, v := range vs {
		w := watches[v]
		late := false
		for _, p := range sortedIDs(keys(w.reach)) {
			at, ok := learned[v][p]
			d := at - w.born
			if !ok {
				d = 1 << 40
			}
			if d > stalenessBoundMs {
				late = true
			}
			if d > res.worstMs {
				res.worstMs, res.worst = d, fmt.Sprintf("value %d from %s at %d ms, at %s", v, s.origin[v], w.born, p)
			}
		}
		if late {
			res.late++
		}
	}
	res.converged, _ = s.converged()
	if fr.healAt > 0 {
		for v := range next {
			if s.origin[v] == "" || !s.acked[v] {
				continue
			}
			for _, p := range s.ids {
				at, ok := learned[v][p]
				if p == s.origin[v] || s.down[p] {
					continue
				}
				if !ok {
					at = 1 << 40
				}
				if born := bornAt[v]; born < fr.healAt && at-fr.healAt > res.afterHealMs {
					res.afterHealMs = at - fr.healAt
					res.worst = fmt.Sprintf("value %d from %s at %d ms, at %s", v, s.origin[v], born, p)
				}
			}
		}
	}
	return res
}

// relaySchedule returns how many messages the relay's design sends for
// the values of watches with no fault (one relay, the first id, reached
// from every node within the run's constant latency):
//   - per relay flush, a downlink to each of the N-1 peers, and a flush
//     comes once per window of the relay's grid while values arrive (a
//     value born in grid window j is flushed at the end of window j+1
//     or j+2, depending on whether its origin's upload slot is still to
//     come);
//   - per leaf, one upload per upload slot that had client values (slots
//     come once a window, LeadTicks plus the latency before a flush);
//   - at start-up, before a leaf knows its slots, each leaf sends up to
//     two uploads at once (the first two values), each acknowledged on
//     arrival by a message of its own;
//   - anti-entropy: while pushes stream, each node opens a real round (a
//     sync, a reply, the values missing) once per MaxSkipTicks, and once
//     at the start.
func relaySchedule(cfg Config, s *simNet, watches map[int64]*watch) int {
	n := len(s.ids)
	relayID := sortedIDs(s.ids)[0]
	windowSteps := int64(cfg.WindowTicks) * s.stepsPerTick
	lead := int64(cfg.LeadTicks)*s.stepsPerTick + faultLatency
	flushes := map[int64]bool{}
	slots := map[string]map[int64]bool{}
	var last int64
	for v, w := range watches {
		j := w.born / windowSteps
		flushes[j+1], flushes[j+2] = true, true
		last = max(last, w.born)
		o := s.origin[v]
		if o == relayID {
			continue
		}
		if slots[o] == nil {
			slots[o] = map[int64]bool{}
		}
		slots[o][(w.born+lead+windowSteps-1)/windowSteps] = true
	}
	msgs := len(flushes) * (n - 1)
	for _, ks := range slots {
		msgs += len(ks)
	}
	msgs += 2 * 2 * (n - 1)
	rounds := last/(int64(cfg.MaxSkipTicks)*s.stepsPerTick) + 1
	msgs += 3 * n * int(rounds)
	return msgs
}

// watch follows one value: the nodes its origin could reach at every step
// from the broadcast until the bound (the ones it could not reach at some
// step are dropped).
type watch struct {
	value int64
	born  int64
	reach map[string]bool
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// relaySeeds is how many seeds each no-single-point-of-failure rule runs.
func relaySeeds() int64 {
	if testing.Short() {
		return 2
	}
	return int64(min(*flagSeeds, 6))
}

// Rule: with the transitive partition shapes of Maelstrom (one node alone,
// a minority third, two halves) cut for 5 s under load, mid-run or from
// the first step (Maelstrom issues its first partition at once, before any
// leaf knows a round trip to its relay: the failover timeout is then
// FailoverTicks), every value reaches every node its origin can reach
// within 1 s (the relay role fails over to the first node of the order on
// each side), and everything converges after the heal.
func TestRelayPartitionShapesWithinBound(t *testing.T) {
	cuts := []struct {
		name            string
		at, heal, until int64
		checkCost       bool
	}{
		{"mid-run", 5000, 10000, 15000, true},
		{"from the start", 1, 5000, 10000, false},
	}
	for _, cut := range cuts {
		for shape := range 3 {
			for seed := int64(1); seed <= relaySeeds(); seed++ {
				var name string
				r := faultRun{seed: seed, until: cut.until, events: map[int64]func(*simNet){
					cut.at:   func(s *simNet) { name = s.nemesisPartition(shape) },
					cut.heal: func(s *simNet) { s.heal() },
				}}.run(t)
				if r.late > 0 || !r.converged {
					t.Errorf("%s %s, seed %d: %d of %d values late (worst %d ms: %s; bound %d ms), converged %v",
						name, cut.name, seed, r.late, r.values, r.worstMs, r.worst, stalenessBoundMs, r.converged)
				}
				// The cost of the cut: failover copies, the second star's
				// flushes, the rounds after the heal. A healthy run of this
				// load costs about 1.0; one 5 s cut in 15 s of load measured
				// 1.2 to 2.3 (seeds 1 to 6, the three shapes).
				if cut.checkCost && r.msgsPerOp > partitionCostBound {
					t.Errorf("%s %s, seed %d: %.2f msgs/op, over %.1f", name, cut.name, seed, r.msgsPerOp, partitionCostBound)
				}
			}
		}
	}
}

// Rule: a cut that heals after the load has stopped (nothing new to send
// anywhere, anti-entropy idle or slow on each side) is crossed anyway: the
// nodes that suspect a node ahead of their relay probe it while quiet
// (after SettleTicks, again SettleTicks later, then at doubling
// intervals). Here the heal comes 2 s after the load stopped, between the
// rechecks at 2 and 4 s of quiet, so every node holds every value within
// 2 s, a round trip and a round of the heal (without the rechecks: up to
// 5.9 s in these seeds, when random rounds happen to cross).
func TestRelayHealAfterTheLoadStoppedConverges(t *testing.T) {
	cfg := DefaultConfig()
	bound := int64(2*cfg.SettleTicks)*10 + 500 // ms; a tick is 10 ms here
	for shape := range 3 {
		for seed := int64(1); seed <= relaySeeds(); seed++ {
			var name string
			r := faultRun{seed: seed, until: 8000, healAt: 10000, events: map[int64]func(*simNet){
				4000:  func(s *simNet) { name = s.nemesisPartition(shape) },
				10000: func(s *simNet) { s.heal() },
			}}.run(t)
			if !r.converged || r.afterHealMs > bound {
				t.Errorf("%s healed 2 s after the load stopped, seed %d: converged %v, everywhere %d ms after the heal (bound %d ms; %s)",
					name, seed, r.converged, r.afterHealMs, bound, r.worst)
			}
		}
	}
}

// partitionCostBound bounds the msgs-per-op of a simulated run with one
// 5 s cut mid-run (TestRelayPartitionShapesWithinBound).
const partitionCostBound = 2.5

// Rule: with Maelstrom's majorities ring (every node hears a majority, no
// two the same) cut for 5 s under load, everything converges, and within
// 1 s of the heal every node holds every value broadcast before it. The
// 1 s bound while the ring lasts is not asserted because it does not hold:
// a tail of values (0.3 to 4% in seeds 1 to 6) reaches some nodes their origin hears only
// through anti-entropy (the figures are logged; see the README).
func TestRelayRingConverges(t *testing.T) {
	for seed := int64(1); seed <= relaySeeds(); seed++ {
		r := faultRun{seed: seed, until: 15000, healAt: 10000, events: map[int64]func(*simNet){
			5000:  func(s *simNet) { s.nemesisPartition(3) },
			10000: func(s *simNet) { s.heal() },
		}}.run(t)
		if !r.converged || r.afterHealMs > stalenessBoundMs {
			t.Errorf("ring, seed %d: converged %v, everywhere %d ms after the heal (bound %d ms; %s)",
				seed, r.converged, r.afterHealMs, stalenessBoundMs, r.worst)
		}
		t.Logf("ring, seed %d: %d of %d values beyond %d ms while cut (worst %d ms); everywhere %d ms after the heal",
			seed, r.late, r.values, stalenessBoundMs, r.worstMs, r.afterHealMs)
	}
}

// Rule: the relay (n0) paused for 5 s, then dead for 5 s, under load:
// every value reaches every node its origin can reach (n0 excluded while
// paused or dead) within 1 s; after n0 restarts everything converges.
func TestRelayPausedThenDeadWithinBound(t *testing.T) {
	for seed := int64(1); seed <= relaySeeds(); seed++ {
		r := faultRun{seed: seed, until: 20000, events: map[int64]func(*simNet){
			5000:  func(s *simNet) { s.pause("n0") },
			10000: func(s *simNet) { s.crash("n0") },
			15000: func(s *simNet) {
				if err := s.restart("n0", 0.5); err != nil {
					t.Fatal(err)
				}
			},
		}}.run(t)
		if r.late > 0 || !r.converged {
			t.Errorf("seed %d: %d of %d values late (worst %d ms: %s; bound %d ms), converged %v",
				seed, r.late, r.values, r.worstMs, r.worst, stalenessBoundMs, r.converged)
		}
	}
}

// Rule: any single node paused for 5 s under load: every value reaches
// every other node within 1 s.
func TestRelayAnyNodePausedWithinBound(t *testing.T) {
	for seed := int64(1); seed <= relaySeeds(); seed++ {
		id := fmt.Sprintf("n%d", rand.New(rand.NewSource(seed)).Intn(25))
		r := faultRun{seed: seed, until: 15000, events: map[int64]func(*simNet){
			5000:  func(s *simNet) { s.pause(id) },
			10000: func(s *simNet) { s.resume(id) },
		}}.run(t)
		if r.late > 0 || !r.converged {
			t.Errorf("%s paused, seed %d: %d of %d values late (worst %d ms: %s; bound %d ms), converged %v",
				id, seed, r.late, r.values, r.worstMs, r.worst, stalenessBoundMs, r.converged)
		}
	}
}

// Rule: with no fault, every value reaches every node within a window,
// two latencies, the lead and two ticks of processing (in steps of 1 ms),
// from the start (while the leaves learn their upload slots too), and the
// nodes send no more messages than the relay's schedule for the load
// (relaySchedule).
func TestRelayHealthyBoundAndCost(t *testing.T) {
	d := DefaultConfig()
	bound := int64(d.WindowTicks+d.LeadTicks+2)*10 + 2*faultLatency
	for seed := int64(1); seed <= relaySeeds(); seed++ {
		r := faultRun{seed: seed, until: 20000}
		res := r.run(t)
		limit := float64(res.scheduleMsgs) / float64(res.ops)
		if res.worstMs > bound || !res.converged || res.sent > res.scheduleMsgs {
			t.Errorf("seed %d: worst %d ms (%s), bound %d; %.2f msgs/op (want <= %.2f, the schedule); converged %v",
				seed, res.worstMs, res.worst, bound, res.msgsPerOp, limit, res.converged)
		}
		t.Logf("seed %d: worst %d ms (bound %d); %.3f msgs/op (schedule %.3f)", seed, res.worstMs, bound, res.msgsPerOp, limit)
	}
}

// relayDriver drives one core of the relay strategy by hand.
func relayDriver(t *testing.T, id string, n int) *driver {
	d := &driver{t: t, c: newCore(t, id, n, func(c *Config) {
		c.Strategy = StrategyRelay
		quiet(c)
	})}
	d.c.Ready()
	return d
}

// Rule: a leaf's upload that its relay does not acknowledge within the
// timeout (FailoverTicks before any round trip is known) is copied to
// every peer, the next five nodes of the order are probed (each probe on
// that node's copy: no message more), and uploads go to the first of
// them; the relay heard from right after was only slow, so the next
// timeout is longer by FailoverMarginTicks.
func TestRelayFailoverAndSlack(t *testing.T) {
	d := relayDriver(t, "n9", 10)
	cfg := d.c.cfg
	d.broadcast(7)
	if got := describe(d.take()); len(got) != 1 || !strings.Contains(got[0], "n0 push #1") {
		t.Fatalf("first upload: %v, want one push to n0", got)
	}
	d.tick(cfg.FailoverTicks - 1)
	if got := d.take(); len(got) != 0 {
		t.Fatalf("before FailoverTicks: %v", describe(got))
	}
	d.tick(1)
	out := d.take()
	copies := only(out, func(s sent) bool { return isDirect(s) && slices.Equal(s.m.Values, []int64{7}) })
	probing := only(copies, func(s sent) bool { return isProbingCopy(s.m) })
	probes := only(out, func(s sent) bool { return s.m.Kind == KindPush && !s.m.Direct && len(s.m.Values) == 0 })
	if len(copies) != 9 || len(probing) != 5 || probing[0].to != "n1" || probing[4].to != "n5" || len(probes) != 0 {
		t.Fatalf("at FailoverTicks: %v; want 9 copies, those to n1..n5 probing, no probe apart", describe(out))
	}
	if r := d.c.strat.(*relay); len(r.probes) != 5 || r.probes["n1"].seq != probing[0].m.Round {
		t.Fatalf("probes outstanding %v, want n1..n5 with their copies' numbers", r.probes)
	}
	if r := d.c.strat.(*relay); r.current != "n1" {
		t.Fatalf("relay %s after the failover, want n1", r.current)
	}
	d.step("n0", Message{Kind: KindPush, Direct: true, Round: 1, Values: []int64{8}})
	if r := d.c.strat.(*relay); r.current != "n0" || r.slack != int64(cfg.FailoverMarginTicks) {
		t.Errorf("n0 heard right after: relay %s, slack %d; want n0, %d", r.current, r.slack, cfg.FailoverMarginTicks)
	}
}

// Rule: an idle relay core (nothing queued, nothing unacknowledged, its
// root notice sent) has no deadline of its strategy, and anti-entropy's is MaxSkipTicks after its
// last round: the node sleeps until the next message.
func TestRelayIdleHasNoDeadline(t *testing.T) {
	d := relayDriver(t, "n0", 3)
	d.tick(5)
	if got, want := d.c.NextDeadline(), d.c.ae.lastRealRound+int64(d.c.cfg.MaxSkipTicks); got < want || d.c.strat.nextDeadline() != NoDeadline {
		t.Errorf("idle relay: deadline %d (strategy %d), want none before %d", got, d.c.strat.nextDeadline(), want)
	}
	d.step("n1", Message{Kind: KindPush, Round: 1, Values: []int64{4}, Count: 1})
	if got := d.c.NextDeadline(); got == NoDeadline || got > d.c.Now()+int64(d.c.cfg.WindowTicks) {
		t.Errorf("after an upload: deadline %d at tick %d, want the next flush within a window", got, d.c.Now())
	}
	d.tick(d.c.cfg.WindowTicks)
	d.take()
	// The next slot, with nothing new, sends n2 (the flush sent it n1's
	// value) a root notice; then nothing is due.
	d.tick(d.c.cfg.WindowTicks)
	if got := d.take(); len(got) != 1 || got[0].to != "n2" || !isRootNotice(got[0].m) {
		t.Errorf("slot after the flush: %v, want one root notice to n2", describe(got))
	}
	if got := d.c.strat.nextDeadline(); got != NoDeadline {
		t.Errorf("after the root notice: strategy deadline %d, want none", got)
	}
}

// Rule: an acknowledgement that moves the upload timing so that the slot
// of the values queued comes at this very tick uploads them at once (the
// next tick would find the slot past, and they would wait a whole window
// more).
func TestRelayAckMovingSlotToNowUploads(t *testing.T) {
	d := relayDriver(t, "n9", 10)
	cfg := d.c.cfg
	d.broadcast(1) // upload #1 at tick 0, untimed
	d.broadcast(2) // upload #2 at tick 0, untimed (no timing yet)
	if got := describe(d.take()); len(got) != 2 {
		t.Fatalf("first uploads: %v, want two", got)
	}
	// #1 waits 20 ticks for the flush: slots at 20-LeadTicks, then every
	// WindowTicks.
	d.tick(10)
	d.step("n0", Message{Kind: KindPush, Direct: true, Ack: 1, Count: -20 - 1})
	d.broadcast(3) // queued for the slot 20-LeadTicks
	d.tick(5)
	if got := d.take(); len(got) != 0 {
		t.Fatalf("before the slot: %v", describe(got))
	}
	// #2 waits now+LeadTicks ticks: the slot is now.
	now := d.c.Now()
	d.step("n0", Message{Kind: KindPush, Direct: true, Ack: 2, Count: -int(now+int64(cfg.LeadTicks)) - 1})
	if got := describe(d.take()); len(got) != 1 || !strings.Contains(got[0], "n0 push #3") || !strings.Contains(got[0], "[3]") {
		t.Fatalf("at the moved slot (tick %d): %v, want upload #3 of [3] to n0", now, got)
	}
}

// Rule: queued values keep the upload slot they wait for: an Advance that
// skips that slot's tick (a node that slept until the deadline and woke
// late) uploads them at once, not at the next slot after now.
func TestRelayUploadSlotSkippedByAdvance(t *testing.T) {
	d := relayDriver(t, "n9", 10)
	d.broadcast(1) // upload #1 at tick 0, untimed
	d.take()
	d.tick(10)
	d.step("n0", Message{Kind: KindPush, Direct: true, Ack: 1, Count: -20 - 1}) // slots at 20-LeadTicks, then every WindowTicks
	d.broadcast(2)
	slot := int64(20 - d.c.cfg.LeadTicks)
	if got := d.c.NextDeadline(); got != slot {
		t.Fatalf("deadline %d with a value queued, want the slot %d", got, slot)
	}
	d.c.Advance(slot + 2) // woke two ticks late
	d.collect()
	if got := describe(d.take()); len(got) != 1 || !strings.Contains(got[0], "n0 push #2") || !strings.Contains(got[0], "[2]") {
		t.Fatalf("after skipping the slot: %v, want upload #2 of [2] to n0", got)
	}
}

// Rule: a timed upload that reaches the relay just after its flush (within
// catchUpTicks) goes out in a catch-up flush at the flush plus
// catchUpTicks, not a window later; its acknowledgement there gives the
// wait to the grid's next flush (negative Count), so the leaf's slots stay
// on the grid. A timed upload later than that waits for the grid.
func TestRelayLateUploadCaughtUp(t *testing.T) {
	d := relayDriver(t, "n0", 10)
	w := int64(d.c.cfg.WindowTicks)
	d.tick(int(w)) // the first flush is due at tick w: nothing to send
	d.step("n3", Message{Kind: KindPush, Values: []int64{7}, Round: 1})
	d.tick(catchUpTicks - 1)
	if got := d.take(); len(got) != 0 {
		t.Fatalf("before the catch-up: %v", describe(got))
	}
	d.tick(1)
	got := d.take()
	if len(got) != 9 {
		t.Fatalf("catch-up flush at tick %d: %v, want 9 downlinks (8 of [7], the ack to n3)", d.c.Now(), describe(got))
	}
	for _, s := range got {
		if s.to == "n3" && (s.m.Ack != 1 || s.m.Count != -int(w)-1) {
			t.Fatalf("ack to n3: %v with Count %d, want Ack 1 and Count %d (the grid's next flush is %d ticks after the upload)", s, s.m.Count, -int(w)-1, w)
		}
	}
	// Later than catchUpTicks after the flush: the grid.
	d.tick(int(w - catchUpTicks + catchUpTicks + 1)) // one tick after the next grid flush
	d.take()
	d.step("n4", Message{Kind: KindPush, Values: []int64{8}, Round: 1})
	d.tick(int(w) - catchUpTicks - 2)
	if got := d.take(); len(got) != 0 {
		t.Fatalf("upload %d ticks after the flush went out before the grid: %v", catchUpTicks+1, describe(got))
	}
	d.tick(catchUpTicks + 2)
	if got := d.take(); len(got) != 9 {
		t.Fatalf("grid flush: %v, want 9 downlinks", describe(got))
	}
}

// Rule: a leaf that goes back to an earlier relay (heard again after a
// cut) sends the relay it leaves a detach, and that relay stops serving it
// at once: values it learns from another relay no longer go to it.
func TestRelayDetachOnReturn(t *testing.T) {
	leaf := relayDriver(t, "n5", 10)
	cfg := leaf.c.cfg
	leaf.broadcast(1)
	leaf.take()
	leaf.tick(cfg.FailoverTicks + 1) // n0 never acknowledges: fail over to n1
	leaf.take()
	if cur := leaf.c.strat.(*relay).current; cur != "n1" {
		t.Fatalf("relay after the failover: %s, want n1", cur)
	}
	leaf.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{2}, Round: 1})
	got := only(leaf.take(), func(s sent) bool { return s.to == "n1" && isDetach(s.m) })
	if len(got) != 1 {
		t.Fatalf("back to n0: no detach to n1")
	}

	r := relayDriver(t, "n1", 10)
	r.tick(1)
	r.step("n5", Message{Kind: KindPush, Values: []int64{1}, Round: 1})
	r.tick(int(r.c.cfg.WindowTicks) + 1)
	r.take()
	// n1 relays for n5; values from another relay's flush go to n5 only.
	r.step("n7", Message{Kind: KindPush, Direct: true, Values: []int64{3}, Round: 1})
	r.tick(int(r.c.cfg.WindowTicks))
	if got := describe(only(r.take(), func(s sent) bool { return len(s.m.Values) > 0 })); len(got) != 1 || !strings.Contains(got[0], "n5") {
		t.Fatalf("a relay's value at a node relaying for n5: %v, want one downlink, to n5", got)
	}
	r.step("n5", detach())
	r.step("n7", Message{Kind: KindPush, Direct: true, Values: []int64{4}, Round: 2})
	r.tick(int(r.c.cfg.WindowTicks))
	if got := describe(only(r.take(), func(s sent) bool { return len(s.m.Values) > 0 })); len(got) != 0 {
		t.Fatalf("after n5's detach: %v, want nothing", got)
	}
}

// Rule: a node that is not the first relay and gets a first upload from a
// new uploader (a leaf that failed over to it) sends that leaf, at once,
// the values it learned in the last SettleTicks but those uploaded: its
// own clients' values went only to its own relay before. The first relay
// does not (its leaves come back with a round).
func TestRelayNewUploaderCaughtUp(t *testing.T) {
	d := relayDriver(t, "n1", 10)
	d.tick(1)
	d.broadcast(7) // n1's client: uploaded to n0 only
	d.take()
	d.tick(3)
	d.step("n5", Message{Kind: KindPush, Values: []int64{9}, Round: 1})
	got := only(d.take(), func(s sent) bool { return s.to == "n5" && len(s.m.Values) > 0 })
	if len(got) != 1 || !slices.Equal(got[0].m.Values, []int64{7}) || got[0].m.Round != 0 || !got[0].m.Direct {
		t.Fatalf("to the new uploader n5: %v, want one unnumbered direct push of [7]", describe(got))
	}
	d.step("n5", Message{Kind: KindPush, Values: []int64{10}, Round: 2})
	if got := only(d.take(), func(s sent) bool { return s.to == "n5" && len(s.m.Values) > 0 }); len(got) != 0 {
		t.Fatalf("second upload from n5: %v, want nothing at once", describe(got))
	}

	first := relayDriver(t, "n0", 10)
	first.tick(1)
	first.broadcast(7)
	first.take()
	first.step("n5", Message{Kind: KindPush, Values: []int64{9}, Round: 1})
	if got := only(first.take(), func(s sent) bool { return s.to == "n5" && len(s.m.Values) > 0 }); len(got) != 0 {
		t.Fatalf("first relay, new uploader: %v, want nothing at once", describe(got))
	}
}

// Rule: a leaf that fails over to a new relay opens an anti-entropy round
// with it at once.
func TestRelayFailoverOpensRoundWithNewRelay(t *testing.T) {
	d := relayDriver(t, "n5", 10)
	d.tick(1)
	d.broadcast(1)
	d.take()
	d.tick(d.c.cfg.FailoverTicks + 1)
	got := only(d.take(), func(s sent) bool { return s.to == "n1" && s.m.Kind == KindSync })
	if len(got) != 1 {
		t.Fatalf("after the failover to n1: %d rounds opened with it, want 1", len(got))
	}
}

// Rule: a leaf passes values from one relay's flush on to the other
// relays it heard flush in the last two windows only: a relay whose star
// has rejoined stops flushing, and stops getting copies.
func TestRelayPassOnOnlyToRelaysHeardLately(t *testing.T) {
	d := relayDriver(t, "n5", 10)
	w := int(d.c.cfg.WindowTicks)
	d.tick(1)
	d.step("n2", Message{Kind: KindPush, Direct: true, Values: []int64{1}, Round: 1}) // n2 flushes: a relay
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{2}, Round: 1})
	if got := only(d.take(), func(s sent) bool { return s.to == "n2" && len(s.m.Values) > 0 }); len(got) != 1 {
		t.Fatalf("n0's value with n2 heard just now: %v, want one copy to n2", describe(got))
	}
	d.tick(2*w + 1)
	d.take()
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{3}, Round: 2})
	if got := only(d.take(), func(s sent) bool { return s.to == "n2" && len(s.m.Values) > 0 }); len(got) != 0 {
		t.Fatalf("n0's value with n2 last heard over two windows ago: %v, want nothing to n2", describe(got))
	}
}

// Rule: a relay that gets a leaf's upload #2 without #1 (lost) opens an
// anti-entropy round with the leaf at once: the lost values come back
// within a round trip, not after the hole's wait; the same for a leaf that
// misses a relay's downlink.
func TestRelaySkippedPushOpensRoundAtOnce(t *testing.T) {
	d := relayDriver(t, "n0", 10)
	d.tick(1)
	d.step("n4", Message{Kind: KindPush, Values: []int64{13}, Round: 2})
	if got := only(d.take(), func(s sent) bool { return s.to == "n4" && s.m.Kind == KindSync }); len(got) != 1 {
		t.Fatalf("upload #2 without #1: %d rounds opened with n4, want 1", len(got))
	}
	leaf := relayDriver(t, "n4", 10)
	leaf.tick(1)
	leaf.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{1}, Round: 1})
	leaf.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{3}, Round: 3})
	if got := only(leaf.take(), func(s sent) bool { return s.to == "n0" && s.m.Kind == KindSync }); len(got) != 1 {
		t.Fatalf("downlink #3 after #1: %d rounds opened with n0, want 1", len(got))
	}
}

// Rule: a failover copies to every peer the values of uploads the relay
// acknowledged lately, as well as the unacknowledged ones: the flush that
// acknowledged them may have reached only this node before a cut.
func TestRelayFailoverCopiesRecentlyAcked(t *testing.T) {
	d := relayDriver(t, "n5", 10)
	d.tick(1)
	d.broadcast(1) // upload #1, untimed
	d.take()
	d.tick(10)
	d.step("n0", Message{Kind: KindPush, Direct: true, Ack: 1, Count: -11}) // #1 acknowledged
	d.broadcast(2)
	for range d.c.cfg.FailoverTicks + int(d.c.cfg.WindowTicks) {
		d.tick(1)
		if d.c.strat.(*relay).current != "n0" {
			break
		}
	}
	got := only(d.take(), func(s sent) bool { return s.to == "n3" && s.m.Direct && len(s.m.Values) > 0 })
	if len(got) != 1 || !slices.Contains(got[0].m.Values, 1) || !slices.Contains(got[0].m.Values, 2) {
		t.Fatalf("failover copy to n3: %v, want one with 1 (acknowledged) and 2 (not)", describe(got))
	}
}

// Rule: a failover that sends copies puts on them this node's values
// still queued for the next upload, which would otherwise wait for the
// new relay (maybe across the cut too); one with nothing at risk sends no
// copy for them: they go to the new relay only.
func TestRelayFailoverCopiesCarryQueuedValues(t *testing.T) {
	for _, atRisk := range []bool{true, false} {
		d := relayDriver(t, "n5", 10)
		d.tick(1)
		d.broadcast(1) // upload #1, untimed
		d.take()
		d.tick(10)
		d.step("n0", Message{Kind: KindPush, Direct: true, Ack: 1, Count: -11}) // #1 acknowledged; the grid is known
		r := d.c.strat.(*relay)
		if !atRisk {
			r.ackedRecently = nil // acknowledged long ago
		}
		d.broadcast(2)
		if !slices.Equal(r.up, []int64{2}) {
			t.Fatalf("after broadcast 2: queued %v, want [2] (waiting for its slot)", r.up)
		}
		d.take()
		r.failover("test", false)
		d.collect()
		out := d.take()
		copies := only(out, func(s sent) bool { return s.m.Direct && len(s.m.Values) > 0 })
		if atRisk {
			if len(copies) != 9 || !slices.Equal(copies[0].m.Values, []int64{1, 2}) {
				t.Fatalf("failover with 1 at risk and 2 queued: copies %v, want 9 with [1 2]", describe(copies))
			}
			continue
		}
		d.tick(1) // the upload to a new relay goes at once (no timing known)
		out = append(out, d.take()...)
		copies = only(out, func(s sent) bool { return s.m.Direct && len(s.m.Values) > 0 })
		ups := only(out, func(s sent) bool { return s.to == "n1" && !s.m.Direct && slices.Contains(s.m.Values, 2) })
		if len(copies) != 0 || len(ups) != 1 {
			t.Fatalf("failover with nothing at risk, 2 queued: %v; want no copy, 2 uploaded to n1", describe(out))
		}
	}
}

// Rule: when the load stops, a leaf whose set equals the root of the
// relay's root notice (sent at the first slot with nothing new) opens no
// closing anti-entropy round; a leaf that missed the last downlinks (its
// set differs, or the notice never came) still opens one and gets the
// values within a few rounds.
func TestRelayLeafConfirmedByRootNotice(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		s, err := newSimNet(seed, 10, 10, func(*rand.Rand) int64 { return faultLatency }, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		quietSteps := int64(0)
		syncsBy := map[string]int{}
		s.trace = func(from, _ string, m Message) {
			if m.Kind == KindSync && quietSteps > 0 {
				syncsBy[from]++
			}
		}
		const load = 5000
		v := int64(0)
		for s.now < load {
			if s.now%37 == 0 {
				id := s.ids[int(v)%len(s.ids)]
				if id != "n5" || s.now < load-2000 {
					s.broadcast(id, v)
				}
				v++
			}
			if s.now == load-200 {
				s.block("n5", "n0") // n5 misses the last downlinks
			}
			s.step()
		}
		quietSteps = 1
		s.run(1000)
		s.heal()
		// Due rounds back off to MaxSyncTicks while downlinks stream; the
		// closing round comes within two such intervals.
		s.run(int64(3*s.base.MaxSyncTicks) * 10)
		for _, id := range s.ids {
			if id != "n0" && id != "n5" && syncsBy[id] > 0 {
				t.Errorf("seed %d: leaf %s opened %d rounds after the load, its set confirmed by the relay's root", seed, id, syncsBy[id])
			}
		}
		if syncsBy["n5"] == 0 {
			t.Errorf("seed %d: n5 missed the last downlinks but opened no round", seed)
		}
		if ok, why := s.converged(); !ok {
			t.Errorf("seed %d: not converged %d ticks after the heal: %s", seed, 3*s.base.MaxSyncTicks, why)
		}
	}
}

// Rule: a leaf that learned only its own clients' values (its uploads
// acknowledged) opens no anti-entropy round: nothing a round could repair
// happened. One that learned a value from its relay's downlink does open
// one, once the downlinks stop (no root notice came here).
func TestRelayClientValuesOpenNoRound(t *testing.T) {
	const quietTicks = 2000
	rounds := func(learnFromPeer bool) int {
		d := &driver{t: t, c: newCore(t, "n9", 10, func(c *Config) { c.Strategy = StrategyRelay })}
		d.c.Ready()
		d.broadcast(7)
		d.tick(1)
		d.step("n0", Message{Kind: KindPush, Direct: true, Ack: 1, Count: -5})
		if learnFromPeer {
			d.step("n0", Message{Kind: KindPush, Direct: true, Round: 1, Values: []int64{8}})
		}
		d.take()
		n := 0
		d.tick(quietTicks) // under MaxSkipTicks: no periodic round
		for _, s := range d.take() {
			if s.m.Kind == KindSync {
				n++
			}
		}
		return n
	}
	if n := rounds(false); n != 0 {
		t.Errorf("only client values: %d rounds in %d ticks, want none", n, quietTicks)
	}
	if n := rounds(true); n == 0 {
		t.Errorf("a value from a downlink: no round in %d ticks, want one", quietTicks)
	}
}

// Rule: the failover margin grows with the cluster (FailoverMarginTicks
// per started 25 nodes): a relay of 100 nodes whose acknowledgement comes
// 30 ticks later than the round trip keeps its leaves; one of 25 nodes
// that late loses them.
func TestRelayFailoverMarginScalesWithCluster(t *testing.T) {
	failsOver := func(n int) bool {
		d := relayDriver(t, "n9", n)
		d.broadcast(1) // untimed, acknowledged on arrival
		d.tick(20)
		d.step("n0", Message{Kind: KindPush, Direct: true, Ack: 1, Count: -5}) // round trip 20
		d.take()
		d.broadcast(2) // uploaded at its slot, acknowledged by the flush
		late := int64(20 + 30)
		for range 200 {
			d.tick(1)
			for _, s := range d.take() {
				if isDirect(s) && len(s.m.Values) > 0 {
					return true // a failover copy
				}
				if s.m.Kind == KindPush && !s.m.Direct && len(s.m.Values) > 0 {
					// The upload: acknowledged 30 ticks after the round trip.
					at, seq := d.now, s.m.Round
					for d.now < at+late {
						d.tick(1)
						for _, s := range d.take() {
							if isDirect(s) && len(s.m.Values) > 0 {
								return true
							}
						}
					}
					d.step("n0", Message{Kind: KindPush, Direct: true, Round: 1, Ack: seq, Count: int(d.c.cfg.LeadTicks), Values: []int64{99}})
					// The relay keeps the downlink's promise: a root notice
					// at its next slot, nothing new to flush.
					d.tick(d.c.cfg.WindowTicks)
					d.step("n0", Message{Kind: KindPush, Direct: true, Root: d.c.tree.Root()})
					d.tick(100)
					for _, s := range d.take() {
						if isDirect(s) && len(s.m.Values) > 0 {
							return true
						}
					}
					return false
				}
			}
		}
		t.Fatalf("%d nodes: no upload of value 2", n)
		return false
	}
	if !failsOver(25) {
		t.Errorf("25 nodes: an acknowledgement 30 ticks late kept the relay, want a failover (margin %d)", DefaultConfig().FailoverMarginTicks)
	}
	if failsOver(100) {
		t.Errorf("100 nodes: an acknowledgement 30 ticks late made a failover, want none (margin %d)", 4*DefaultConfig().FailoverMarginTicks)
	}
}

// Rule: at a cut that comes before any round trip is known, the first
// probe answered gives one, and the candidates probed with it that have
// not answered (the tentative relay among them) time out half a margin
// after it, not FailoverTicks after they were sent; what went to the
// tentative relay goes to the next one as an upload, not to every peer.
func TestRelayProbeAnswerSetsTimeouts(t *testing.T) {
	d := relayDriver(t, "n9", 10)
	cfg := d.c.cfg
	d.broadcast(7)
	d.tick(cfg.FailoverTicks) // n0 never answers: failover to n1, probes n1..n5
	d.take()
	d.broadcast(8) // uploaded to n1 at once (no timing)
	if got := describe(d.take()); len(got) != 1 || !strings.Contains(got[0], "n1 push #2 [8]") {
		t.Fatalf("after the failover: %v, want one upload of [8] to n1", got)
	}
	d.tick(20)
	d.step("n3", Message{Kind: KindPush, Direct: true, Ack: 1, Count: -5}) // n3 answers its probe: rtt 20
	timeout := 20 + cfg.FailoverMarginTicks/2
	d.tick(timeout - 20 - 1)
	if got := d.take(); len(got) != 0 {
		t.Fatalf("before half a margin after the answer: %v", describe(got))
	}
	d.tick(1)
	out := d.take()
	copies := only(out, func(s sent) bool { return isDirect(s) && slices.Contains(s.m.Values, 8) })
	ups := only(out, func(s sent) bool { return s.m.Kind == KindPush && !s.m.Direct && slices.Contains(s.m.Values, 8) })
	if r := d.c.strat.(*relay); r.current != "n3" || len(copies) != 0 || len(ups) != 1 || ups[0].to != "n3" {
		t.Errorf("%d ticks after the answer: relay %s, %d copies of [8], uploads %v; want relay n3, no copy, one upload to n3",
			timeout-20, r.current, len(copies), describe(ups))
	}
}

// Rule: a leaf aims its uploads LeadTicks before the relay's flush, and a
// tick earlier per 25 nodes beyond the first 25 (the relay reads the
// uploads of a window one by one).
func TestRelayLeadGrowsWithCluster(t *testing.T) {
	for _, tc := range []struct{ n, lead int }{{25, 2}, {50, 3}, {100, 5}} {
		d := relayDriver(t, "n9", tc.n)
		d.broadcast(1) // untimed: acknowledged on arrival
		d.tick(10)
		d.step("n0", Message{Kind: KindPush, Direct: true, Ack: 1, Count: -20 - 1}) // it waits 20 ticks there
		d.take()
		d.broadcast(2)
		at := int64(-1)
		for range 40 {
			for _, s := range d.take() {
				if s.m.Kind == KindPush && !s.m.Direct && slices.Contains(s.m.Values, 2) {
					at = s.at
				}
			}
			if at >= 0 {
				break
			}
			d.tick(1)
		}
		if want := int64(20 - tc.lead); at != want {
			t.Errorf("%d nodes: timed upload at tick %d, want %d (the flush at 20, lead %d)", tc.n, at, want, tc.lead)
		}
	}
}

// Rule: a relay that took over (not the first of the order) flushes to
// every peer for servingGraceWindows windows, then only to its uploaders
// and the peers it heard from since (its side of a cut); a new contact
// reopens the flushes to every peer, with the values held back lately.
// Once it is a leaf again (back to a relay ahead of it, a cut healed), a
// new contact reopens nothing: that relay got what it held back in the
// round at the switch, and flushes to every node.
func TestRelayTakenOverFlushesToItsSide(t *testing.T) {
	d := relayDriver(t, "n3", 10)
	w := d.c.cfg.WindowTicks
	r := d.c.strat.(*relay)
	for _, id := range []string{"n0", "n1", "n2"} {
		r.suspected[id] = true // a cut hides them: n3 relays itself
	}
	r.choose()
	seq := map[string]uint64{}
	upload := func(from string, v int64) {
		seq[from]++
		d.step(from, Message{Kind: KindPush, Round: seq[from], Values: []int64{v}})
	}
	flushTo := func() []string {
		var to []string
		for _, s := range d.take() {
			if isDirect(s) && len(s.m.Values) > 0 && s.m.Round > 0 {
				to = append(to, s.to)
			}
		}
		slices.Sort(to)
		return to
	}
	d.tick(1)
	upload("n5", 1)
	upload("n6", 2)
	d.tick(w)
	if got := flushTo(); len(got) != 9 {
		t.Fatalf("first flush: to %v, want every peer (9)", got)
	}
	d.tick(servingGraceWindows * w)
	d.take()
	upload("n5", 3)
	upload("n6", 4)
	d.tick(w)
	if got := flushTo(); !slices.Equal(got, []string{"n5", "n6"}) {
		t.Fatalf("after the grace: flush to %v, want only the uploaders n5 n6", got)
	}
	// n8 is heard (a new contact): the next flush goes to every peer, and
	// carries what the last one held back from the others.
	d.step("n8", Message{Kind: KindSync, Round: 1, Root: []byte{1}, Digests: make([]byte, d.c.cfg.MerkleBuckets*8)})
	d.take()
	upload("n5", 5)
	d.tick(w)
	var toN1 []int64
	var peers int
	for _, s := range d.take() {
		if isDirect(s) && len(s.m.Values) > 0 {
			peers++
			if s.to == "n1" {
				toN1 = append(toN1, s.m.Values...)
			}
		}
	}
	slices.Sort(toN1)
	if peers != 9 || !slices.Equal(toN1, []int64{3, 4, 5}) {
		t.Errorf("after a new contact: %d peers flushed, n1 got %v; want 9 peers, n1 [3 4 5]", peers, toN1)
	}
	// The cut heals: n0 is heard, and n3 is its leaf again (n5 and n6 still
	// upload to it for a while).
	d.tick(servingGraceWindows * w)
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{50}, Round: 1})
	if r.current != "n0" {
		t.Fatalf("after n0 is heard: relay %s, want n0", r.current)
	}
	d.take()
	upload("n5", 6)
	d.tick(w)
	d.take()
	d.step("n9", Message{Kind: KindSync, Round: 1, Root: []byte{1}, Digests: make([]byte, d.c.cfg.MerkleBuckets*8)})
	d.take()
	upload("n6", 7)
	d.tick(w)
	// (A reopened grace period would flush to every peer: n1 was never
	// heard, and uploads to n0.)
	if got := flushTo(); slices.Contains(got, "n1") {
		t.Errorf("a leaf again, after a new contact: flush to %v, want none to n1", got)
	}
}

// valuesTo returns, per peer, the sorted values of the direct pushes in ss.
func valuesTo(ss []sent) map[string][]int64 {
	got := map[string][]int64{}
	for _, s := range only(ss, isDirect) {
		if len(s.m.Values) > 0 {
			got[s.to] = append(got[s.to], s.m.Values...)
		}
	}
	for _, v := range got {
		slices.Sort(v)
	}
	return got
}

// Rule: a leaf that relays for others (its kids cannot reach its relay)
// gives them every value it learns, however it came: its relay's flush, a
// failover copy, anti-entropy (in a majorities ring the kids are often
// cut from the copy's sender and from the first relay). Those values ride
// on the downlinks to its other peers that go anyway (never the sender
// back), and none goes to a non-kid for them alone.
func TestRelayKidsGetEveryValue(t *testing.T) {
	d := relayDriver(t, "n5", 10)
	w := int(d.c.cfg.WindowTicks)
	d.tick(1)
	d.step("n7", Message{Kind: KindPush, Values: []int64{9}, Round: 1})               // n7 relays through n5
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{1}, Round: 1}) // n5's relay flushes
	d.step("n3", Message{Kind: KindPush, Direct: true, Values: []int64{2}})           // a failover copy
	d.step("n4", Message{Kind: KindSyncValues, Values: []int64{3}})                   // anti-entropy
	d.take()
	d.tick(w)
	got := valuesTo(d.take())
	want := map[string][]int64{
		"n7": {1, 2, 3}, "n0": {2, 3, 9}, "n3": {1, 3, 9}, "n4": {1, 2, 9},
		"n1": {1, 2, 3, 9}, "n2": {1, 2, 3, 9}, "n6": {1, 2, 3, 9}, "n8": {1, 2, 3, 9}, "n9": {1, 2, 3, 9},
	}
	for p, v := range want {
		if !slices.Equal(got[p], v) {
			t.Errorf("first flush to %s: %v, want %v (all: %v)", p, got[p], v, got)
		}
	}
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{4}, Round: 2})
	d.step("n3", Message{Kind: KindPush, Direct: true, Values: []int64{5}})
	d.tick(w)
	got = valuesTo(d.take())
	want = map[string][]int64{"n7": {4, 5}, "n0": {5}} // the kid, and the relay heard (not 4 back)
	if len(got) != len(want) || !slices.Equal(got["n7"], want["n7"]) || !slices.Equal(got["n0"], want["n0"]) {
		t.Errorf("flush with nothing but values for the kid: %v, want %v", got, want)
	}
}

// Rule: the first relay gives what it learns from another relay's flush
// to every peer in its next flush, not only to the nodes that uploaded to
// it lately: an idle leaf uploads rarely, and the other relay may not
// reach it (a majorities ring), or flush only to its own side.
func TestRelayFirstRelayGivesEveryPeerOtherRelaysValues(t *testing.T) {
	d := relayDriver(t, "n0", 10)
	d.tick(1)
	d.step("n3", Message{Kind: KindPush, Direct: true, Values: []int64{5}, Round: 1})
	d.take()
	d.tick(int(d.c.cfg.WindowTicks))
	got := valuesTo(d.take())
	for i := 1; i < 10; i++ {
		p := fmt.Sprintf("n%d", i)
		if want := []int64{5}; p != "n3" && !slices.Equal(got[p], want) {
			t.Errorf("to %s: %v, want %v", p, got[p], want)
		}
	}
	if len(got["n3"]) != 0 {
		t.Errorf("to the sender n3: %v, want nothing", got["n3"])
	}
}

// Rule: a downlink with values promises another message from the relay
// within a window (see the next rule): a leaf whose relay stays silent a
// window and the failover margin past it fails over, with nothing
// unacknowledged. It copies values to every peer only if some of its
// clients' may be known to no other node (an upload not acknowledged,
// one acknowledged on arrival with no downlink since); the values of the
// last downlink and the uploads acknowledged lately then ride on the
// copies (the cut may have come as the flush went out: Maelstrom checks
// it as each receiver takes the message off its queue, so some nodes of
// this side may lack them). With nothing at risk it only probes: the
// leaves that missed that flush get it from those that had it (see
// TestRelayAnswersCopiesThatMissedTheLastFlush). A root notice or an
// acknowledgement with the next flush promises nothing more; an
// acknowledgement sent on arrival is not that flush.
func TestRelaySilentRelayFailsOver(t *testing.T) {
	var late int64
	silent := func(after *Message, more bool) (int64, []sent) {
		d := relayDriver(t, "n5", 10)
		w := d.c.cfg.WindowTicks
		d.tick(1)
		// Downlinks on time for a while (until then a silence makes a
		// probe: see TestRelaySilenceAllowsForLateDownlinks).
		for i := range onTimeForFailover + 1 {
			d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{100 + int64(i)}, Round: uint64(i + 1)})
			d.tick(w)
		}
		d.broadcast(7) // uploaded at once (no timing yet)
		d.tick(1)
		d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{1, 2}, Round: onTimeForFailover + 2, Ack: 1})
		late = d.c.strat.(*relay).downLate
		if after != nil {
			d.tick(3)
			d.step("n0", *after)
		}
		if more {
			d.broadcast(8) // uploaded at the next slot, never acknowledged
		}
		d.take()
		start := d.now
		var out []sent
		for range 500 {
			d.tick(1)
			out = append(out, d.take()...)
			if r := d.c.strat.(*relay); r.current != "n0" {
				return d.now - start, out
			}
		}
		return -1, nil
	}
	cfg := DefaultConfig()
	want := func() int64 { return int64(cfg.WindowTicks+cfg.FailoverMarginTicks) + late }
	valued := func(out []sent) []sent {
		return only(out, func(s sent) bool { return isDirect(s) && len(s.m.Values) > 0 })
	}
	at, out := silent(nil, false)
	if w := want(); at != w || len(valued(out)) != 0 {
		t.Errorf("silent relay, nothing at risk: failover %d ticks after its downlink, %d copies; want %d ticks, none", at, len(valued(out)), w)
	}
	at, out = silent(nil, true)
	copies := only(out, func(s sent) bool { return isDirect(s) && slices.Equal(s.m.Values, []int64{1, 2, 7, 8}) })
	// The unacknowledged upload fails over first: a window and the margin
	// after the relay was last heard, with no allowance for late
	// downlinks.
	if w := int64(cfg.WindowTicks + cfg.FailoverMarginTicks); at != w || len(copies) != 9 {
		t.Errorf("silent relay, an upload unacknowledged: failover %d ticks after its downlink, %d copies of [1 2 7 8]; want %d ticks, 9 copies", at, len(copies), w)
	}
	notice := Message{Kind: KindPush, Direct: true, Root: []byte{1}}
	if at, _ := silent(&notice, false); at >= 0 {
		t.Errorf("root notice after the downlink: failover %d ticks after it, want none", at)
	}
	ack := Message{Kind: KindPush, Direct: true, Ack: 1, Count: 2}
	if at, _ := silent(&ack, false); at >= 0 {
		t.Errorf("acknowledgement with the next flush: failover %d ticks after it, want none", at)
	}
	onArrival := Message{Kind: KindPush, Direct: true, Ack: 1, Count: -5}
	if at, _ := silent(&onArrival, false); at != want()-3 {
		t.Errorf("acknowledgement on arrival after the downlink: failover %d ticks after it, want %d", at, want()-3)
	}
}

// Rule: a peer that a relay's grid flush sent values to gets a message at
// the next grid flush too: a root notice if that flush has nothing for it
// (its own upload, acknowledged on arrival, was all that came).
func TestRelayFlushKeepsItsPromise(t *testing.T) {
	d := relayDriver(t, "n0", 10)
	w := int(d.c.cfg.WindowTicks)
	d.tick(1)
	d.step("n4", Message{Kind: KindPush, Values: []int64{1}, Round: 1, Count: 1})
	d.tick(w) // slot k: [1] to every peer but n4
	if got := valuesTo(d.take()); !slices.Equal(got["n3"], []int64{1}) {
		t.Fatalf("slot k: to n3 %v, want [1]", got["n3"])
	}
	d.step("n3", Message{Kind: KindPush, Values: []int64{2}, Round: 1, Count: 1}) // acknowledged at once
	d.take()
	d.tick(w) // slot k+1: [2] to every peer but n3
	to3 := only(d.take(), func(s sent) bool { return s.to == "n3" })
	if len(to3) != 1 || !isRootNotice(to3[0].m) {
		t.Errorf("slot k+1, nothing new for n3: %v, want one root notice", describe(to3))
	}
}

// Rule: a leaf answers a probe (a node that just failed over probes its
// candidates) with the values of its last downlink, if that came within
// a window and FailoverTicks: the prober may have missed that downlink
// (a flush the cut came in reaches only some of a side), and gets it a
// window before any failover copy of this side would bring it.
func TestRelayProbeAnswerCarriesLastDownlink(t *testing.T) {
	d := relayDriver(t, "n5", 10)
	cfg := d.c.cfg
	d.tick(1)
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{1, 2}, Round: 1})
	d.take()
	answer := func(from string, seq uint64) []sent {
		d.step(from, Message{Kind: KindPush, Round: seq, Count: 1})
		return only(d.take(), func(s sent) bool { return s.to == from && isDirect(s) && s.m.Ack == seq })
	}
	if got := answer("n7", 1); len(got) != 1 || !slices.Equal(got[0].m.Values, []int64{1, 2}) {
		t.Errorf("probe right after a downlink: answer %v, want one acknowledgement with [1 2]", describe(got))
	}
	// The relay keeps its promise (root notices), and the downlink ages.
	for range (cfg.WindowTicks + cfg.FailoverTicks) / cfg.WindowTicks {
		d.tick(cfg.WindowTicks)
		d.step("n0", Message{Kind: KindPush, Direct: true, Root: []byte{1}})
	}
	d.tick(cfg.WindowTicks)
	if got := answer("n8", 1); len(got) != 1 || len(got[0].m.Values) != 0 {
		t.Errorf("probe a window and FailoverTicks after the downlink: answer %v, want one acknowledgement with no values", describe(got))
	}
}

// Rule: a probing copy (a failover copy that is also the sender's probe)
// is acknowledged at once, with this node's last downlink as a probe's
// answer is; its values are kept and go to no one (not passed on, not
// uploaded), and neither a copy nor its probe makes the sender a relay or
// a kid of this node.
func TestRelayProbingCopyAckedAndKept(t *testing.T) {
	d := relayDriver(t, "n5", 10)
	d.tick(1)
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{1, 2}, Round: 1})
	d.take()
	m := Message{Kind: KindPush, Direct: true, Values: []int64{7, 8}, Round: 1, Count: 1}
	if !isProbingCopy(m) {
		t.Fatal("the message under test is not a probing copy")
	}
	d.step("n7", m)
	out := d.take()
	if len(out) != 1 || out[0].to != "n7" || !isDirect(out[0]) || out[0].m.Ack != 1 || !slices.Equal(out[0].m.Values, []int64{1, 2}) {
		t.Fatalf("after a probing copy: %v, want only its acknowledgement to n7, with [1 2]", describe(out))
	}
	if !d.c.Has(7) || !d.c.Has(8) {
		t.Fatal("a probing copy's values were not kept")
	}
	r := d.c.strat.(*relay)
	if r.relayHeard("n7") || r.relaying() || r.current != "n0" {
		t.Fatalf("after a probing copy: n7 a relay heard %v, relaying %v, relay %s; want false, false, n0", r.relayHeard("n7"), r.relaying(), r.current)
	}
	for range d.c.cfg.WindowTicks * 2 {
		d.tick(1)
		for _, s := range d.take() {
			if slices.Contains(s.m.Values, 7) {
				t.Fatalf("value 7 of a probing copy went on: %v", describe([]sent{s}))
			}
		}
	}
	// The same copy again (a duplicate) is not acknowledged twice.
	d.step("n7", m)
	if got := only(d.take(), func(s sent) bool { return s.to == "n7" }); len(got) != 0 {
		t.Fatalf("a duplicate probing copy: %v, want nothing", describe(got))
	}
}

// Rule: a round serves both ways, so a node opens no round with a peer
// that opened one with it (or it with the peer) in the last
// SettleTicks/2: a leaf back from a cut finds gaps in its relay's pushes
// as the relay finds gaps in the leaf's, and each used to open its own.
func TestRelayNoSecondRoundWithAPeerLately(t *testing.T) {
	d := relayDriver(t, "n0", 10)
	settle := d.c.cfg.SettleTicks
	d.tick(1)
	peer := relayDriver(t, "n5", 10)
	peer.broadcast(7)
	d.step("n5", peer.c.ae.summary(KindSync)) // n5 opens a round
	d.take()
	rounds := func() int {
		return len(only(d.take(), func(s sent) bool { return s.to == "n5" && s.m.Kind == KindSync }))
	}
	d.step("n5", Message{Kind: KindPush, Values: []int64{8}, Round: 10}) // uploads 1..9 lost
	if n := rounds(); n != 0 {
		t.Errorf("gap in n5's uploads just after its round: %d rounds opened with it, want 0", n)
	}
	d.tick(settle / 2)
	d.step("n5", Message{Kind: KindPush, Values: []int64{9}, Round: 20})
	if n := rounds(); n != 1 {
		t.Errorf("gap in n5's uploads SettleTicks/2 after its round: %d rounds opened with it, want 1", n)
	}

	// The leaf's side: back from a cut, n0's flush shows a gap (a round)
	// and makes n0 the relay again (no second round).
	leaf := relayDriver(t, "n5", 10)
	leaf.tick(1)
	leaf.broadcast(1)
	leaf.tick(leaf.c.cfg.FailoverTicks + 1) // n0 suspected: relay n1
	leaf.take()
	leaf.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{2}, Round: 10})
	if r := leaf.c.strat.(*relay); r.current != "n0" {
		t.Fatalf("leaf after n0's flush: relay %s, want n0", r.current)
	}
	if n := len(only(leaf.take(), func(s sent) bool { return s.to == "n0" && s.m.Kind == KindSync })); n != 1 {
		t.Errorf("leaf back with n0 after a gap in its flushes: %d rounds opened with n0, want 1", n)
	}
}

// Rule: a peer that uploaded values at tick 0 (Maelstrom's first cut
// comes at once) relays through this node from then on, like one that
// uploaded later.
func TestRelayUploadAtTickZeroMakesAKid(t *testing.T) {
	d := relayDriver(t, "n3", 10)
	d.step("n7", Message{Kind: KindPush, Values: []int64{9}, Round: 1})
	if r := d.c.strat.(*relay); !r.relaying() {
		t.Fatalf("after n7's upload at tick %d: relaying %v, want true", d.c.Now(), r.relaying())
	}
}

// Rule: the silence a leaf allows its relay after a downlink grows with
// the recent lateness of its downlinks (the one before came a window and
// 10 ticks after its predecessor: the latency varies), and once that
// lateness is over half the margin, the silence makes a probe, not a
// failover (under --latency-dist exponential a late flush is common, and
// each false failover cost about 40 messages); the probe fails over if it
// goes unanswered.
func TestRelaySilenceAllowsForLateDownlinks(t *testing.T) {
	run := func(answer bool) (probeAt, failoverAt int64) {
		d := relayDriver(t, "n5", 10)
		cfg := d.c.cfg
		d.tick(1)
		for i := range onTimeForFailover + 1 { // on time: the failover mode
			d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{100 + int64(i)}, Round: uint64(i + 1)})
			d.tick(cfg.WindowTicks)
		}
		d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{1}, Round: onTimeForFailover + 2})
		d.tick(cfg.WindowTicks + 10)
		d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{2}, Round: onTimeForFailover + 3})
		d.take()
		start := d.now
		probeAt, failoverAt = -1, -1
		for d.now-start < 1000 && failoverAt < 0 {
			d.tick(1)
			for _, s := range d.take() {
				if s.to == "n0" && s.m.Kind == KindPush && !s.m.Direct && len(s.m.Values) == 0 && probeAt < 0 {
					probeAt = d.now - start
					if answer {
						d.step("n0", Message{Kind: KindPush, Direct: true, Ack: s.m.Round, Count: -3})
					}
				}
			}
			if d.c.strat.(*relay).current != "n0" {
				failoverAt = d.now - start
			}
		}
		return probeAt, failoverAt
	}
	cfg := DefaultConfig()
	want := int64(cfg.WindowTicks + cfg.FailoverMarginTicks + 10)
	if p, f := run(false); p != want || f <= p {
		t.Errorf("silent after a downlink 10 ticks late, probe unanswered: probe %d ticks after it, failover %d; want the probe at %d, the failover after it", p, f, want)
	}
	if p, f := run(true); p != want || f >= 0 {
		t.Errorf("silent after a downlink 10 ticks late, probe answered: probe %d ticks after it, failover %d; want the probe at %d, no failover", p, f, want)
	}

	// A leaf that has seen no downlinks on time yet probes too.
	d := relayDriver(t, "n5", 10)
	d.tick(1)
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{1}, Round: 1})
	d.take()
	d.tick(cfg.WindowTicks + cfg.FailoverMarginTicks + cfg.WindowTicks/2)
	probes := only(d.take(), func(s sent) bool { return s.to == "n0" && !s.m.Direct && len(s.m.Values) == 0 })
	if r := d.c.strat.(*relay); r.current != "n0" || len(probes) != 1 {
		t.Errorf("fresh leaf silent after its first downlink: relay %s, %d probes; want n0, 1", r.current, len(probes))
	}
}

// Rule: a node that suspects a node ahead of its relay probes it once no
// values have moved through it (nor a failover happened) for SettleTicks (when the load stops,
// nothing else would cross a healed cut), again SettleTicks later, then
// at doubling intervals up to MaxSyncTicks; values moving start the count
// again. The answer takes the node back to that relay, with a round.
func TestRelayQuietNodeRechecksSuspectedRelay(t *testing.T) {
	d := &driver{t: t, c: newCore(t, "n5", 10, func(c *Config) {
		c.Strategy = StrategyRelay
		c.SyncTicks, c.MaxSyncTicks = 400, 400 // rounds are not looked at here
	})}
	d.c.Ready()
	cfg := d.c.cfg
	r := d.c.strat.(*relay)
	d.broadcast(1) // at tick 0
	d.take()
	d.tick(cfg.FailoverTicks + 1) // n0 never acknowledges: fail over to n1
	for _, s := range d.take() {
		if s.to == "n1" && s.m.Kind == KindPush && s.m.Count == 1 && s.m.Round > 0 { // its probe: on the copy of 1
			d.step("n1", Message{Kind: KindPush, Direct: true, Ack: s.m.Round, Count: -10})
		}
	}
	if r.current != "n1" || !r.suspected["n0"] {
		t.Fatalf("after the failover: relay %s, n0 suspected %v; want n1, true", r.current, r.suspected["n0"])
	}
	d.take()
	probesOfN0 := func(ticks int) []int64 {
		var at []int64
		for range ticks {
			d.tick(1)
			for _, s := range d.take() {
				if s.to == "n0" && s.m.Kind == KindPush && len(s.m.Values) == 0 && s.m.Count == 1 {
					at = append(at, s.at)
				}
				if s.to == "n1" && s.m.Kind == KindPush && !s.m.Direct && s.m.Round > 0 {
					// n1, the relay now, is alive: it answers probes.
					d.step("n1", Message{Kind: KindPush, Direct: true, Ack: s.m.Round, Count: -10})
				}
			}
		}
		return at
	}
	settle, maxSync := int64(cfg.SettleTicks), int64(cfg.MaxSyncTicks)
	if maxSync != 4*settle {
		t.Fatalf("the schedule below assumes MaxSyncTicks = 4 SettleTicks")
	}
	fo := r.lastFailover
	got := probesOfN0(int(4*settle + 3*maxSync))
	want := []int64{fo + settle, fo + 2*settle, fo + 4*settle, fo + 8*settle, fo + 12*settle, fo + 16*settle}
	if !slices.Equal(got, want) {
		t.Fatalf("quiet since the failover at tick %d: probes of n0 at %v, want %v", fo, got, want)
	}
	busy := d.c.Now()
	d.step("n1", Message{Kind: KindPush, Direct: true, Values: []int64{5}, Round: 1}) // values move
	if got := probesOfN0(int(settle)); !slices.Equal(got, []int64{busy + settle}) {
		t.Fatalf("values at tick %d: next probe at %v, want [%d]", busy, got, busy+settle)
	}
	d.take()
	d.step("n0", Message{Kind: KindPush, Direct: true, Ack: r.seqs["n0"], Count: -5})
	if r.current != "n0" {
		t.Fatalf("n0 answered: relay %s, want n0", r.current)
	}
	if got := only(d.take(), func(s sent) bool { return s.to == "n0" && s.m.Kind == KindSync }); len(got) != 1 {
		t.Fatalf("back to n0: %d rounds opened with it, want 1", len(got))
	}
	if at := r.recheckAt(); at != NoDeadline {
		t.Fatalf("nothing suspected ahead: recheck at %d, want none", at)
	}
}

// Rule: a leaf that got its relay's last flush answers the failover
// copies of peers that missed it (a copy holds values of the flush before
// and lacks some of the last one's) with that flush's values and its own
// uploads acknowledged lately, one message each marked missedFlushCount,
// once two peers missed the same flush (one alone may only have had a
// late downlink), and once per peer. It does not answer a peer that got the flush, one that
// was not a leaf of its relay, an answer, or anything once its relay has
// been silent for a window and half the margin.
func TestRelayAnswersCopiesThatMissedTheLastFlush(t *testing.T) {
	d := relayDriver(t, "n5", 10)
	d.tick(1)
	d.broadcast(9) // upload #1
	d.take()
	d.tick(10)
	d.step("n0", Message{Kind: KindPush, Direct: true, Ack: 1, Count: -11}) // #1 acknowledged
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{1, 2}, Round: 1})
	d.tick(int(d.c.cfg.WindowTicks))
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{3, 4}, Round: 2})
	d.tick(10)
	d.take()
	copyFrom := func(from string, vals ...int64) []sent {
		t.Helper()
		d.step(from, Message{Kind: KindPush, Direct: true, Values: vals})
		return only(d.take(), func(s sent) bool { return s.m.Count == missedFlushCount })
	}
	if got := copyFrom("n7", 1, 2, 4, 20); len(got) != 0 { // 4: n7's own upload into the last flush
		t.Fatalf("one copy that missed the last flush: %v, want no answer yet", describe(got))
	}
	if !d.c.Has(20) {
		t.Fatal("the copy's values were not kept")
	}
	if got := copyFrom("n7", 1, 2, 4, 25); len(got) != 0 {
		t.Fatalf("a second copy from the same peer: %v, want no answer yet", describe(got))
	}
	if got := copyFrom("n8", 1, 2, 3, 4, 21); len(got) != 0 {
		t.Fatalf("a copy from a leaf that got the last flush: %v, want no answer", describe(got))
	}
	if got := copyFrom("n6", 30); len(got) != 0 {
		t.Fatalf("a copy with none of the flush before: %v, want no answer", describe(got))
	}
	got := copyFrom("n4", 1, 2, 22)
	if len(got) != 2 || got[0].to != "n7" || !slices.Equal(got[0].m.Values, []int64{3, 9}) ||
		got[1].to != "n4" || !slices.Equal(got[1].m.Values, []int64{3, 4, 9}) || !got[0].m.Direct || !got[1].m.Direct {
		t.Fatalf("a second copy that missed the last flush: %v, want answers to n7 with [3 9] and n4 with [3 4 9]", describe(got))
	}
	if got := copyFrom("n3", 2, 23); len(got) != 1 || got[0].to != "n3" {
		t.Fatalf("a third copy that missed it: %v, want an answer to n3 at once", describe(got))
	}
	if got := copyFrom("n3", 2, 26); len(got) != 0 {
		t.Fatalf("a peer answered already: %v, want no second answer", describe(got))
	}
	d.step("n7", Message{Kind: KindPush, Direct: true, Values: []int64{1, 2, 31}, Count: missedFlushCount})
	if got := only(d.take(), func(s sent) bool { return s.to == "n7" }); len(got) != 0 {
		t.Fatalf("an answer: %v, want no answer to it", describe(got))
	}
	d.tick(int(d.c.cfg.WindowTicks))
	if got := copyFrom("n9", 1, 2, 24); len(got) != 0 {
		t.Fatalf("a copy %d ticks after the last downlink: %v, want no answer (the relay may be gone)", 10+d.c.cfg.WindowTicks, describe(got))
	}
}
