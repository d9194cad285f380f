package nemesis

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"broadcast/maelstrom/history"
)

// Fault names accepted in Config.Faults.
const (
	FaultPartition = "partition"
	FaultKill      = "kill"
	FaultKillAll   = "kill-all"
	FaultPause     = "pause"
)

// Controller is what the nemesis acts on: the runner's cluster.
type Controller interface {
	// Partition installs a drop table (receiver -> senders it drops).
	Partition(grudge map[string][]string)
	// Heal empties the drop table.
	Heal()
	// Kill SIGKILLs node as a nemesis kill.
	Kill(node string) error
	// Restart launches node again with the same command, directory and
	// environment, and re-sends init and topology from fresh clients.
	Restart(node string) error
	// Live returns the nodes that are running, in test order.
	Live() []string
	// Killed returns the nodes killed by the nemesis and not restarted, in
	// test order.
	Killed() []string
	// Pause SIGSTOPs node; Resume SIGCONTs it.
	Pause(node string) error
	Resume(node string) error
}

// Config configures a Nemesis.
type Config struct {
	// Faults lists the enabled faults: partition, kill, kill-all, pause.
	Faults []string
	// Targets, if set, restricts the node-level faults that pick one node
	// (kill, pause) to these nodes (--nemesis-targets); empty means any
	// node. Partitions and kill-all ignore it.
	Targets []string
	// Interval is --nemesis-interval: the mean gap between nemesis ops
	// (gaps are uniform on [0, 2*Interval)). Default 10 s.
	Interval time.Duration
	// Nodes are the servers in test order.
	Nodes []string
	// Seed drives shapes, gaps and kill targets.
	Seed uint64
	// Record appends an op to the history (the recorder assigns Index).
	Record func(op history.Op)
	// Now is the run's relative clock in ns.
	Now func() int64
	// Logf receives log lines ("WARN " prefix for warnings).
	Logf func(format string, args ...any)
}

// DefaultConfig returns Maelstrom's defaults: no faults, interval 10 s.
func DefaultConfig() Config { return Config{Interval: 10 * time.Second} }

func (c *Config) validate() error {
	for _, f := range c.Faults {
		switch f {
		case FaultPartition, FaultKill, FaultKillAll, FaultPause:
		default:
			return fmt.Errorf("nemesis: unknown fault %q (want partition, kill, kill-all or pause)", f)
		}
	}
	if err := ValidTargets(c.Targets, c.Nodes); err != nil {
		return err
	}
	if c.Interval <= 0 {
		c.Interval = 10 * time.Second
	}
	if c.Record == nil {
		c.Record = func(history.Op) {}
	}
	if c.Now == nil {
		start := time.Now()
		c.Now = func() int64 { return int64(time.Since(start)) }
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return nil
}

// Nemesis runs the fault schedules. Create it with New.
type Nemesis struct {
	cfg Config
	ctl Controller
	on  map[string]bool

	opMu sync.Mutex // the single nemesis "thread": one op at a time

	mu        sync.Mutex // protects faults, openPart, openKill, killedBy, openPause, partShape
	faults    []history.Interval
	openPart  int            // index in faults of the open partition, -1 if none
	openKill  map[string]int // node -> index in faults of its open kill
	killedBy  map[string]string
	openPause map[string]int // paused node -> index in faults of its open pause
	partShape string
}

// New returns a nemesis over ctl.
func New(cfg Config, ctl Controller) (*Nemesis, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if len(cfg.Faults) > 0 && ctl == nil {
		return nil, errors.New("nemesis: a Controller is required")
	}
	n := &Nemesis{cfg: cfg, ctl: ctl, on: map[string]bool{}, openPart: -1,
		openKill: map[string]int{}, killedBy: map[string]string{}, openPause: map[string]int{}}
	for _, f := range cfg.Faults {
		n.on[f] = true
	}
	return n, nil
}

// Enabled reports whether fault f is on.
func (n *Nemesis) Enabled(f string) bool { return n.on[f] }

func (n *Nemesis) rng(stream string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte("nemesis/" + stream))
	return rand.New(rand.NewPCG(n.cfg.Seed, h.Sum64()))
}

