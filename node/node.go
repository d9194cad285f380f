package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"broadcast/gossip"
	"broadcast/store"
)

// Node is one broadcast node: the Maelstrom adapter around a gossip.Core and
// a store.Log. Three goroutines: a reader (lines to decoded events), the
// owner (all state and the core's clock: it sleeps until the core's next
// deadline or the next event), and a writer (owns the output).
type Node struct {
	cfg Config
	tr  Transport

	inbox chan inEvent  // reader -> owner
	ticks chan struct{} // Tick -> owner (DisableTicker); capacity 1
	out   chan outLine  // owner -> writer; closed by the owner when it ends
	quit  chan struct{} // closed by Stop

	startOnce sync.Once
	stopOnce  sync.Once
	started   atomic.Bool
	aux       sync.WaitGroup // the reader and the liveness goroutine
	loopDone  chan struct{}  // closed when the owner goroutine has ended
	writeDone chan struct{}  // closed when the writer has flushed and ended

	// errMu protects runErr.
	errMu  sync.Mutex
	runErr error

	prefix atomic.Pointer[string] // log prefix: the node id once known

	stall stallWatch // stops of the process (stall.go)

	st state // owned by the owner goroutine (after Start)
}

// state is everything the owner goroutine owns.
type state struct {
	id      string
	peers   map[string]bool // node_ids, this node included
	core    *gossip.Core
	memOnly bool // DurabilityNone: values visible at once

	log       Log
	logDir    string
	logNotify <-chan struct{}
	logFailed bool // sticky: Open failed or Log.Err() was seen
	closing   bool // the log is being closed at shutdown

	visible *store.Set // values reads show (durable ones, or all in memory mode)
	reads   readCache  // the read_ok messages array of visible

	pending       []pendingBatch // appended, not yet durable; ascending seq
	pendingValues int            // values in pending

	gossipTo map[string]int // scratch of sendGossip: messages per peer in one Ready
}

// inEvent is one thing the reader hands to the owner.
type inEvent struct {
	msg     inMsg
	err     error // the line was unusable (not an envelope, too long) or reading failed
	arrived time.Time
	eof     bool
}

// clientReq identifies a request to answer.
type clientReq struct {
	from     string // our id to answer from (the request's dest before init)
	to       string
	typ      string
	msgID    int64
	hasMsgID bool
	arrived  time.Time
}

// New returns a node that will talk through tr. Call Run (or Start and
// Wait), and Stop to end it early.
func New(cfg Config, tr Transport) (*Node, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if tr == nil {
		return nil, fmt.Errorf("%w: nil transport", ErrConfig)
	}
	n := &Node{
		cfg:       cfg,
		tr:        tr,
		inbox:     make(chan inEvent, cfg.InboxSize),
		ticks:     make(chan struct{}, 1),
		out:       make(chan outLine, cfg.OutboxSize),
		quit:      make(chan struct{}),
		loopDone:  make(chan struct{}),
		writeDone: make(chan struct{}),
	}
	p := "-"
	n.prefix.Store(&p)
	n.st.visible = store.NewSet()
	n.st.memOnly = cfg.Durability == DurabilityNone
	return n, nil
}

// Run starts the node and blocks until its input ends (EOF) or Stop is
// called. It returns the first read or write error, nil on EOF or Stop.
func (n *Node) Run() error {
	n.Start()
	return n.Wait()
}

// Start starts the node's goroutines; later calls do nothing.
func (n *Node) Start() {
	n.startOnce.Do(func() {
		n.started.Store(true)
		n.stall.start(n.cfg.Now())
		n.aux.Add(2)
		go n.livenessLoop()
		go n.readLoop()
		go n.writeLoop()
		go n.ownerLoop()
	})
}

// Wait blocks until the node has ended (input EOF or Stop) and every
// goroutine is gone; it returns the first read or write error.
func (n *Node) Wait() error {
	if !n.started.Load() {
		return nil
	}
	<-n.writeDone
	n.aux.Wait()
	n.errMu.Lock()
	defer n.errMu.Unlock()
	return n.runErr
}

