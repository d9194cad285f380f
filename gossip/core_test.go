package gossip

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"broadcast/merkle"
)

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("n%d", i)
	}
	return out
}

// newCore builds the core of node id in a cluster of n, from DefaultConfig
// changed by mod.
func newCore(t testing.TB, id string, n int, mod func(*Config)) *Core {
	t.Helper()
	cfg := starConfig()
	cfg.ID, cfg.NodeIDs, cfg.Seed = id, ids(n), 1
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// kinds summarises the messages of a Ready as "to:kind" strings.
func kinds(rd Ready) []string {
	var out []string
	for _, e := range rd.Messages {
		out = append(out, e.To+":"+e.Msg.Kind.String())
	}
	return out
}

func TestNewRejectsBadConfig(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"no ID":            func(c *Config) { c.ID = "" },
		"ID not in nodes":  func(c *Config) { c.ID = "n9" },
		"repeated id":      func(c *Config) { c.NodeIDs = []string{"n0", "n1", "n1"} },
		"empty id":         func(c *Config) { c.NodeIDs = []string{"n0", ""} },
		"negative relay":   func(c *Config) { c.RelayTicks = -1 },
		"max below base":   func(c *Config) { c.SyncTicks, c.MaxSyncTicks = 100, 50 },
		"buckets not pow2": func(c *Config) { c.MerkleBuckets = 48 },
		"tiny messages":    func(c *Config) { c.MaxMessageBytes = 100 },
		"summary too big":  func(c *Config) { c.MerkleBuckets = 4096 },
		"unknown overlay":  func(c *Config) { c.Overlay = 9 },
		"unknown flush":    func(c *Config) { c.ClientFlush = 9 },
		"suspect <= ack":   func(c *Config) { c.AckTicks, c.SuspectTicks = 30, 30 },
		"suspect -2":       func(c *Config) { c.SuspectTicks = -2 },
		"negative ack":     func(c *Config) { c.AckTicks = -1 },
	} {
		cfg := starConfig()
		cfg.ID, cfg.NodeIDs = "n0", ids(3)
		mod(&cfg)
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err %v, want ErrConfig", name, err)
		}
	}
	// Rule: the zero Config behaves as DefaultConfig (the relay strategy,
	// suspicion of the star off).
	c, err := New(Config{ID: "n0", NodeIDs: ids(3)})
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultConfig()
	d.ID, d.NodeIDs, d.AckTicks, d.Logf = "n0", ids(3), d.RelayTicks, c.cfg.Logf
	if c.cfg.Logf == nil || fmt.Sprintf("%+v", c.cfg) != fmt.Sprintf("%+v", d) {
		t.Errorf("zero config filled as\n%+v\nwant\n%+v", c.cfg, d)
	}
	if _, ok := c.strat.(*relay); !ok {
		t.Errorf("zero config strategy %T, want *relay", c.strat)
	}
	c, err = New(Config{ID: "n1", NodeIDs: ids(3), Strategy: StrategyStar})
	if err != nil || c.star().acking {
		t.Errorf("star with SuspectTicks 0: err %v, acking %v; want suspicion off", err, c != nil && c.star().acking)
	}
	// SuspectAuto follows AckTicks, which follows RelayTicks.
	c, err = New(Config{ID: "n0", NodeIDs: ids(3), Strategy: StrategyStar, RelayTicks: 100, SuspectTicks: SuspectAuto})
	if err != nil || c.cfg.AckTicks != 100 || c.cfg.SuspectTicks != 100+suspectMarginTicks || !c.star().acking {
		t.Errorf("RelayTicks 100: err %v, AckTicks %d, SuspectTicks %d; want 100, %d", err, c.cfg.AckTicks, c.cfg.SuspectTicks, 100+suspectMarginTicks)
	}
}