// sleepUntil waits until relative time t; false if ctx ended first.
func (n *Nemesis) sleepUntil(ctx context.Context, t int64) bool {
	d := time.Duration(t - n.cfg.Now())
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Run runs every enabled schedule from t0 (the first operation time) until
// cutoff (t0 + time limit, relative ns): ops are only issued before cutoff.
// It returns when every schedule has finished its last op.
func (n *Nemesis) Run(ctx context.Context, t0, cutoff int64) {
	var wg sync.WaitGroup
	if n.on[FaultPartition] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.flipFlop(ctx, t0, cutoff, n.rng("partition"), n.startPartition, n.stopPartition)
		}()
	}
	if n.on[FaultKill] {
		wg.Add(1)
		go func() { defer wg.Done(); n.flipFlop(ctx, t0, cutoff, n.rng("kill"), n.killOne, n.startKilled) }()
	}
	if n.on[FaultKillAll] {
		wg.Add(1)
		go func() { defer wg.Done(); n.killAll(ctx, t0, cutoff, n.rng("kill-all")) }()
	}
	if n.on[FaultPause] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.flipFlop(ctx, t0, cutoff, n.rng("pause"), n.pauseOne, n.resumePaused)
		}()
	}
	wg.Wait()
}

// flipFlop alternates a and b with jepsen's stagger: each op's time is
// max(scheduled time, when the nemesis is free); the next is that time plus
// a gap uniform on [0, 2I).
func (n *Nemesis) flipFlop(ctx context.Context, t0, cutoff int64, r *rand.Rand, a, b func(t int64, r *rand.Rand)) {
	next := t0
	for i := 0; ; i++ {
		if next >= cutoff || !n.sleepUntil(ctx, next) {
			return
		}
		n.opMu.Lock()
		t := n.cfg.Now()
		if t < next {
			t = next
		}
		if t >= cutoff || ctx.Err() != nil {
			n.opMu.Unlock()
			return
		}
		if i%2 == 0 {
			a(t, r)
		} else {
			b(t, r)
		}
		n.opMu.Unlock()
		next = t + r.Int64N(int64(2*n.cfg.Interval))
	}
}

func (n *Nemesis) record(t int64, f string, v any) {
	n.cfg.Record(history.Op{Time: t, Type: history.Info, Process: history.NemesisProcess, F: f, Value: v})
}

func (n *Nemesis) startPartition(t int64, r *rand.Rand) {
	shape := Shapes[r.IntN(len(Shapes))]
	n.record(t, "start-partition", shape)
	g, _ := Grudge(shape, n.cfg.Nodes, r)
	n.ctl.Partition(g)
	now := n.cfg.Now()
	n.mu.Lock()
	if n.openPart < 0 {
		n.faults = append(n.faults, history.Interval{Kind: FaultPartition, Start: now, End: -1, Detail: shape + " " + describeGrudge(g)})
		n.openPart = len(n.faults) - 1
	}
	n.partShape = shape
	n.mu.Unlock()
	n.record(now, "start-partition", []any{"isolated", g})
	n.cfg.Logf("INFO [jepsen nemesis] maelstrom.nemesis: partition %s: %s", shape, describeGrudge(g))
}

func (n *Nemesis) stopPartition(t int64, _ *rand.Rand) {
	n.record(t, "stop-partition", nil)
	n.ctl.Heal()
	now := n.cfg.Now()
	n.mu.Lock()
	if n.openPart >= 0 {
		n.faults[n.openPart].End = now
		n.openPart = -1
	}
	n.partShape = ""
	n.mu.Unlock()
	n.record(now, "stop-partition", "network-healed")
}

// describeGrudge renders a drop table compactly: "n1<-{n0 n2} ...".
func describeGrudge(g map[string][]string) string {
	keys := make([]string, 0, len(g))
	for k, v := range g {
		if len(v) > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s<-{%s}", k, strings.Join(g[k], " "))
	}
	if len(keys) == 0 {
		return "(no links cut)"
	}
	return b.String()
}

func (n *Nemesis) kill(nodes []string, kind string) map[string]string {
	res := map[string]string{}
	for _, node := range nodes {
		if err := n.ctl.Kill(node); err != nil {
			res[node] = "error: " + err.Error()
			n.cfg.Logf("WARN [jepsen nemesis] maelstrom.nemesis: kill %s: %v", node, err)
			continue
		}
		res[node] = "killed"
		now := n.cfg.Now()
		n.mu.Lock()
		n.endPauseLocked(node, now)
		n.faults = append(n.faults, history.Interval{Kind: kind, Start: now, End: -1, Detail: node})
		n.openKill[node] = len(n.faults) - 1
		n.killedBy[node] = kind
		n.mu.Unlock()
	}
	return res
}