// Stop ends the node: input is closed, the store flushed and closed,
// queued output flushed; it waits for every goroutine. Safe to call twice,
// and before Start.
func (n *Node) Stop() {
	n.stopOnce.Do(func() {
		n.startOnce.Do(func() {}) // a Start after Stop does nothing
		close(n.quit)
		if err := n.tr.CloseInput(); err != nil {
			n.logf(LevelWarn, "close input: %v", err)
		}
	})
	_ = n.Wait()
}

// Tick asks the owner goroutine to tick the gossip core once (for drivers
// that set DisableTicker and keep the core's time themselves). It never
// blocks: if a tick is already waiting it returns false (the tick is
// dropped).
func (n *Node) Tick() bool {
	select {
	case n.ticks <- struct{}{}:
		return true
	default:
		return false
	}
}

func (n *Node) setErr(err error) {
	n.errMu.Lock()
	if n.runErr == nil {
		n.runErr = err
	}
	n.errMu.Unlock()
}

func (n *Node) logf(level Level, format string, args ...any) {
	if level > n.cfg.LogLevel {
		return
	}
	n.cfg.Logf("%s %s: "+format, append([]any{*n.prefix.Load(), level}, args...)...)
}

// readLoop turns input lines into events for the owner.
func (n *Node) readLoop() {
	defer n.aux.Done()
	var clock arrivalClock
	for {
		start := n.tr.InputOffset()
		line, err := n.tr.ReadLine(n.cfg.MaxLineBytes)
		ev := inEvent{arrived: n.arrival(&clock, start, n.cfg.Now())}
		var tooLong *LineTooLongError
		switch {
		case err == nil:
			if len(bytes.TrimSpace(line)) == 0 {
				continue // a blank line carries nothing
			}
			ev.msg, ev.err = decodeLine(line)
			if ev.err != nil {
				ev.err = fmt.Errorf("%w; line: %s", ev.err, abbrev(line))
			}
		case errors.As(err, &tooLong):
			ev.err = err
		default:
			ev.eof = true
			select {
			case <-n.quit: // CloseInput made the read fail: not an error
			default:
				if !errors.Is(err, io.EOF) {
					ev.err = fmt.Errorf("node: read input: %w", err)
					n.setErr(ev.err)
				}
			}
		}
		select {
		case n.inbox <- ev:
		case <-n.quit:
			return
		case <-n.loopDone:
			return
		}
		if ev.eof {
			return
		}
	}
}

// writeLoop owns the output: it writes every line the owner queues and
// flushes when nothing more is queued.
func (n *Node) writeLoop() {
	defer close(n.writeDone)
	var failed bool
	var scratch []byte
	write := func(line outLine) {
		if failed {
			return
		}
		if !line.latest.IsZero() {
			if now := n.cfg.Now(); now.After(line.latest) {
				n.logf(LevelWarn, "reply to %q suppressed at the writer: %v past its deadline (the process was stopped or starved after it was queued)", line.to, now.Sub(line.latest))
				return
			}
		}
		if err := n.writeOut(line, &scratch); err != nil {
			failed = true
			n.logf(LevelError, "write output: %v; every later line is discarded", err)
			n.setErr(fmt.Errorf("node: write output: %w", err))
		}
	}
	flush := func() {
		if failed {
			return
		}
		if err := n.tr.Flush(); err != nil {
			failed = true
			n.logf(LevelError, "flush output: %v; every later line is discarded", err)
			n.setErr(fmt.Errorf("node: flush output: %w", err))
		}
	}
	for line := range n.out {
		write(line)
	drain:
		for {
			select {
			case more, ok := <-n.out:
				if !ok {
					break drain
				}
				write(more)
			default:
				break drain
			}
		}
		flush()
	}
	flush()
}