// Rule: Broadcast reports a value new once; Ready reports each new value
// once, in the order learned.
func TestBroadcastReportsNewValuesOnceInOrder(t *testing.T) {
	c := newCore(t, "n1", 3, nil)
	for _, v := range []int64{5, 3, 5, 9} {
		c.Broadcast(v)
	}
	if c.Broadcast(3) {
		t.Error("Broadcast of a known value reported new")
	}
	rd := c.Ready()
	if !slices.Equal(rd.NewValues, []int64{5, 3, 9}) {
		t.Errorf("NewValues %v, want [5 3 9]", rd.NewValues)
	}
	if rd2 := c.Ready(); len(rd2.NewValues)+len(rd2.Messages) != 0 {
		t.Errorf("second Ready not empty: %+v", rd2)
	}
	if c.Len() != 3 || !c.Has(9) || c.Has(4) {
		t.Errorf("Len %d Has(9) %v Has(4) %v", c.Len(), c.Has(9), c.Has(4))
	}
}

// Rule: restored values are known but neither reported nor pushed.
func TestRestoreIsQuiet(t *testing.T) {
	c := newCore(t, "n1", 3, nil)
	c.Restore([]int64{1, 2, 2, 3})
	if c.Len() != 3 || !c.Has(2) {
		t.Fatalf("Len %d after Restore", c.Len())
	}
	if c.Broadcast(2) {
		t.Error("restored value reported new by Broadcast")
	}
	if err := c.Step("n0", Message{Kind: KindPush, Values: []int64{3}}); err != nil {
		t.Fatal(err)
	}
	for range 20 { // past RelayTicks: nothing may be queued
		c.Tick()
	}
	rd := c.Ready()
	if len(rd.NewValues) != 0 {
		t.Errorf("NewValues %v after Restore", rd.NewValues)
	}
	for _, e := range rd.Messages {
		if e.Msg.Kind == KindPush {
			t.Errorf("restored values pushed: %+v", e)
		}
	}
}

// Rule: a bad peer message is an error wrapping a sentinel, never a panic,
// and changes nothing.
func TestStepRejectsBadInput(t *testing.T) {
	c := newCore(t, "n0", 3, nil)
	good := newCore(t, "n1", 3, nil)
	good.Broadcast(1)
	sum := Message{Kind: KindSync, Root: good.tree.Root(), Digests: good.tree.Digests()}
	for name, tc := range map[string]struct {
		from string
		m    Message
		want error
	}{
		"unknown sender":  {"n7", Message{Kind: KindPush, Values: []int64{1}}, ErrUnknownPeer},
		"self as sender":  {"n0", Message{Kind: KindPush, Values: []int64{1}}, ErrUnknownPeer},
		"client sender":   {"c3", Message{Kind: KindPush, Values: []int64{1}}, ErrUnknownPeer},
		"kind zero":       {"n1", Message{Values: []int64{1}}, ErrBadMessage},
		"kind unknown":    {"n1", Message{Kind: 99, Values: []int64{1}}, ErrBadMessage},
		"short digests":   {"n1", Message{Kind: KindSync, Root: sum.Root, Digests: sum.Digests[:8]}, ErrBadMessage},
		"no digests":      {"n1", Message{Kind: KindHello, Root: sum.Root}, ErrBadMessage},
		"bucket too big":  {"n1", Message{Kind: KindSyncReply, Values: []int64{1}, Buckets: []int{64}}, ErrBadMessage},
		"bucket negative": {"n1", Message{Kind: KindSyncReply, Values: []int64{1}, Buckets: []int{-1}}, ErrBadMessage},
	} {
		err := c.Step(tc.from, tc.m)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", name, err, tc.want)
		}
		if rd := c.Ready(); c.Len() != 0 || len(rd.Messages) != 0 || len(rd.NewValues) != 0 {
			t.Errorf("%s: state changed: Len %d, Ready %+v", name, c.Len(), rd)
		}
	}
}

