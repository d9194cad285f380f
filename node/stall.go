package node

import (
	"os"
	ossignal "os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// This file holds the rule "a request that waited while the process was
// stopped counts from the stop": after a SIGSTOP (or a stall long enough
// to look like one), the input that was already waiting when the process
// ran again is stamped as having arrived when the stop began, so the reply
// deadline (ClientReplyDeadline) drops the replies that could reach a
// client that has given up (doc.go, "Stops and stalls").
//
// The start of a stop is known from a liveness stamp: the time the process
// last showed it was running (a beat of the liveness goroutine every
// LivenessInterval, or a line read). A stop began at most one interval
// after the stamp, so the stamp errs early: a waiting request is judged a
// little older than it is, never younger.

// stallWatch records the stops and stalls of the process. alive is written
// by the liveness goroutine and the reader; the stall record by whichever
// notices a stall first; the reader takes the record.
type stallWatch struct {
	base  time.Time    // the clock at Start; stamps are offsets from it
	alive atomic.Int64 // latest liveness stamp, ns since base
	epoch atomic.Uint64

	// mu protects began, seen and backlogEnd.
	mu    sync.Mutex
	began time.Time // start of the latest stall
	seen  time.Time // when the latest stall was noticed
	// backlogEnd is the input offset (Transport.InputReceived) up to
	// which input was waiting when the latest stall was first noticed.
	backlogEnd int64
}

func (w *stallWatch) start(now time.Time) {
	w.base = now
	w.alive.Store(0)
}

// stamp records that the process runs at now.
func (w *stallWatch) stamp(now time.Time) {
	d := int64(now.Sub(w.base))
	for {
		old := w.alive.Load()
		if d <= old || w.alive.CompareAndSwap(old, d) {
			return
		}
	}
}

// aliveAt returns the latest liveness stamp.
func (w *stallWatch) aliveAt() time.Time {
	return w.base.Add(time.Duration(w.alive.Load()))
}

// note records a stall that began at began and was noticed at now, when
// input up to offset received had arrived. A stall noticed within merge of
// the latest one is the same stall (the SIGCONT, the liveness goroutine
// and the reader may each notice one stop): it keeps the earlier start and
// the first notice's backlog (later input may be fresh). It reports
// whether the stall is new.
func (w *stallWatch) note(began, now time.Time, merge time.Duration, received int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.epoch.Load() > 0 && now.Sub(w.seen) < merge {
		if began.Before(w.began) {
			w.began = began
		}
		w.seen = now
		return false
	}
	w.began, w.seen, w.backlogEnd = began, now, received
	w.epoch.Add(1)
	return true
}

// latest returns the number of stalls noted, the start of the latest and
// the input offset up to which input waited at it.
func (w *stallWatch) latest() (epoch uint64, began time.Time, backlogEnd int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.epoch.Load(), w.began, w.backlogEnd
}

// stallMerge is the window in which two notices are one stall.
func (n *Node) stallMerge() time.Duration { return 2 * n.cfg.LivenessInterval }

// livenessLoop stamps the liveness every LivenessInterval (unless
// DisableTicker: a driver that keeps the time stamps by its input) and
// turns resume events (SIGCONT, or Config.Resumes) into stall records. It
// ends when the owner goroutine does.
func (n *Node) livenessLoop() {
	defer n.aux.Done()
	resumes := n.cfg.Resumes
	var sig chan os.Signal
	if resumes == nil {
		sig = make(chan os.Signal, 1)
		ossignal.Notify(sig, syscall.SIGCONT)
		defer ossignal.Stop(sig)
	}
	var beat <-chan time.Time
	if !n.cfg.DisableTicker {
		t := time.NewTicker(n.cfg.LivenessInterval)
		defer t.Stop()
		beat = t.C
	}
	w := &n.stall
	for {
		select {
		case <-beat:
			now := n.cfg.Now()
			if prev := w.aliveAt(); now.Sub(prev) > n.stallMerge() {
				n.noteStall(prev, now, "the liveness stamp")
			}
			w.stamp(now)
		case <-sig:
			n.resumed("SIGCONT")
		case _, ok := <-resumes:
			if !ok {
				resumes = nil
				continue
			}
			n.resumed("a resume event")
		case <-n.loopDone:
			return
		}
	}
}

// resumed records the stop that just ended: it began at the last stamp.
func (n *Node) resumed(by string) {
	now := n.cfg.Now()
	n.noteStall(n.stall.aliveAt(), now, by)
	n.stall.stamp(now)
}

// noteStall records a stall and logs it once.
func (n *Node) noteStall(began, now time.Time, by string) {
	received := n.tr.InputReceived() // at once: later input may be fresh
	if n.stall.note(began, now, n.stallMerge(), received) {
		n.logf(LevelInfo, "resumed after a stop of up to %v (noticed by %s): input waiting now counts from %s", now.Sub(began).Round(time.Millisecond), by, began.Format("15:04:05.000"))
	}
}

// arrivalClock stamps inbound lines for the reader goroutine: the time the
// line was read, or, for a line that was already waiting when a stall was
// noticed, the stall's start.
type arrivalClock struct {
	epoch      uint64
	backlogEnd int64 // input offset up to which input waited at the stall
	began      time.Time
}

// arrival returns the arrival time of the line read from input offset
// start (its first byte) at now.
func (n *Node) arrival(c *arrivalClock, start int64, now time.Time) time.Time {
	w := &n.stall
	if !n.cfg.DisableTicker {
		if prev := w.aliveAt(); now.Sub(prev) > n.stallMerge() {
			n.noteStall(prev, now, "the reader")
		}
	}
	w.stamp(now)
	if w.epoch.Load() != c.epoch {
		c.epoch, c.began, c.backlogEnd = w.latest()
	}
	if start < c.backlogEnd && c.began.Before(now) {
		return c.began
	}
	return now
}
