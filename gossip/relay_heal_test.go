package gossip

import (
	"slices"
	"testing"
)

// The rules of this file cut what a cut and its heal cost: repairs that
// another mechanism already makes, and messages to nodes that need none.

// emptyDigests returns bucket digests for a KindSync or KindSyncReply.
func emptyDigests(c *Core) []byte { return make([]byte, c.cfg.MerkleBuckets*8) }

// syncsTo returns the rounds opened with peer in ss.
func syncsTo(ss []sent, peer string) []sent {
	return only(ss, func(s sent) bool { return s.to == peer && s.m.Kind == KindSync })
}

// Rule: a round's opening (KindSync) and its answer (KindSyncReply) carry
// in Ack the number of the last push their sender sent the receiver; the
// receiver takes the holes up to it as repaired by the round. A hole a
// later push reveals there opens no round, and one already open is
// closed (before, each hole of a heal opened another round SettleTicks/2
// after the round of the heal itself).
func TestRoundCoversLostPushes(t *testing.T) {
	leaf := relayDriver(t, "n4", 10)
	leaf.tick(1)
	leaf.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{1}, Round: 1})
	leaf.take()
	// n0 opens a round having sent pushes up to #3 (#2 and #3 lost).
	leaf.step("n0", Message{Kind: KindSync, Round: 1, Ack: 3, Root: []byte{1}, Digests: emptyDigests(leaf.c)})
	leaf.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{4}, Round: 4})
	leaf.tick(leaf.c.cfg.SettleTicks)
	if got := syncsTo(leaf.take(), "n0"); len(got) != 0 {
		t.Errorf("push #4 after n0's round covering #3: %v, want no round", describe(got))
	}
	leaf.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{6}, Round: 6})
	if got := syncsTo(leaf.take(), "n0"); len(got) != 1 {
		t.Errorf("push #6 after #4 (#5 lost, after the round): %d rounds, want 1", len(got))
	}

	// A skipped push opens a round at once; the answer, covering the
	// hole, closes it: no second round when the hole's wait ends.
	leaf = relayDriver(t, "n4", 10)
	leaf.tick(1)
	leaf.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{1}, Round: 1})
	leaf.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{3}, Round: 3})
	open := syncsTo(leaf.take(), "n0")
	if len(open) != 1 || open[0].m.Ack != leaf.c.strat.pushesSent("n0") {
		t.Fatalf("push #3 after #1: %v, want one round carrying the pushes sent to n0 (%d)", describe(open), leaf.c.strat.pushesSent("n0"))
	}
	leaf.tick(2)
	leaf.step("n0", Message{Kind: KindSyncReply, Round: open[0].m.Round, Ack: 3})
	leaf.tick(leaf.c.cfg.SettleTicks)
	if got := syncsTo(leaf.take(), "n0"); len(got) != 0 {
		t.Errorf("after n0's answer covering #2: %v, want no second round", describe(got))
	}
}

// Rule: a leaf that hears its relay opens no round for a skip in the
// pushes of another node (a cut between them healed): that node's side
// comes back to the first relay with a round each, and the relay flushes
// what they bring. A leaf that does not hear its relay does.
func TestLeafIgnoresSkipsFromAnotherRelay(t *testing.T) {
	for _, hears := range []bool{true, false} {
		d := relayDriver(t, "n5", 10)
		w := d.c.cfg.WindowTicks
		d.tick(1)
		if hears {
			for i := range 3 {
				d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{100 + int64(i)}, Round: uint64(i + 1)})
				d.tick(w)
			}
		}
		d.take()
		d.step("n3", Message{Kind: KindPush, Direct: true, Values: []int64{7}, Round: 3})
		d.tick(d.c.cfg.SettleTicks)
		got := syncsTo(d.take(), "n3")
		if hears && len(got) != 0 {
			t.Errorf("hearing n0: n3's push #3 (first) opened %v, want no round", describe(got))
		}
		if !hears && len(got) == 0 {
			t.Errorf("not hearing a relay: n3's push #3 (first) opened no round, want one")
		}
	}
}

// Rule: what a round with this leaf's relay finds missing is no reason to
// speed rounds up, nor to upload the values it brought: the relay
// flushes what it learns to every node it reaches, and had those. The
// same from another peer is: the values go up, and the interval comes
// back to SyncTicks.
func TestRoundWithRelayIsNoGap(t *testing.T) {
	for _, peer := range []string{"n0", "n7"} {
		d := relayDriver(t, "n5", 10)
		d.tick(1)
		d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{9}, Round: 1})
		d.step("n0", Message{Kind: KindPush, Direct: true, Root: []byte{1}}) // nothing more to come
		d.tick(d.c.cfg.SettleTicks + 1)                                      // 9 is settled here
		d.take()
		d.c.ae.gapSeen = false
		// The peer's answer: 42, which this leaf lacks, and 9's bucket,
		// which the peer lacks.
		b := d.c.tree.Bucket(9)
		d.step(peer, Message{Kind: KindSyncReply, Round: 1, Values: []int64{42}, Buckets: []int{b, d.c.tree.Bucket(42)}})
		gap := d.c.ae.gapSeen
		d.tick(d.c.cfg.SettleTicks + 1)
		ups := only(d.take(), func(s sent) bool { return s.to == "n0" && !s.m.Direct && slices.Contains(s.m.Values, 42) })
		if peer == "n0" && (gap || len(ups) != 0) {
			t.Errorf("round with the relay: gap %v, uploads of 42 %v; want no gap, no upload", gap, describe(ups))
		}
		if peer == "n7" && (!gap || len(ups) != 1) {
			t.Errorf("round with n7: gap %v, %d uploads of 42; want a gap and one upload", gap, len(ups))
		}
	}
}

