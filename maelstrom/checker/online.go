package checker

import (
	"errors"

	"broadcast/maelstrom/checker/staleness"

	"broadcast/maelstrom/history"
)

// Online is the whole checker, fed the history one op at a time in index
// order (it is a history.Observer), and finished once the run is over. It
// keeps per broadcast value a few op positions, per op its Index and Time,
// per client completion a Span and, for ok ones, a latency; it never keeps
// a read's values. Each part that panics on an op (a history it cannot make
// sense of) stops there and becomes {valid? unknown, error ...}, as jepsen's
// check-safe makes a throwing checker; the others go on.
//
// Not safe for concurrent use: the recorder calls Observe from one
// goroutine.
type Online struct {
	cfg Config

	wl    *setFull
	stats *statsPart
	avail availabilityPart
	net   netPart
	exc   exceptionsPart
	bench *benchPart

	// stale computes the staleness figures from the read misses.
	stale *staleness.Tracker
	hook  ReadMissFunc // OnReadMiss's, besides stale's

	// A part's error, once it panicked; the part then gets no more ops.
	wlErr, statsErr, availErr, netErr, excErr, staleErr string
	benchFailed                                         bool
}

var _ history.Observer = (*Online)(nil)

// NewOnline returns a checker that has seen no op.
func NewOnline(cfg Config) *Online {
	c := &Online{cfg: cfg, wl: newSetFull(), stats: newStatsPart(), bench: newBenchPart(),
		stale: staleness.New(cfg.Nodes)}
	c.wl.onMiss = func(node string, invoke int64, missed []int64) {
		if c.staleErr == "" {
			safe(&c.staleErr, func() { c.stale.Missed(node, invoke, missed) })
		}
		if c.hook != nil {
			c.hook(node, invoke, missed)
		}
	}
	return c
}

// OnReadMiss registers fn to receive, for every ok read completion, the
// acknowledged values the read lacks (see ReadMissFunc). Register before
// the first op. The computation is a word-wise and-not of the acknowledged
// set and the read's bitmap, then a time check on the values left.
func (c *Online) OnReadMiss(fn ReadMissFunc) { c.hook = fn }

// Observe feeds one op, the next in index order.
func (c *Online) Observe(op history.Op) {
	pos := c.wl.note(&op)
	if c.wlErr == "" {
		safe(&c.wlErr, func() { c.wl.observe(&op, pos) })
	}
	if c.statsErr == "" {
		safe(&c.statsErr, func() { c.stats.observe(&op) })
	}
	if c.availErr == "" {
		safe(&c.availErr, func() { c.avail.observe(&op) })
	}
	if c.netErr == "" {
		safe(&c.netErr, func() { c.net.observe(&op) })
	}
	if c.excErr == "" {
		safe(&c.excErr, func() { c.exc.observe(&op) })
	}
	if !c.benchFailed {
		var e string
		safe(&e, func() { c.bench.observe(&op) })
		c.benchFailed = e != ""
	}
	if c.staleErr == "" {
		safe(&c.staleErr, func() { c.stale.Op(op) })
	}
}

// Final is what the checker needs once the run is over.
type Final struct {
	// Net holds the network counters.
	Net history.Net
	// Faults are the fault intervals, in start order.
	Faults []history.Interval
	// Resolve returns whole ops by position (the order ops were fed, from
	// 0), read back from the history files; the checker calls it once, for
	// the ops :worst-stale shows (at most 24).
	Resolve Resolver
}

// Finish judges what was fed and returns the results; the top-level
// verdict merges the parts (false beats unknown beats true).
func (c *Online) Finish(fin Final) Results {
	res := Results{
		Perf:     Perf{Valid: Valid, LatencyGraphValid: Valid, RateGraphValid: Valid},
		Timeline: Timeline{Valid: Valid},
	}
	res.Exceptions.Error = c.excErr
	if c.excErr == "" {
		res.Exceptions = c.exc.result()
	}
	res.Stats.Error = c.statsErr
	if c.statsErr == "" {
		res.Stats = c.stats.result()
	}
	res.Availability.Error = c.availErr
	if c.availErr == "" {
		res.Availability = c.avail.result(c.cfg.Availability)
	}
	res.Net.Error = c.netErr
	if c.netErr == "" {
		res.Net = c.net.result(fin.Net)
	}
	res.Workload.Error = c.wlErr
	if c.wlErr == "" {
		resolve := fin.Resolve
		if resolve == nil {
			resolve = func([]int) ([]history.Op, error) { return nil, errors.New("no history to read ops back from") }
		}
		safe(&res.Workload.Error, func() { res.Workload = c.wl.judge(resolve) })
	}
	res.Valid = Merge(res.Perf.Valid, res.Timeline.Valid, res.Exceptions.Valid,
		res.Stats.Valid, res.Availability.Valid, res.Net.Valid, res.Workload.Valid)

	var mainSeconds float64
	if c.cfg.Params != nil {
		mainSeconds = c.cfg.Params.TimeLimit
	}
	if !c.benchFailed {
		var e string
		safe(&e, func() { res.Bench = c.bench.result(fin.Faults, mainSeconds) })
		res.Spans, res.LastTime = c.bench.spans, c.bench.last
	}
	for _, f := range fin.Faults {
		res.LastTime = max(res.LastTime, f.Start, f.End)
	}
	res.Bench.StalenessError = c.staleErr
	if c.staleErr == "" {
		f := c.stale.Figures()
		res.Bench.Staleness = &f
	}
	res.Bench.AvailabilityThreshold = c.cfg.Availability
	if c.cfg.Params != nil {
		p := *c.cfg.Params
		res.Bench.Params = &p
	}
	return res
}
