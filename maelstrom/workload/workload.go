package workload

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/netsim"
)

// Client is one Maelstrom client, as netsim.Client.
type Client interface {
	ID() string
	Call(dest string, body any, timeout time.Duration) (netsim.Message, int64, error)
	Close()
}

// Config configures a Workload.
type Config struct {
	// Nodes are the servers in test order; thread t talks to
	// Nodes[t mod N].
	Nodes []string
	// Concurrency is C, the number of worker threads.
	Concurrency int
	// Rate is R, ops/s over all workers (0: no main-phase ops).
	Rate float64
	// TimeLimit: ops are only issued before t0 + TimeLimit.
	TimeLimit time.Duration
	// RPCTimeout is every workload RPC's timeout (Maelstrom: 5 s).
	RPCTimeout time.Duration
	// Seed drives the op mix and the gaps.
	Seed uint64
	// Open opens a new client (the network's next c<k> id).
	Open func() Client
	// Rec is the history.
	Rec *Recorder
	// Now is the run's relative clock in ns.
	Now func() int64
	// Logf receives log lines.
	Logf func(format string, args ...any)
}

// DefaultConfig returns Maelstrom's defaults: rate 5, 60 s, 5 s timeouts.
func DefaultConfig() Config {
	return Config{Rate: 5, TimeLimit: 60 * time.Second, RPCTimeout: 5 * time.Second}
}