// Rule: a node owes acknowledgements for uploads and probes only: the
// downlinks of a node that relays, which number their pushes on the same
// link, want none (a candidate probed at a failover acknowledged each
// downlink of that relay since, every window).
func TestRelayOwesNoAckForDownlinks(t *testing.T) {
	d := relayDriver(t, "n6", 10)
	w := d.c.cfg.WindowTicks
	d.tick(1)
	d.step("n3", Message{Kind: KindPush, Round: 1, Count: 1}) // a probe: acknowledged at once
	if got := only(d.take(), func(s sent) bool { return s.to == "n3" && s.m.Ack == 1 }); len(got) != 1 {
		t.Fatalf("probe from n3: %v, want one acknowledgement", describe(got))
	}
	for i := range 3 {
		d.step("n3", Message{Kind: KindPush, Direct: true, Values: []int64{10 + int64(i)}, Round: uint64(i + 2)})
		d.tick(w)
	}
	if got := only(d.take(), func(s sent) bool { return s.to == "n3" && s.m.Ack > 0 }); len(got) != 0 {
		t.Errorf("after n3's downlinks: %v, want no acknowledgement", describe(got))
	}
	d.step("n3", Message{Kind: KindPush, Values: []int64{20}, Round: 5}) // an upload
	d.tick(w)
	if got := only(d.take(), func(s sent) bool { return s.to == "n3" && s.m.Ack == 5 }); len(got) != 1 {
		t.Errorf("after n3's upload: %v, want one acknowledgement of #5", describe(got))
	}
}

// Rule: a leaf keeps the upload timing of a relay it leaves: back to it
// (a cut healed), its uploads are timed at once, and ask for no
// acknowledgement on arrival.
func TestLeafKeepsTimingOfRelayItLeft(t *testing.T) {
	d := relayDriver(t, "n5", 10)
	d.tick(1)
	d.broadcast(1) // untimed: acknowledged on arrival
	up := only(d.take(), func(s sent) bool { return s.to == "n0" && slices.Contains(s.m.Values, 1) })
	if len(up) != 1 || up[0].m.Count != 1 {
		t.Fatalf("first upload: %v, want one asking for an acknowledgement", describe(up))
	}
	d.tick(20)
	d.step("n0", Message{Kind: KindPush, Direct: true, Ack: 1, Count: -11})
	r := d.c.strat.(*relay)
	r.suspected["n0"] = true // a cut: n5 goes to n1
	r.choose()
	d.tick(30)
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{50}, Round: 1}) // the heal
	if r.current != "n0" {
		t.Fatalf("after n0 is heard: relay %s, want n0", r.current)
	}
	d.take()
	d.broadcast(2)
	d.tick(int(d.c.cfg.WindowTicks))
	up = only(d.take(), func(s sent) bool { return s.to == "n0" && slices.Contains(s.m.Values, 2) })
	if len(up) != 1 || up[0].m.Count != 0 {
		t.Errorf("back at n0: %v, want one timed upload (Count 0)", describe(up))
	}
	r.peerRestarted("n0")
	if _, ok := r.phases["n0"]; ok {
		t.Errorf("n0 restarted: its timing kept")
	}
}

// Rule: a node back to being a leaf (a cut healed and its leaves left)
// sends no root notices after its last flush: no peer takes its root for
// its relay's or waits for its next flush. One that relays does.
func TestLeafAgainSendsNoRootNotice(t *testing.T) {
	for _, back := range []bool{false, true} {
		d := relayDriver(t, "n3", 10)
		w := d.c.cfg.WindowTicks
		r := d.c.strat.(*relay)
		for _, id := range []string{"n0", "n1", "n2"} {
			r.suspected[id] = true
		}
		r.choose()
		d.tick(1)
		d.step("n5", Message{Kind: KindPush, Values: []int64{1}, Round: 1})
		d.tick(w) // the flush, to every peer (a relay that took over)
		d.take()
		if back {
			d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{50}, Round: 1})
			d.step("n5", detach())
		}
		d.tick(w)
		notices := only(d.take(), func(s sent) bool { return s.m.Kind == KindPush && isRootNotice(s.m) })
		if !back && len(notices) != 8 { // n5 got only an acknowledgement
			t.Errorf("relaying: %d root notices at the empty slot, want 8", len(notices))
		}
		if back && len(notices) != 0 {
			t.Errorf("a leaf again: %v, want no root notice", describe(notices))
		}
	}
}

