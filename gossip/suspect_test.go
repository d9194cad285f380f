package gossip

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// sent is one message of a Ready, with the tick it was handed over.
type sent struct {
	at int64
	to string
	m  Message
}

// driver ticks one core by hand and collects what it sends.
type driver struct {
	t       *testing.T
	c       *Core
	now     int64
	out     []sent
	learned []int64 // Ready.NewValues, in order
}

// suspectOn is DefaultConfig with acknowledgements and suspicion on (they
// are off by default; 0 picks the automatic SuspectTicks).
func suspectOn() Config {
	c := starConfig()
	c.SuspectTicks = SuspectAuto
	return c
}

// withSuspicion turns suspicion on before applying mod.
func withSuspicion(mod func(*Config)) func(*Config) {
	return func(c *Config) {
		c.SuspectTicks = SuspectAuto
		if mod != nil {
			mod(c)
		}
	}
}

func newDriver(t *testing.T, id string, n int, mod func(*Config)) *driver {
	d := &driver{t: t, c: newCore(t, id, n, withSuspicion(mod))}
	d.c.Ready()
	return d
}

func (d *driver) collect() {
	rd := d.c.Ready()
	for _, e := range rd.Messages {
		d.out = append(d.out, sent{d.now, e.To, e.Msg})
	}
	d.learned = append(d.learned, rd.NewValues...)
}

func (d *driver) tick(n int) {
	for range n {
		d.c.Tick()
		d.now++
		d.collect()
	}
}

func (d *driver) step(from string, m Message) {
	d.t.Helper()
	if err := d.c.Step(from, m); err != nil {
		d.t.Fatal(err)
	}
	d.collect()
}

func (d *driver) broadcast(v int64) {
	d.c.Broadcast(v)
	d.collect()
}

// take returns the messages collected so far and forgets them.
func (d *driver) take() []sent {
	out := d.out
	d.out = nil
	return out
}

// String renders a sent message like a scenario trace line, without the
// sender: "t=5 n2 push #1 ack=3 [7]".
func (s sent) String() string {
	return fmt.Sprintf("t=%d %s", s.at, strings.TrimPrefix(traceLine(s.at, "", s.to, s.m), fmt.Sprintf("t=%d  -> ", s.at)))
}

func describe(ss []sent) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.String())
	}
	return out
}