func (n *Nemesis) restart(nodes []string) map[string]string {
	res := map[string]string{}
	for _, node := range nodes {
		err := n.ctl.Restart(node)
		now := n.cfg.Now()
		n.mu.Lock()
		if i, ok := n.openKill[node]; ok {
			n.faults[i].End = now
			delete(n.openKill, node)
		}
		delete(n.killedBy, node)
		n.mu.Unlock()
		if err != nil {
			res[node] = "error: " + err.Error()
			n.cfg.Logf("WARN [jepsen nemesis] maelstrom.nemesis: restart %s: %v", node, err)
			continue
		}
		res[node] = "started"
	}
	return res
}

func (n *Nemesis) killOne(t int64, r *rand.Rand) {
	n.record(t, "kill", "one")
	var res map[string]string
	if node, ok := n.pick(n.ctl.Live(), r); !ok {
		res = map[string]string{}
	} else {
		res = n.kill([]string{node}, FaultKill)
	}
	n.record(n.cfg.Now(), "kill", res)
	n.cfg.Logf("INFO [jepsen nemesis] maelstrom.nemesis: kill %v", res)
}

// startKilled restarts the nodes the kill schedule killed.
func (n *Nemesis) startKilled(t int64, _ *rand.Rand) {
	n.record(t, "start", "all")
	res := n.restart(n.killedByKind(FaultKill))
	n.record(n.cfg.Now(), "start", res)
	n.cfg.Logf("INFO [jepsen nemesis] maelstrom.nemesis: start %v", res)
}

func (n *Nemesis) killedByKind(kind string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, node := range n.cfg.Nodes {
		if k, ok := n.killedBy[node]; ok && (kind == "" || k == kind) {
			out = append(out, node)
		}
	}
	return out
}

// killAll kills every live node at one uniformly random moment in
// [t0, cutoff), then starts them all again.
func (n *Nemesis) killAll(ctx context.Context, t0, cutoff int64, r *rand.Rand) {
	if cutoff <= t0 {
		return
	}
	at := t0 + r.Int64N(cutoff-t0)
	if !n.sleepUntil(ctx, at) {
		return
	}
	n.opMu.Lock()
	defer n.opMu.Unlock()
	t := n.cfg.Now()
	if t < at {
		t = at
	}
	n.record(t, "kill-all", "all")
	res := n.kill(n.ctl.Live(), FaultKillAll)
	n.record(n.cfg.Now(), "kill-all", res)
	n.cfg.Logf("INFO [jepsen nemesis] maelstrom.nemesis: kill-all %v", res)
	n.record(n.cfg.Now(), "start-all", "all")
	res = n.restart(n.killedByKind(FaultKillAll))
	n.record(n.cfg.Now(), "start-all", res)
	n.cfg.Logf("INFO [jepsen nemesis] maelstrom.nemesis: start-all %v", res)
}

// Final is the nemesis's final generator: with pause on, resume every paused
// node first; with partition on, one more stop-partition (always); with kill
// or kill-all on, start every node the nemesis killed.
func (n *Nemesis) Final() {
	n.opMu.Lock()
	defer n.opMu.Unlock()
	if n.on[FaultPause] {
		n.resumePaused(n.cfg.Now(), nil)
	}
	if n.on[FaultPartition] {
		n.stopPartition(n.cfg.Now(), nil)
	}
	if n.on[FaultKill] || n.on[FaultKillAll] {
		n.record(n.cfg.Now(), "start", "all")
		res := n.restart(n.killedByKind(""))
		n.record(n.cfg.Now(), "start", res)
	}
}

// Faults returns the fault intervals in start order; an interval still
// open ends at end.
func (n *Nemesis) Faults(end int64) []history.Interval {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := append([]history.Interval(nil), n.faults...)
	for i := range out {
		if out[i].End < 0 {
			out[i].End = end
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// Active describes the faults in force now, for progress lines ("" if
// none).
func (n *Nemesis) Active() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var parts []string
	if n.partShape != "" {
		parts = append(parts, "partition "+n.partShape)
	}
	var down []string
	for _, node := range n.cfg.Nodes {
		if _, ok := n.killedBy[node]; ok {
			down = append(down, node)
		}
	}
	if len(down) > 0 {
		parts = append(parts, "down "+strings.Join(down, ","))
	}
	if paused := n.pausedLocked(); len(paused) > 0 {
		parts = append(parts, "paused "+strings.Join(paused, ","))
	}
	return strings.Join(parts, "; ")
}