// Rule: a node that is its own relay and learns values by sync flushes
// them syncedCollectTicks later, not at the grid's next slot: the leaves
// that come back from a cut bring what it withheld in their rounds, and
// the nodes of this side need them with no round of their own.
func TestFirstRelayFlushesSyncedValuesSoon(t *testing.T) {
	d := relayDriver(t, "n0", 10)
	w := d.c.cfg.WindowTicks
	d.tick(w + 1) // just past a grid slot
	d.take()
	d.step("n5", Message{Kind: KindSyncValues, Values: []int64{77}})
	d.tick(syncedCollectTicks - 1)
	if got := only(d.take(), func(s sent) bool { return slices.Contains(s.m.Values, 77) }); len(got) != 0 {
		t.Fatalf("before syncedCollectTicks: %v", describe(got))
	}
	d.tick(1)
	got := only(d.take(), func(s sent) bool { return isDirect(s) && slices.Contains(s.m.Values, 77) })
	if len(got) != 8 || slices.ContainsFunc(got, func(s sent) bool { return s.to == "n5" }) {
		t.Errorf("%d ticks after: %v, want 77 to the 8 peers but n5", syncedCollectTicks, describe(got))
	}
}

// Rule: a leaf that leaves a relay for one ahead of it (a heal) passes on
// nothing of that relay's flushes in flight, and passes it nothing for a
// window: its side comes back too.
func TestLeafLeavingRelayPassesNothingOn(t *testing.T) {
	d := relayDriver(t, "n5", 10)
	w := d.c.cfg.WindowTicks
	r := d.c.strat.(*relay)
	r.suspected["n0"] = true
	r.choose() // a cut: n5's relay is n1
	d.tick(1)
	d.step("n1", Message{Kind: KindPush, Direct: true, Values: []int64{1}, Round: 1})
	d.tick(w)
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{2}, Round: 1}) // the heal
	if r.current != "n0" {
		t.Fatalf("after n0 is heard: relay %s, want n0", r.current)
	}
	d.take()
	d.step("n1", Message{Kind: KindPush, Direct: true, Values: []int64{3}, Round: 2}) // in flight
	d.tick(w / 2)
	d.step("n0", Message{Kind: KindPush, Direct: true, Values: []int64{4}, Round: 2})
	passed := only(d.take(), func(s sent) bool { return isDirect(s) && (s.to == "n0" || s.to == "n1") })
	if len(passed) != 0 {
		t.Errorf("after leaving n1: %v, want nothing passed on", describe(passed))
	}
}

// Rule: back to a relay ahead of its own, a leaf forgets its suspicion
// of the nodes after that relay: the cut that hid them is over too. A
// stale suspicion at the next failover made a node relay for itself
// while the others of its side chose one ahead of it.
func TestBackToRelayClearsLaterSuspicions(t *testing.T) {
	d := relayDriver(t, "n5", 10)
	r := d.c.strat.(*relay)
	for _, id := range []string{"n0", "n1", "n2"} {
		r.suspected[id] = true
	}
	r.choose()
	d.tick(1)
	d.step("n1", Message{Kind: KindPush, Direct: true, Values: []int64{1}, Round: 1})
	if r.current != "n1" || !r.suspected["n0"] || r.suspected["n2"] {
		t.Errorf("n1 heard: relay %s, suspected %v; want relay n1, n0 suspected, n2 not", r.current, keys(r.suspected))
	}
}

// Rule: a failover from a tentative relay (its probe not answered) probes
// no candidate that answered a probe within a window and the margin: it
// is reachable, and was probed with the others at the first failover.
func TestFailoverSkipsAnsweredCandidates(t *testing.T) {
	d := relayDriver(t, "n9", 10)
	cfg := d.c.cfg
	d.broadcast(7)
	d.tick(cfg.FailoverTicks) // n0 never answers: failover to n1, probes n1..n5
	probes := map[string]uint64{}
	for _, s := range d.take() {
		if s.to != "n0" && s.m.Kind == KindPush && s.m.Round > 0 && s.m.Count > 0 {
			probes[s.to] = s.m.Round
		}
	}
	if len(probes) != failoverProbes {
		t.Fatalf("first failover: probes %v, want %d candidates", probes, failoverProbes)
	}
	d.tick(20)
	d.step("n3", Message{Kind: KindPush, Direct: true, Ack: probes["n3"], Count: -5})
	d.step("n4", Message{Kind: KindPush, Direct: true, Ack: probes["n4"], Count: -5})
	var out []sent
	r := d.c.strat.(*relay)
	for range cfg.FailoverTicks {
		d.tick(1)
		out = append(out, d.take()...)
		if r.suspected["n1"] {
			break
		}
	}
	if !r.suspected["n1"] {
		t.Fatalf("n1 never answered: not suspected")
	}
	again := only(out, func(s sent) bool {
		return (s.to == "n3" || s.to == "n4") && s.m.Kind == KindPush && s.m.Round > 0 && s.m.Count > 0
	})
	if len(again) != 0 || r.current != "n3" {
		t.Errorf("second failover: relay %s, probes to the candidates that answered %v; want relay n3, none", r.current, describe(again))
	}
}