// ownerLoop is the single goroutine that owns the node state. Unless
// DisableTicker is set it also keeps the core's time: before each event
// the core is advanced to the tick the event arrived at, and between
// events the loop sleeps until the core's next deadline (an idle node does
// not wake). When the deadline comes, the events that arrived before it
// are handled first: after a stall of the process (a loaded machine), a
// reply waiting in the inbox must count before a timeout fires.
func (n *Node) ownerLoop() {
	defer close(n.out)
	defer close(n.loopDone)
	start := n.cfg.Now()
	wake := time.NewTimer(time.Hour)
	defer wake.Stop()
	wake.Stop()
	clock := !n.cfg.DisableTicker
	// inbound handles one event; it reports false when the node stops.
	inbound := func(ev *inEvent) bool {
		if ev.eof {
			if ev.err != nil {
				n.logf(LevelError, "%v; stopping", ev.err)
			} else {
				n.logf(LevelInfo, "input ended; stopping")
			}
			n.shutdown()
			return false
		}
		if clock {
			n.advanceCore(start, ev.arrived)
		}
		n.handleEvent(ev)
		return true
	}
	for {
		if clock {
			n.armWake(wake, start)
		}
		select {
		case ev := <-n.inbox:
			if !inbound(&ev) {
				return
			}
		case <-wake.C:
			for drained := false; !drained; {
				select {
				case ev := <-n.inbox:
					if !inbound(&ev) {
						return
					}
				default:
					drained = true
				}
			}
			n.handleWake(start)
		case <-n.ticks:
			n.handleTick()
		case <-n.st.logNotify:
			n.processDurable()
		case <-n.quit:
			n.shutdown()
			return
		}
	}
}

// pendingPoll is how often the loop wakes, while replies wait for
// durability, to drop those past ClientReplyDeadline.
const pendingPoll = 100 * time.Millisecond

// coreTick returns the core's tick for real time t: whole TickIntervals
// since the loop started.
func (n *Node) coreTick(start, t time.Time) int64 {
	return int64(t.Sub(start) / n.cfg.TickInterval)
}

// advanceCore moves the core's clock to the tick of time t (an event's
// arrival) and sends the work that became due at once: the event may not
// touch the core (a read), and the deadline it served is gone from
// NextDeadline, so nothing else would send it before the next event that
// does. The core ignores a tick before its own.
func (n *Node) advanceCore(start, t time.Time) {
	if n.st.core != nil {
		n.st.core.Advance(n.coreTick(start, t))
		n.processReady()
	}
}

// handleWake runs when the core's deadline (or the pending poll) comes: it
// advances the core, sends what is due and drops replies past their
// deadline.
func (n *Node) handleWake(start time.Time) {
	if n.st.core == nil {
		return
	}
	n.stepCore(n.coreTick(start, n.cfg.Now()))
}

// armWake sets the timer to the core's next deadline, or the pending poll
// if that is sooner; with neither it stays stopped (an idle node sleeps).
func (n *Node) armWake(wake *time.Timer, start time.Time) {
	st := &n.st
	if !wake.Stop() {
		select {
		case <-wake.C:
		default:
		}
	}
	if st.core == nil {
		return
	}
	after, set := time.Duration(0), false
	if d := st.core.NextDeadline(); d != gossip.NoDeadline {
		after, set = start.Add(time.Duration(d)*n.cfg.TickInterval).Sub(n.cfg.Now()), true
	}
	if len(st.pending) > 0 && (!set || after > pendingPoll) {
		after, set = pendingPoll, true
	}
	if set {
		wake.Reset(max(after, 0))
	}
}

// shutdown flushes the store, answers what became durable, and reports
// what is left unanswered.
func (n *Node) shutdown() {
	st := &n.st
	if st.log != nil && !st.logFailed {
		st.closing = true // Err reports ErrClosed from now on: not a failure
		if err := st.log.Close(); err != nil {
			n.logf(LevelError, "close store %s: %v", st.logDir, err)
		}
		n.processDurable()
	} else if st.log != nil {
		_ = st.log.Close() // the failure was logged when it happened
	}
	waiting, reads := 0, 0
	for _, b := range st.pending {
		waiting += len(b.acks)
		reads += len(b.reads)
	}
	if waiting+reads > 0 {
		n.logf(LevelWarn, "stopping with %d broadcasts and %d reads waiting for values not yet durable: not answered", waiting, reads)
	}
}