// only returns the messages that pass keep.
func only(ss []sent, keep func(sent) bool) []sent {
	var out []sent
	for _, s := range ss {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

func isPush(s sent) bool   { return s.m.Kind == KindPush }
func isDirect(s sent) bool { return s.m.Kind == KindPush && s.m.Direct }

// quiet turns anti-entropy practically off, so that traces show pushes.
func quiet(c *Config) { c.SyncTicks, c.MaxSyncTicks = 100000, 100000 }

// Rule: a parent acknowledges a child's pushes on the pushes it sends that
// child anyway (Message.Ack = highest push number received from it); only
// when it has had nothing to push to the child for AckTicks does it send
// one acknowledgement-only push, and never a second one for the same
// pushes.
func TestAckRidesOnPushesOrComesAlone(t *testing.T) {
	hub := newDriver(t, "n0", 4, func(c *Config) { quiet(c); c.RelayTicks = 5 })
	hub.step("n1", Message{Kind: KindPush, Values: []int64{1}, Round: 1})
	hub.step("n2", Message{Kind: KindPush, Values: []int64{2}, Round: 1})
	hub.tick(60)
	got := describe(hub.take())
	want := []string{
		"t=0 n2 push #1 [1]", // n2 has pushed nothing yet: no ack
		"t=0 n3 push #1 [1]",
		"t=0 n1 push #1 ack=1 [2]", // rides on the relay of 2
		"t=5 n3 push #2 [2]",
		"t=5 n2 push ack=1 []", // nothing to push to n2 for AckTicks: an ack alone
	}
	if !slices.Equal(got, want) {
		t.Errorf("hub sent\n%q\nwant\n%q", got, want)
	}
	// n2's second upload is acknowledged on the relay of n1's value; n1's
	// upload, the last one, gets an acknowledgement alone.
	hub.step("n2", Message{Kind: KindPush, Values: []int64{3}, Round: 2})
	hub.step("n1", Message{Kind: KindPush, Values: []int64{4}, Round: 2})
	hub.tick(30)
	got = describe(hub.take())
	want = []string{
		"t=60 n1 push #2 ack=1 [3]",
		"t=60 n3 push #3 [3]",
		"t=60 n2 push #2 ack=2 [4]",
		"t=65 n3 push #4 [4]",
		"t=65 n1 push ack=2 []",
	}
	if !slices.Equal(got, want) {
		t.Errorf("hub sent\n%q\nwant\n%q", got, want)
	}
}

// Rule: under load (a push to each child every RelayTicks) no
// acknowledgement-only push is ever needed.
func TestNoAckOnlyPushUnderLoad(t *testing.T) {
	hub := newDriver(t, "n0", 4, func(c *Config) { quiet(c); c.RelayTicks = 5 })
	v := int64(0)
	seq := map[string]uint64{}
	for i := range 300 {
		from := ids(4)[1+i%3]
		seq[from]++
		v++
		hub.step(from, Message{Kind: KindPush, Values: []int64{v}, Round: seq[from]})
		hub.tick(2)
	}
	for _, s := range hub.take() {
		if len(s.m.Values) == 0 {
			t.Fatalf("acknowledgement-only push under load: %v", s)
		}
	}
}

// Rule: a leaf suspects its parent only when a push to it stays
// unacknowledged for SuspectTicks: then it sends the unacknowledged
// values directly to every other node (marked Direct, not to the parent)
// and opens an anti-entropy round at once; and while suspect, each new
// client value goes to the parent (numbered) and directly to every other
// node.
func TestSuspicionOnlyWithoutAcks(t *testing.T) {
	mod := func(c *Config) { quiet(c) }
	acked := newDriver(t, "n1", 5, mod)
	acked.broadcast(1)
	acked.tick(40)
	acked.step("n0", Message{Kind: KindPush, Values: []int64{9}, Round: 1, Ack: 1})
	acked.tick(300)
	if d := only(acked.take(), func(s sent) bool { return isDirect(s) || s.m.Kind == KindSync }); len(d) > 0 || acked.c.star().suspect {
		t.Errorf("acknowledged leaf suspected its parent: %v", describe(d))
	}

	d := newDriver(t, "n1", 5, mod)
	suspect := d.c.cfg.SuspectTicks
	d.broadcast(1)
	d.tick(suspect - 1)
	if got := d.take(); len(got) != 1 || d.c.star().suspect {
		t.Fatalf("before SuspectTicks: %v, suspect %v; want only the push of 1", describe(got), d.c.star().suspect)
	}
	d.tick(1)
	got := d.take()
	direct := only(got, isDirect)
	var to []string
	for _, s := range direct {
		to = append(to, s.to)
		if !slices.Equal(s.m.Values, []int64{1}) || s.m.Round != 0 {
			t.Errorf("direct copy %v, want the unacknowledged value 1, unnumbered", s)
		}
	}
	if !d.c.star().suspect || !slices.Equal(to, []string{"n2", "n3", "n4"}) {
		t.Errorf("after SuspectTicks: suspect %v, direct copies to %v; want n2 n3 n4", d.c.star().suspect, to)
	}
	syncs := only(got, func(s sent) bool { return s.m.Kind == KindSync })
	if len(syncs) != 1 || syncs[0].to == "n0" {
		t.Errorf("rounds opened on suspicion: %v, want one with a node other than the parent", describe(syncs))
	}
	if d.c.ae.syncInterval != d.c.cfg.SyncTicks {
		t.Errorf("sync interval %d while suspect, want SyncTicks %d", d.c.ae.syncInterval, d.c.cfg.SyncTicks)
	}
	d.broadcast(2)
	after := describe(d.take())
	want := []string{"t=75 n0 push #2 [2]", "t=75 n2 push direct [2]", "t=75 n3 push direct [2]", "t=75 n4 push direct [2]"}
	if !slices.Equal(after, want) {
		t.Errorf("client value while suspect:\n%q\nwant\n%q", after, want)
	}
}

// Rule: any message from the parent ends the suspicion; if it does not
// acknowledge every push sent, a round with the parent is opened at once
// (so that it learns what it lost); afterwards client values go to the
// parent only again.
func TestSuspicionClearedByParent(t *testing.T) {
	for _, tc := range []struct {
		ack   uint64
		round bool
	}{{1, true}, {2, false}} {
		d := newDriver(t, "n1", 5, quiet)
		d.broadcast(1)
		d.tick(d.c.cfg.SuspectTicks)
		d.broadcast(2) // push #2, while suspect
		if !d.c.star().suspect {
			t.Fatal("not suspect")
		}
		d.take()
		d.step("n0", Message{Kind: KindPush, Values: []int64{9}, Round: 1, Ack: tc.ack})
		if d.c.star().suspect {
			t.Errorf("ack %d: still suspect after a push from the parent", tc.ack)
		}
		syncs := only(d.take(), func(s sent) bool { return s.m.Kind == KindSync && s.to == "n0" })
		if (len(syncs) == 1) != tc.round {
			t.Errorf("ack %d: rounds with the parent %v, want one: %v", tc.ack, describe(syncs), tc.round)
		}
		d.broadcast(3)
		if got := describe(d.take()); len(got) != 1 || got[0] != fmt.Sprintf("t=%d n0 push #3 [3]", d.now) {
			t.Errorf("ack %d: client value after the suspicion: %q, want one push to n0", tc.ack, got)
		}
	}
}

// Rule: while suspect, a leaf with nothing to push probes its parent every
// SuspectTicks (an empty numbered push); the parent acknowledges the probe
// like a push, and that ends the suspicion even in quiet times.
func TestProbeEndsSuspicionInQuietTimes(t *testing.T) {
	leaf := newDriver(t, "n1", 3, quiet)
	hub := newDriver(t, "n0", 3, quiet)
	leaf.broadcast(1) // lost
	leaf.tick(leaf.c.cfg.SuspectTicks)
	leaf.take()
	leaf.tick(leaf.c.cfg.SuspectTicks)
	probes := only(leaf.take(), func(s sent) bool { return isPush(s) && s.to == "n0" })
	if len(probes) != 1 || len(probes[0].m.Values) != 0 || probes[0].m.Round != 2 {
		t.Fatalf("probes %v, want one empty push #2 to n0", describe(probes))
	}
	hub.step("n1", probes[0].m)
	hub.tick(hub.c.cfg.AckTicks)
	acks := only(hub.take(), func(s sent) bool { return isPush(s) && s.to == "n1" })
	if len(acks) != 1 || acks[0].m.Ack != 2 || len(acks[0].m.Values) != 0 {
		t.Fatalf("hub answered the probe with %v, want an ack of #2", describe(acks))
	}
	leaf.step("n0", acks[0].m)
	if leaf.c.star().suspect || len(leaf.c.star().unacked) != 0 {
		t.Errorf("after the ack: suspect %v, unacked %d", leaf.c.star().suspect, len(leaf.c.star().unacked))
	}
}

// Rule: a push the parent did not acknowledge although it was heard from
// well after it (the push was lost, the parent is alive) leads to a probe,
// not to a suspicion; only an unacknowledged probe does, and then the
// values of the lost push still go directly to every node.
func TestLostPushToLiveParentProbesFirst(t *testing.T) {
	d := newDriver(t, "n1", 4, quiet)
	s := d.c.cfg.SuspectTicks
	d.broadcast(1) // push #1, lost
	d.tick(s / 2)
	d.step("n0", Message{Kind: KindPush, Values: []int64{9}, Round: 1}) // no ack: #1 never arrived
	d.tick(s - s/2)
	got := d.take()
	if d.c.star().suspect || len(only(got, isDirect)) > 0 {
		t.Fatalf("suspected a parent that talks: %v", describe(got))
	}
	probes := only(got, func(m sent) bool { return isPush(m) && m.to == "n0" && len(m.m.Values) == 0 })
	if len(probes) != 1 || probes[0].m.Round != 2 {
		t.Fatalf("want one probe #2 to n0, got %v", describe(got))
	}
	d.tick(s)
	direct := only(d.take(), isDirect)
	if !d.c.star().suspect || len(direct) != 2 || !slices.Equal(direct[0].m.Values, []int64{1}) {
		t.Errorf("after an unacknowledged probe: suspect %v, direct %v; want 1 sent to n2 and n3", d.c.star().suspect, describe(direct))
	}
}

// Rule: a direct push is kept and reported but never relayed, by the hub
// or by a leaf, and does not count as a healthy push stream.
func TestDirectPushIsNotRelayed(t *testing.T) {
	for _, id := range []string{"n0", "n2"} {
		d := newDriver(t, id, 4, quiet)
		d.step("n3", Message{Kind: KindPush, Values: []int64{5, 6}, Direct: true})
		if !slices.Equal(d.learned, []int64{5, 6}) {
			t.Errorf("%s: NewValues %v, want [5 6]", id, d.learned)
		}
		d.tick(100)
		if got := only(d.take(), isPush); len(got) > 0 {
			t.Errorf("%s relayed a direct push: %v", id, describe(got))
		}
		if d.c.ae.pushesReceived != 0 {
			t.Errorf("%s counted a direct push as a healthy push", id)
		}
	}
}

// Rule: with SuspectTicks -1 nothing of this exists: no acks on pushes, no
// acknowledgement-only pushes, no suspicion.
func TestSuspicionOff(t *testing.T) {
	off := func(c *Config) { quiet(c); c.SuspectTicks = 0 }
	hub := newDriver(t, "n0", 3, off)
	hub.step("n1", Message{Kind: KindPush, Values: []int64{1}, Round: 1})
	hub.step("n2", Message{Kind: KindPush, Values: []int64{2}, Round: 1})
	hub.tick(200)
	for _, s := range hub.take() {
		if s.m.Ack != 0 || len(s.m.Values) == 0 {
			t.Errorf("hub sent %v with suspicion off", s)
		}
	}
	leaf := newDriver(t, "n1", 3, off)
	leaf.broadcast(1)
	leaf.tick(1000)
	if got := leaf.take(); len(got) != 1 || leaf.c.star().suspect {
		t.Errorf("leaf sent %v, suspect %v, with suspicion off", describe(got), leaf.c.star().suspect)
	}
}

// Rule: in a healthy 3d/3e run (25 nodes, 100 ms latency, 100 ops/s)
// acknowledgements cost (almost) nothing: no suspicion, no probe, at most
// a few acknowledgement-only pushes, server messages within 1% of the run
// with suspicion off, and no worse stable latency.
func TestHealthyRunCostsNothingExtra(t *testing.T) {
	seeds := []int64{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	off := starConfig()
	off.SuspectTicks = 0
	for _, seed := range seeds {
		on, err := simulateLoad(seed, spec3d(), suspectOn())
		if err != nil {
			t.Fatal(err)
		}
		base, err := simulateLoad(seed, spec3d(), off)
		if err != nil {
			t.Fatal(err)
		}
		if on.directSent > 0 || on.probes > 0 || on.ackOnly > 25 {
			t.Errorf("seed %d: %d direct copies, %d probes, %d acknowledgement-only pushes in a healthy run", seed, on.directSent, on.probes, on.ackOnly)
		}
		if float64(on.serverMsgs) > 1.01*float64(base.serverMsgs) {
			t.Errorf("seed %d: %d server messages, %d with suspicion off (> +1%%)", seed, on.serverMsgs, base.serverMsgs)
		}
		if on.stableP50 > base.stableP50 || on.stable > base.stable || on.unconverged > 0 {
			t.Errorf("seed %d: stable latency %.0f/%.0f ms, off %.0f/%.0f; unconverged %d", seed, on.stableP50, on.stable, base.stableP50, base.stable, on.unconverged)
		}
	}
}

// Rule: when the hub is cut off (isolated, or on the small side of a
// majority split) for 10 s under the 3d/3e load, every value broadcast
// during the cut reaches every node of its own side within SuspectTicks
// plus one latency and a tick of slack (850 ms here), where without
// suspicion values wait for backed-off anti-entropy (seconds); and
// everything converges after the heal.
func TestPartitionedSideConvergesFast(t *testing.T) {
	sp := spec3d()
	suspect := newCore(t, "n1", sp.nodes, withSuspicion(nil)).cfg.SuspectTicks
	bound := float64((int64(suspect)+1)*sp.tickMs + sp.latencyMs)
	off := starConfig()
	off.SuspectTicks = 0
	seeds := []int64{1, 2}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		for _, sc := range hubScenarios(seed, sp.nodes) {
			on, err := simulateLoad(seed, specHubCut(sc.groups), suspectOn())
			if err != nil {
				t.Fatal(err)
			}
			if on.compValues < 100 || on.compUnreached > 0 || on.unconverged > 0 || on.compMax > bound {
				t.Errorf("%s, seed %d: %d values during the cut, %d never through their side, %d never everywhere; within-side max %.0f ms (median %.0f), bound %.0f",
					sc.name, seed, on.compValues, on.compUnreached, on.unconverged, on.compMax, on.compP50, bound)
			}
			base, err := simulateLoad(seed, specHubCut(sc.groups), off)
			if err != nil {
				t.Fatal(err)
			}
			if base.compMax <= 2*bound {
				t.Errorf("%s, seed %d: without suspicion the within-side max is %.0f ms: the scenario does not exercise it", sc.name, seed, base.compMax)
			}
		}
	}
}