// Rule: every node computes the same overlay from the ids alone; the
// default is a star around the first id; a fanout gives a heap tree.
func TestOverlayFromIDs(t *testing.T) {
	for _, fanout := range []int{0, 1, 2, 4, 24, 100} {
		nb := map[string][]string{}
		for _, id := range ids(25) {
			c := newCore(t, id, 25, func(c *Config) { c.TreeFanout = fanout })
			nb[id] = c.star().neighbours
		}
		edges := 0
		for a, ns := range nb {
			for _, b := range ns {
				edges++
				if !slices.Contains(nb[b], a) {
					t.Errorf("fanout %d: %s lists %s, not the other way", fanout, a, b)
				}
			}
		}
		if edges != 2*24 {
			t.Errorf("fanout %d: %d directed edges, a spanning tree of 25 has 48", fanout, edges)
		}
		if fanout == 0 || fanout >= 24 {
			if len(nb["n0"]) != 24 || !slices.Equal(nb["n13"], []string{"n0"}) {
				t.Errorf("fanout %d: not a star around n0: n0 %v, n13 %v", fanout, nb["n0"], nb["n13"])
			}
		}
	}
	// Ids sort by length first: n2 < n10.
	if got := sortedIDs([]string{"n10", "n2", "n1", "n0"}); !slices.Equal(got, []string{"n0", "n1", "n2", "n10"}) {
		t.Errorf("sortedIDs %v", got)
	}
}

// Rule: a value a client broadcast on a leaf goes to the hub at once, in
// the same Ready, and nowhere else.
func TestClientValueGoesToHubAtOnce(t *testing.T) {
	c := newCore(t, "n3", 5, nil)
	c.Ready()
	c.Broadcast(42)
	rd := c.Ready()
	if len(rd.Messages) != 1 || rd.Messages[0].To != "n0" || !slices.Equal(rd.Messages[0].Msg.Values, []int64{42}) {
		t.Fatalf("messages %+v, want one push of 42 to n0", rd.Messages)
	}
}

// Rule: the hub forwards a value to every leaf but the one it came from,
// never forwards a known value, and flushes each leaf at most once per
// RelayTicks (an idle leaf's queue goes at once).
func TestHubBatchesRelays(t *testing.T) {
	const relay = 5
	hub := newCore(t, "n0", 4, func(c *Config) { c.RelayTicks = relay; c.SyncTicks, c.MaxSyncTicks = 10000, 10000 })
	hub.Ready()
	got := map[string][]int64{}
	flushes := map[string][]int64{} // ticks of the flushes to each leaf
	now := int64(0)
	collect := func() {
		for _, e := range hub.Ready().Messages {
			got[e.To] = append(got[e.To], e.Msg.Values...)
			flushes[e.To] = append(flushes[e.To], now)
		}
	}
	step := func(from string, vs ...int64) {
		if err := hub.Step(from, Message{Kind: KindPush, Values: vs}); err != nil {
			t.Fatal(err)
		}
		collect()
	}
	step("n1", 1)
	if !slices.Equal(flushes["n2"], []int64{0}) || !slices.Equal(flushes["n3"], []int64{0}) || len(flushes["n1"]) != 0 {
		t.Fatalf("idle queues did not flush at once: %v", flushes)
	}
	step("n2", 2) // n1 idle: at once; n3 waits
	step("n3", 3) // n1 and n2 wait
	step("n1", 1) // known: not forwarded again
	step("n2", 4)
	for range 3 * relay {
		hub.Tick()
		now++
		collect()
	}
	want := map[string][]int64{"n1": {2, 3, 4}, "n2": {1, 3}, "n3": {1, 2, 4}}
	for to, vs := range want {
		if !slices.Equal(got[to], vs) {
			t.Errorf("to %s: %v, want %v", to, got[to], vs)
		}
		for i := 1; i < len(flushes[to]); i++ {
			if flushes[to][i]-flushes[to][i-1] < relay {
				t.Errorf("to %s: flushes at ticks %v, closer than %d", to, flushes[to], relay)
			}
		}
	}
}

// syncPair runs one anti-entropy round from a to b by hand and returns the
// kinds of the round's messages; it keeps each core's other output (new
// values, pushes) in out.
func syncPair(t *testing.T, a, b *Core) []string {
	return syncPairOut(t, a, b, map[*Core]*Ready{a: {}, b: {}})
}

