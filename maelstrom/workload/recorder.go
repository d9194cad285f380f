package workload

import (
	"sync"
	"sync/atomic"
	"time"

	"broadcast/maelstrom/history"
)

// recorderQueue bounds the ops recorded but not yet observed. A full queue
// makes Add wait (the observers are behind), which bounds the memory the
// read values in flight can hold.
const recorderQueue = 256

// Recorder is the run's history: it assigns indexes in record order and
// hands every op, in index order, to its observers (the history files, the
// online checker, and whatever else is registered), from one goroutine of
// its own. It keeps no op. Safe for concurrent use.
type Recorder struct {
	observers []history.Observer

	mu     sync.Mutex // protects next, closed; held while enqueuing, so the queue is in index order
	next   int
	closed bool
	queue  chan recorded
	done   chan struct{}

	invokes, oks, fails, infos atomic.Int64
	blocked                    atomic.Int64 // ns Add spent waiting for a full queue
}

// recorded is one queue entry: an op, or a sync marker.
type recorded struct {
	op   history.Op
	sync chan struct{}
}

// NewRecorder returns an empty history that hands its ops to observers, in
// the order given.
func NewRecorder(observers ...history.Observer) *Recorder {
	r := &Recorder{
		observers: append([]history.Observer(nil), observers...),
		queue:     make(chan recorded, recorderQueue),
		done:      make(chan struct{}),
	}
	go r.deliver()
	return r
}

func (r *Recorder) deliver() {
	defer close(r.done)
	for it := range r.queue {
		if it.sync != nil {
			close(it.sync)
			continue
		}
		for _, o := range r.observers {
			o.Observe(it.op)
		}
	}
}

// Add records op, assigning its Index, and returns it. Observers see it
// soon after, in index order. Ops added after Close are dropped.
func (r *Recorder) Add(op history.Op) history.Op {
	if op.Process != history.NemesisProcess {
		switch op.Type {
		case history.Invoke:
			r.invokes.Add(1)
		case history.OK:
			r.oks.Add(1)
		case history.Fail:
			r.fails.Add(1)
		case history.Info:
			r.infos.Add(1)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	op.Index = r.next
	if r.closed {
		return op
	}
	r.next++
	select {
	case r.queue <- recorded{op: op}:
	default:
		t0 := time.Now()
		r.queue <- recorded{op: op}
		r.blocked.Add(int64(time.Since(t0)))
	}
	return op
}

// Blocked returns how long Add has waited, in all, for the observers to
// catch up (a full queue).
func (r *Recorder) Blocked() time.Duration { return time.Duration(r.blocked.Load()) }

// Sync waits until the observers have seen every op added so far.
func (r *Recorder) Sync() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		<-r.done
		return
	}
	ch := make(chan struct{})
	r.queue <- recorded{sync: ch}
	r.mu.Unlock()
	<-ch
}

// Close waits until the observers have seen every op, and stops the
// recorder. It is safe to call more than once.
func (r *Recorder) Close() {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
	r.mu.Unlock()
	<-r.done
}

// Len returns the number of ops recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.next
}

// Counts returns client invocations and ok/fail/info completions so far.
func (r *Recorder) Counts() (invokes, oks, fails, infos int64) {
	return r.invokes.Load(), r.oks.Load(), r.fails.Load(), r.infos.Load()
}