func (c *Config) validate() error {
	if len(c.Nodes) == 0 {
		return errors.New("workload: no nodes")
	}
	if c.Concurrency < 1 {
		return fmt.Errorf("workload: concurrency %d must be at least 1", c.Concurrency)
	}
	if c.Rate < 0 {
		return fmt.Errorf("workload: rate %v must be non-negative", c.Rate)
	}
	if c.TimeLimit <= 0 {
		return fmt.Errorf("workload: time limit %v must be positive", c.TimeLimit)
	}
	if c.RPCTimeout <= 0 {
		c.RPCTimeout = 5 * time.Second
	}
	if c.Open == nil || c.Rec == nil {
		return errors.New("workload: Open and Rec are required")
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

// Workload runs the client side of a broadcast test. Create it with New.
type Workload struct {
	cfg     Config
	sched   *Schedule
	workers []*worker
	done    chan int // thread ids of completed ops
	free    []bool
	nFree   int
	cursor  int
	onGap   func(int64) // test hook: each drawn gap
	stats   ScheduleStats
}

// ScheduleStats says how well the main phase kept to its schedule: where
// the op rate falls short of --rate, whether the ops waited for a free
// worker (the nodes are slow) or were issued late (the bench or the machine
// is slow).
type ScheduleStats struct {
	// Issued is the number of main-phase ops issued.
	Issued int64 `json:"issued"`
	// WaitedForWorker counts ops that found no free worker when due.
	WaitedForWorker int64 `json:"waited-for-worker"`
	// LagNS sums, over issued ops, how late each was issued after its due
	// time (its wait for a worker included); MaxLagNS is the largest.
	LagNS    int64 `json:"lag-ns"`
	MaxLagNS int64 `json:"max-lag-ns"`
}

type worker struct {
	thread  int
	process int
	node    string
	client  Client
	replace bool // open a new client before the next op (after :info)
	ops     chan task
}

type task struct {
	inv history.Op
	req any
}

// New returns a workload with C idle workers.
func New(cfg Config) (*Workload, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte("workload"))
	w := &Workload{
		cfg:   cfg,
		sched: NewSchedule(cfg.Rate, rand.New(rand.NewPCG(cfg.Seed, h.Sum64()))),
		done:  make(chan int, cfg.Concurrency),
		free:  make([]bool, cfg.Concurrency),
		nFree: cfg.Concurrency,
	}
	for t := 0; t < cfg.Concurrency; t++ {
		w.free[t] = true
		wk := &worker{thread: t, process: t, node: cfg.Nodes[t%len(cfg.Nodes)], ops: make(chan task, 1)}
		w.workers = append(w.workers, wk)
		go w.run(wk)
	}
	return w, nil
}

// run executes one worker's ops until Close.
func (w *Workload) run(wk *worker) {
	for t := range wk.ops {
		reply, msgID, err := wk.client.Call(wk.node, t.req, w.cfg.RPCTimeout)
		comp := Complete(t.inv, reply, msgID, err, w.cfg.Now())
		w.cfg.Rec.Add(comp)
		if comp.Type == history.Info {
			wk.process += w.cfg.Concurrency
			wk.replace = true
		}
		w.done <- wk.thread
	}
}

// markDone records one completion from the done channel.
func (w *Workload) markDone(t int) {
	w.free[t] = true
	w.nFree++
}

// dispatch gives op to free worker t at time at (the invocation's time).
// The worker's client is opened (or replaced after :info) here, in dispatch
// order, so client ids are deterministic.
func (w *Workload) dispatch(t int, op Op, at int64, final bool) {
	wk := w.workers[t]
	if wk.client == nil || wk.replace {
		if wk.client != nil {
			wk.client.Close()
		}
		wk.client = w.cfg.Open()
		wk.replace = false
	}
	inv := history.Op{Time: at, Type: history.Invoke, Process: wk.process, F: op.F, Final: final, Node: wk.node}
	if op.F == "broadcast" {
		inv.Value = op.Value
	}
	inv = w.cfg.Rec.Add(inv)
	w.free[t] = false
	w.nFree--
	wk.ops <- task{inv: inv, req: Request(op)}
}

// pickFree returns the next free worker round-robin, or -1.
func (w *Workload) pickFree() int {
	n := len(w.workers)
	for i := 0; i < n; i++ {
		t := (w.cursor + i) % n
		if w.free[t] {
			w.cursor = (t + 1) % n
			return t
		}
	}
	return -1
}

// waitUntil waits until relative time t, marking completions as they
// arrive; false if ctx ended.
func (w *Workload) waitUntil(ctx context.Context, t int64) bool {
	for {
		d := time.Duration(t - w.cfg.Now())
		if d <= 0 {
			return ctx.Err() == nil
		}
		timer := time.NewTimer(d)
		select {
		case th := <-w.done:
			timer.Stop()
			w.markDone(th)
		case <-timer.C:
			return ctx.Err() == nil
		case <-ctx.Done():
			timer.Stop()
			return false
		}
	}
}

// Main runs the main phase from t0 (the first op's time) and returns the
// cutoff t0 + TimeLimit once every worker is idle again. Ops follow one
// global schedule: each is scheduled a gap uniform on [0, 2/R) after the
// previous one was issued, waits for a free worker if none is (no
// catch-up), and is only issued before the cutoff.
func (w *Workload) Main(ctx context.Context, t0 int64) int64 {
	cutoff := t0 + int64(w.cfg.TimeLimit)
	if w.cfg.Rate == 0 {
		w.waitUntil(ctx, cutoff)
		w.drain()
		return cutoff
	}
	next := t0
	for ctx.Err() == nil && next < cutoff {
		if !w.waitUntil(ctx, next) {
			break
		}
		t := w.pickFree()
		if t < 0 {
			w.stats.WaitedForWorker++
			// No free worker: wait for one, or the cutoff.
			timer := time.NewTimer(time.Duration(cutoff - w.cfg.Now()))
			select {
			case th := <-w.done:
				timer.Stop()
				w.markDone(th)
			case <-timer.C:
			case <-ctx.Done():
				timer.Stop()
			}
			if t = w.pickFree(); t < 0 {
				break
			}
		}
		at := w.cfg.Now()
		if at < next {
			at = next
		}
		if at >= cutoff {
			break
		}
		lag := w.cfg.Now() - next
		w.stats.Issued++
		w.stats.LagNS += max(0, lag)
		w.stats.MaxLagNS = max(w.stats.MaxLagNS, lag)
		w.dispatch(t, w.sched.Next(), at, false)
		gap := w.sched.Gap()
		if w.onGap != nil {
			w.onGap(gap)
		}
		next = at + gap
	}
	w.drain()
	return cutoff
}

// Stats returns the main phase's schedule figures; call it after Main.
func (w *Workload) Stats() ScheduleStats { return w.stats }

// drain waits until every worker is idle.
func (w *Workload) drain() {
	for w.nFree < len(w.workers) {
		w.markDone(<-w.done)
	}
}

// Final performs exactly one final read per worker thread (thread t reads
// node t mod N), all issued at once, and waits for them.
func (w *Workload) Final(ctx context.Context) {
	w.drain()
	for t := range w.workers {
		w.dispatch(t, Op{F: "read"}, w.cfg.Now(), true)
	}
	w.drain()
}

// Close stops the workers and closes their clients. Call it once every
// worker is idle.
func (w *Workload) Close() {
	for _, wk := range w.workers {
		close(wk.ops)
		if wk.client != nil {
			wk.client.Close()
		}
	}
}