func syncPairOut(t *testing.T, a, b *Core, out map[*Core]*Ready) []string {
	t.Helper()
	var trace []string
	a.ae.openRound(b.cfg.ID)
	queue := []struct {
		from, to *Core
		m        Message
	}{}
	collect := func(from *Core) {
		rd := from.Ready()
		out[from].NewValues = append(out[from].NewValues, rd.NewValues...)
		for _, e := range rd.Messages {
			if e.Msg.Kind == KindPush {
				out[from].Messages = append(out[from].Messages, e)
				continue
			}
			to := a
			if e.To == b.cfg.ID {
				to = b
			}
			queue = append(queue, struct {
				from, to *Core
				m        Message
			}{from, to, e.Msg})
		}
	}
	collect(a)
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		trace = append(trace, q.m.Kind.String())
		if err := q.to.Step(q.from.cfg.ID, q.m); err != nil {
			t.Fatal(err)
		}
		collect(q.to)
	}
	return trace
}

// Rule: a round between equal sets costs two messages (the round and an
// empty reply confirming it); between different sets it ends with both
// sets equal to the union, the new values reported.
func TestSyncRound(t *testing.T) {
	a := newCore(t, "n1", 3, nil)
	b := newCore(t, "n2", 3, nil)
	a.Restore([]int64{1, 2, 3, 100})
	b.Restore([]int64{1, 2, 3, 100})
	if got := syncPair(t, a, b); !slices.Equal(got, []string{"sync", "sync-reply"}) {
		t.Errorf("equal sets: %v, want [sync sync-reply]", got)
	}
	for v := int64(200); v < 260; v++ {
		if v%3 == 0 {
			a.Broadcast(v)
		} else if v%3 == 1 {
			b.Broadcast(v)
		}
	}
	a.Ready()
	b.Ready()
	out := map[*Core]*Ready{a: {}, b: {}}
	got := syncPairOut(t, a, b, out)
	if !slices.Equal(got, []string{"sync", "sync-reply", "sync-values"}) {
		t.Errorf("different sets: %v", got)
	}
	if !slices.Equal(a.values.Sorted(), b.values.Sorted()) {
		t.Errorf("after a round: a %v, b %v", a.values.Sorted(), b.values.Sorted())
	}
	if a.Len() != 4+40 {
		t.Errorf("union has %d values, want 44", a.Len())
	}
	if n := len(out[b].NewValues); n != 20 {
		t.Errorf("b reported %d new values, want the 20 it lacked", n)
	}
}

// Rule: values learned by sync are pushed on along the overlay (the hub
// re-spreads what a partition withheld).
func TestSyncedValuesArePushedOn(t *testing.T) {
	hub := newCore(t, "n0", 4, nil)
	leaf := newCore(t, "n3", 4, nil)
	leaf.Restore([]int64{7})
	out := map[*Core]*Ready{hub: {}, leaf: {}}
	syncPairOut(t, leaf, hub, out) // leaf opens; the hub learns 7 from sync-values
	for range 20 {
		hub.Tick()
		out[hub].Messages = append(out[hub].Messages, hub.Ready().Messages...)
	}
	got := map[string]bool{}
	for _, e := range out[hub].Messages {
		if e.Msg.Kind == KindPush && slices.Contains(e.Msg.Values, 7) {
			got[e.To] = true
		}
	}
	if !got["n1"] || !got["n2"] || got["n3"] {
		t.Errorf("hub pushed 7 to %v, want n1 and n2 only", got)
	}
}

// jsonBody mirrors a plausible wire body, to check the size estimate.
type jsonBody struct {
	Type        string  `json:"type"`
	MsgID       int64   `json:"msg_id,omitempty"`
	Values      []int64 `json:"values,omitempty"`
	Root        []byte  `json:"root,omitempty"`
	Digests     []byte  `json:"digests,omitempty"`
	Buckets     []int   `json:"buckets,omitempty"`
	Count       int     `json:"count,omitempty"`
	Incarnation string  `json:"incarnation,omitempty"`
	Round       uint64  `json:"round,omitempty"`
	Ack         uint64  `json:"ack,omitempty"`
	Direct      bool    `json:"direct,omitempty"`
}

