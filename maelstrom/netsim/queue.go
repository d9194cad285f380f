package netsim

import "sync"

// item is one message waiting in a server's queue.
type item struct {
	deadline int64 // relative-clock ns when it is due
	sent     int64 // relative-clock ns when it was sent
	id       int64 // envelope id; breaks deadline ties in send order
	srcIdx   int32 // sending server's index, -1 for a client
	typ      int32 // body type's slot (typeTable), -1 if a client is involved
	line     *[]byte
}

func (a *item) before(b *item) bool {
	if a.deadline != b.deadline {
		return a.deadline < b.deadline
	}
	return a.id < b.id
}

// queue is a receiver's deadline-ordered priority queue (a binary heap),
// safe for many producers and one consumer.
type queue struct {
	mu     sync.Mutex // protects items, closed
	items  []item
	closed bool
	notify chan struct{} // capacity 1: "something was pushed or closed"
}

func newQueue() *queue { return &queue{notify: make(chan struct{}, 1)} }

func (q *queue) push(it item) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, it)
	q.up(len(q.items) - 1)
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// pop removes the earliest item, waiting for one; false once closed.
func (q *queue) pop() (item, bool) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return item{}, false
		}
		if len(q.items) > 0 {
			it := q.items[0]
			last := len(q.items) - 1
			q.items[0] = q.items[last]
			q.items[last] = item{}
			q.items = q.items[:last]
			if last > 0 {
				q.down(0)
			}
			q.mu.Unlock()
			return it, true
		}
		q.mu.Unlock()
		<-q.notify
	}
}

// dueBy reports whether the earliest item is due at or before t.
func (q *queue) dueBy(t int64) bool {
	q.mu.Lock()
	ok := len(q.items) > 0 && q.items[0].deadline <= t
	q.mu.Unlock()
	return ok
}

// close wakes the consumer and drops everything queued.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.items = nil
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

func (q *queue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !q.items[i].before(&q.items[p]) {
			return
		}
		q.items[i], q.items[p] = q.items[p], q.items[i]
		i = p
	}
}

func (q *queue) down(i int) {
	n := len(q.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && q.items[r].before(&q.items[l]) {
			m = r
		}
		if !q.items[m].before(&q.items[i]) {
			return
		}
		q.items[i], q.items[m] = q.items[m], q.items[i]
		i = m
	}
}