func jsonSize(t *testing.T, from, to string, m Message) int {
	env := struct {
		Src  string   `json:"src"`
		Dest string   `json:"dest"`
		ID   int64    `json:"id"`
		Body jsonBody `json:"body"`
	}{from, to, 1 << 40, jsonBody{"gossip_sync_values", 1 << 40, m.Values, m.Root, m.Digests, m.Buckets, m.Count, m.Incarnation, m.Round, m.Ack, m.Direct}}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

// Rule: every message stays under MaxMessageBytes as JSON, whatever the
// values (large lists are split, never empty).
func TestMessagesStayUnderBudget(t *testing.T) {
	const budget = 2048
	mod := func(c *Config) { c.MaxMessageBytes = budget; c.MerkleBuckets = 4; c.RelayTicks = 1 }
	a := newCore(t, "n1", 3, mod)
	b := newCore(t, "n0", 3, mod)
	rng := rand.New(rand.NewSource(1))
	var big []int64
	for range 3000 {
		v := rng.Int63() - rng.Int63()
		big = append(big, v)
	}
	big = append(big, -1<<63, 1<<63-1)
	b.Restore(big[:1500])
	for _, v := range big[1500:] {
		a.Broadcast(v) // a leaf: pushes to the hub n0
	}
	check := func(from string, rd Ready) {
		for _, e := range rd.Messages {
			if n := jsonSize(t, from, e.To, e.Msg); n > budget {
				t.Errorf("%s message of %d values is %d bytes > %d", e.Msg.Kind, len(e.Msg.Values), n, budget)
			}
			if e.Msg.Kind == KindPush && len(e.Msg.Values) == 0 {
				t.Error("empty push")
			}
		}
	}
	check("n1", a.Ready())
	trace := syncPair(t, a, b)
	if !slices.Equal(a.values.Sorted(), b.values.Sorted()) || a.Len() != len(big) {
		t.Fatalf("sync did not converge: %d and %d of %d", a.Len(), b.Len(), len(big))
	}
	if len(trace) < 4 {
		t.Errorf("expected split replies, trace %v", trace)
	}
	// The round's own messages were checked as they went: replay it on
	// fresh cores, checking every message.
	a2 := newCore(t, "n1", 3, mod)
	b2 := newCore(t, "n0", 3, mod)
	a2.Restore(big[1500:])
	b2.Restore(big[:1500])
	a2.ae.openRound("n0")
	rd := a2.Ready()
	check("n1", rd)
	if err := b2.Step("n1", rd.Messages[0].Msg); err != nil {
		t.Fatal(err)
	}
	rd = b2.Ready()
	check("n0", rd)
	for _, e := range rd.Messages {
		if err := a2.Step("n0", e.Msg); err != nil {
			t.Fatal(err)
		}
	}
	check("n1", a2.Ready())
	// The estimate of a summary is conservative too.
	sum := Message{Kind: KindSync, Root: make([]byte, 32), Digests: make([]byte, 64*merkle.DigestSize), Count: 1 << 40, Incarnation: "n1-0123456789abcdef", Round: 1 << 40, Ack: 1<<64 - 1, Direct: true}
	if est, real := summaryBytes(32, 64*merkle.DigestSize, sum.Incarnation), jsonSize(t, "n10", "n11", sum); est < real {
		t.Errorf("summary estimate %d < JSON %d", est, real)
	}
	if got := base64Bytes(10); got < len(base64.StdEncoding.EncodeToString(make([]byte, 10)))+2 {
		t.Errorf("base64Bytes(10) = %d", got)
	}
}

// Rule: Rejoin sends a hello with the summary to the overlay neighbours
// and HelloPeers others; a receiver answers with what the restarted node
// lacks.
func TestRejoinSendsHello(t *testing.T) {
	c := newCore(t, "n5", 9, func(c *Config) { c.HelloPeers = 2 })
	c.Restore([]int64{1})
	c.Ready()
	c.Rejoin("inc-2")
	rd := c.Ready()
	var to []string
	for _, e := range rd.Messages {
		if e.Msg.Kind != KindHello || e.Msg.Incarnation != "inc-2" || e.Msg.Count != 1 {
			t.Errorf("bad hello %+v", e)
		}
		to = append(to, e.To)
	}
	if len(to) != 3 || to[0] != "n0" {
		t.Errorf("hello to %v, want the hub n0 and 2 others", to)
	}
	peer := newCore(t, to[1], 9, nil)
	peer.Restore([]int64{1, 2, 3})
	peer.Ready()
	if err := peer.Step("n5", rd.Messages[1].Msg); err != nil {
		t.Fatal(err)
	}
	rd = peer.Ready()
	if len(rd.Messages) != 1 || rd.Messages[0].Msg.Kind != KindSyncReply {
		t.Fatalf("answer to hello: %+v", rd.Messages)
	}
	if err := c.Step(to[1], rd.Messages[0].Msg); err != nil {
		t.Fatal(err)
	}
	if c.Len() != 3 {
		t.Errorf("restarted node holds %d values after the answer, want 3", c.Len())
	}
}

// Rule: a jump in a link's push numbers (lost pushes) opens a round with
// the sender at once; a small hole that a late push does not fill within
// SettleTicks/2 does too; a reordered push does not.
func TestLostPushOpensRound(t *testing.T) {
	mod := func(c *Config) { c.SyncTicks, c.MaxSyncTicks, c.SettleTicks = 1000, 1000, 40 }
	push := func(c *Core, seq uint64, v int64) []string {
		if err := c.Step("n0", Message{Kind: KindPush, Values: []int64{v}, Round: seq}); err != nil {
			t.Fatal(err)
		}
		return kinds(c.Ready())
	}
	c := newCore(t, "n1", 3, mod)
	push(c, 1, 1)
	if got := push(c, 2+maxReorder+1, 2); !slices.Equal(got, []string{"n0:sync"}) {
		t.Errorf("after a jump: %v, want a sync to n0", got)
	}

	c = newCore(t, "n2", 3, mod)
	push(c, 1, 1)
	push(c, 3, 3) // 2 is missing
	push(c, 2, 2) // reordered, not lost
	for range 40 {
		c.Tick()
	}
	if got := kinds(c.Ready()); len(got) != 0 {
		t.Errorf("reordered push caused %v", got)
	}
	push(c, 5, 5) // 4 is missing for good
	var got []string
	for range 20 {
		c.Tick()
		got = append(got, kinds(c.Ready())...)
	}
	if !slices.Equal(got, []string{"n0:sync"}) {
		t.Errorf("after a lost push: %v, want one sync to n0", got)
	}
}

// Rule: a node that learned nothing since its last round, which its peer
// answered with equal roots, opens none (an idle node is silent); one that
// learned a value opens rounds, backing off to MaxSyncTicks, until a peer
// confirms equal roots; rounds are skipped while pushes arrive with no
// loss (but one is opened at least every MaxSkipTicks), and a real gap
// brings the interval back to SyncTicks.
func TestAdaptiveSyncInterval(t *testing.T) {
	c := newCore(t, "n1", 3, func(c *Config) { c.SyncTicks, c.MaxSyncTicks, c.MaxSkipTicks = 10, 80, 300 })
	var lastRound Message
	rounds := func(ticks int, pushEvery int) int {
		n := 0
		for i := 1; i <= ticks; i++ {
			if pushEvery > 0 && i%pushEvery == 0 {
				c.Step("n0", Message{Kind: KindPush, Values: []int64{int64(1000 + i)}, Round: uint64(i / pushEvery)})
			}
			c.Tick()
			for _, e := range c.Ready().Messages {
				if e.Msg.Kind == KindSync {
					n++
					lastRound = e.Msg
				}
			}
		}
		return n
	}
	if idle := rounds(250, 0); idle != 0 {
		t.Errorf("%d rounds in 250 idle ticks, want 0", idle)
	}
	c.Broadcast(1)
	if unanswered := rounds(250, 0); unanswered < 2 || unanswered > 6 {
		t.Errorf("%d unanswered rounds in 250 ticks after learning a value, want 2-6 (about 80 apart: the interval backed off while idle)", unanswered)
	}
	if c.ae.syncInterval != 80 {
		t.Errorf("interval %d after unanswered rounds, want 80", c.ae.syncInterval)
	}
	c.Step("n0", Message{Kind: KindSyncReply, Round: lastRound.Round}) // equal roots
	if after := rounds(250, 0); after != 0 {
		t.Errorf("%d rounds in 250 ticks after a peer confirmed equal roots, want 0", after)
	}
	if healthy := rounds(1200, 5); healthy < 2 || healthy > 6 {
		t.Errorf("%d rounds in 1200 ticks of healthy pushes, want one per ~300", healthy)
	}
	// A peer lacking settled values is a real gap.
	c.Restore([]int64{5})
	c.Step("n2", Message{Kind: KindSyncReply, Buckets: []int{c.tree.Bucket(5)}})
	if c.ae.syncInterval != 10 {
		t.Errorf("interval %d after a real gap, want 10", c.ae.syncInterval)
	}
}

// Rule (OverlayGiven): pushes follow Maelstrom's topology, both ways along
// each edge.
func TestGivenOverlay(t *testing.T) {
	c := newCore(t, "n1", 4, func(c *Config) { c.Overlay = OverlayGiven })
	c.SetTopology(map[string][]string{"n0": {"n1"}, "n1": {"n2"}, "n2": {"n1"}, "n3": {"n0"}})
	if !slices.Equal(c.star().neighbours, []string{"n0", "n2"}) {
		t.Errorf("neighbours %v, want [n0 n2]", c.star().neighbours)
	}
	c.Ready()
	c.Broadcast(1)
	if got := kinds(c.Ready()); !slices.Equal(got, []string{"n0:push", "n2:push"}) {
		t.Errorf("broadcast went to %v", got)
	}
	tree := newCore(t, "n1", 4, nil)
	tree.SetTopology(map[string][]string{"n1": {"n3"}})
	if !slices.Equal(tree.star().neighbours, []string{"n0"}) {
		t.Errorf("tree overlay changed by topology: %v", tree.star().neighbours)
	}
}

// Rule: with no loss, pushes alone bring every value to every node within
// the overlay's hops × (latency + RelayTicks), without anti-entropy.
func TestPushAloneDisseminates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mod   func(*Config)
		bound int64 // ticks, latency 3
	}{
		{"star", func(*Config) {}, 2*3 + 5 + 2},
		{"tree fanout 2", func(c *Config) { c.TreeFanout = 2 }, 6 * (3 + 5 + 1)},
		{"full", func(c *Config) { c.Overlay = OverlayFull }, 3 + 1},
		{"given line", func(c *Config) { c.Overlay = OverlayGiven }, 19 * (3 + 5 + 1)},
	} {
		cfg := starConfig()
		cfg.RelayTicks = 5
		cfg.SyncTicks, cfg.MaxSyncTicks = 1<<20, 1<<20
		tc.mod(&cfg)
		s, err := newSimNet(1, 20, 1, func(*rand.Rand) int64 { return 3 }, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Overlay == OverlayGiven {
			s.setTopology(lineTopology(s.ids))
		}
		born := map[int64]int64{}
		holders := map[int64]int{}
		worst := int64(0)
		s.learned = func(_ string, v int64) {
			if holders[v]++; holders[v] == 20 {
				worst = max(worst, s.now-born[v])
			}
		}
		rng := rand.New(rand.NewSource(2))
		for v := int64(0); v < 300; v++ {
			born[v] = s.now
			s.broadcast(s.ids[rng.Intn(20)], v)
			s.run(int64(rng.Intn(3)))
		}
		s.run(200)
		if ok, why := s.converged(); !ok {
			t.Errorf("%s: not converged by push alone: %s", tc.name, why)
		}
		if worst > tc.bound {
			t.Errorf("%s: a value took %d ticks to reach every node, bound %d", tc.name, worst, tc.bound)
		}
		if s.sentByKind[KindSync] != 0 {
			t.Errorf("%s: %d sync rounds", tc.name, s.sentByKind[KindSync])
		}
	}
}
