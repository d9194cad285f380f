package netsim

import (
	"bufio"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"broadcast/maelstrom/history"
)

// NodeState says what a server's delivery goroutine does with messages it
// takes off the queue.
type NodeState int32

// Server states.
const (
	// Up: deliver everything.
	Up NodeState = iota
	// Down: the process was killed by the nemesis; every message taken off
	// the queue is dropped (recorded as sent, never as received).
	Down
	// InitOnly: the process was restarted and has not answered init yet;
	// messages from clients are delivered, messages from servers dropped, so
	// that init is the first line a restarted node reads.
	InitOnly
)

// Net is the simulated network. Create it with New.
type Net struct {
	cfg   Config
	epoch time.Time

	lastID    atomic.Int64 // last envelope id handed out; starts at -1
	clientSeq atomic.Int64 // next client number

	regMu   sync.Mutex                // serialises registry writers; protects servers, senders
	reg     atomic.Pointer[registry]  // copy-on-write id -> endpoint
	servers []*server                 // by index, append-only
	senders map[string]*Sender        // by node id
	grudge  atomic.Pointer[grudgeMap] // current partition, for reports

	clients, srv counters
	dropped      atomic.Int64
	types        typeTable
	series       series

	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

type endpoint struct {
	srv *server
	cli *Client
}

func (e endpoint) quoted() []byte {
	if e.srv != nil {
		return e.srv.quoted
	}
	return e.cli.quoted
}

type registry struct{ m map[string]endpoint }

type grudgeMap map[string][]string

// server is one registered server node and its delivery goroutine.
type server struct {
	id      string
	idx     int32
	quoted  []byte
	q       *queue
	state   atomic.Int32
	blocked atomic.Pointer[[]bool] // by sender index: drop messages from it
	sink    atomic.Pointer[sinkBox]
	late    lockedHist
}

type sinkBox struct {
	w  io.Writer
	sw *stallWriter // wraps w; nil when w is nil
}

// New returns a network configured by cfg, or ErrLatency for latency
// settings Maelstrom cannot start with.
func New(cfg Config) (*Net, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n := &Net{cfg: cfg, epoch: cfg.Epoch, senders: map[string]*Sender{}, done: make(chan struct{})}
	n.lastID.Store(-1)
	n.series.width = int64(cfg.SeriesWidth)
	n.reg.Store(&registry{m: map[string]endpoint{}})
	return n, nil
}

// SetLogf replaces the log function (for a logger created after the
// network). Call it before any traffic.
func (n *Net) SetLogf(logf func(format string, args ...any)) {
	if logf != nil {
		n.cfg.Logf = logf
	}
}

// SetJournal makes j the message journal (Config.Journal), for a journal
// created after the network, e.g. in the run directory. Call it before any
// traffic.
func (n *Net) SetJournal(j Journal) { n.cfg.Journal = j }

// Now returns the run's relative clock in nanoseconds.
func (n *Net) Now() int64 { return int64(time.Since(n.epoch)) }

// Epoch returns the zero of the relative clock.
func (n *Net) Epoch() time.Time { return n.epoch }

func (n *Net) register(id string, e endpoint) {
	old := n.reg.Load().m
	m := make(map[string]endpoint, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[id] = e
	n.reg.Store(&registry{m: m})
}

func (n *Net) unregister(id string) {
	old := n.reg.Load().m
	m := make(map[string]endpoint, len(old))
	for k, v := range old {
		if k != id {
			m[k] = v
		}
	}
	n.reg.Store(&registry{m: m})
}

// AddServer registers a server id and starts its delivery goroutine. Until
// Attach gives it a writer, delivered messages are discarded (as writes to a
// process that is not there).
func (n *Net) AddServer(id string) error {
	n.regMu.Lock()
	defer n.regMu.Unlock()
	if _, ok := n.reg.Load().m[id]; ok {
		return fmt.Errorf("netsim: %s is already registered", id)
	}
	s := &server{id: id, idx: int32(len(n.servers)), quoted: quote(id), q: newQueue()}
	n.servers = append(n.servers, s)
	n.register(id, endpoint{srv: s})
	n.wg.Add(1)
	go n.deliver(s)
	return nil
}

func (n *Net) server(id string) *server {
	e, ok := n.reg.Load().m[id]
	if !ok || e.srv == nil {
		return nil
	}
	return e.srv
}

// Attach makes w the stdin that server id's messages are written to, e.g.
// after a (re)start. Buffered bytes meant for the previous writer are
// discarded.
func (n *Net) Attach(id string, w io.Writer) {
	if s := n.server(id); s != nil {
		sb := &sinkBox{w: w}
		if w != nil {
			sb.sw = newStallWriter(w)
		}
		s.sink.Store(sb)
	}
}

// SetState sets what server id's delivery goroutine does (Up, Down,
// InitOnly).
func (n *Net) SetState(id string, st NodeState) {
	if s := n.server(id); s != nil {
		s.state.Store(int32(st))
	}
}

// Partition replaces the drop table: grudge maps a receiving server to the
// servers whose messages it drops. Client traffic is never dropped.
func (n *Net) Partition(grudge map[string][]string) {
	n.regMu.Lock()
	defer n.regMu.Unlock()
	g := grudgeMap{}
	for _, s := range n.servers {
		var blocked []bool
		for _, from := range grudge[s.id] {
			if f := n.server(from); f != nil {
				if blocked == nil {
					blocked = make([]bool, len(n.servers))
				}
				blocked[f.idx] = true
				g[s.id] = append(g[s.id], from)
			}
		}
		if blocked == nil {
			s.blocked.Store(nil)
		} else {
			s.blocked.Store(&blocked)
		}
	}
	n.grudge.Store(&g)
}

// Heal empties the drop table.
func (n *Net) Heal() { n.Partition(nil) }

// Partitioned reports whether any link is cut now.
func (n *Net) Partitioned() bool {
	g := n.grudge.Load()
	return g != nil && len(*g) > 0
}

// Sender returns the sender for messages read from node's stdout; one per
// node id, kept across restarts, with its own latency random stream.
func (n *Net) Sender(node string) *Sender {
	n.regMu.Lock()
	defer n.regMu.Unlock()
	if s, ok := n.senders[node]; ok {
		return s
	}
	h := fnv.New64a()
	h.Write([]byte(node))
	s := &Sender{n: n, node: node, rng: rand.New(rand.NewPCG(n.cfg.Seed, h.Sum64()))}
	n.senders[node] = s
	return s
}

// Sender injects the lines one node prints on stdout into the network.
type Sender struct {
	n    *Net
	node string
	mu   sync.Mutex // protects rng
	rng  *rand.Rand
}

// SendLine parses one stdout line (without its newline) and sends it. A
// non-nil error (ErrNotJSON, ErrMalformed, ErrBody, ErrInvalidSource,
// ErrInvalidDest) means the reader must stop (MODEL.md, "Fatal output"); the error text is
// Maelstrom's explanation.
func (s *Sender) SendLine(line []byte) error {
	env, err := parseEnvelope(line)
	if err != nil {
		switch {
		case errors.Is(err, ErrNotJSON):
			return fmt.Errorf("%w: Node %s printed a line to STDOUT which was not well-formed JSON:\n%s\nDid you mean to encode this line as JSON? Or was this line intended for STDERR? See doc/protocol.md for more guidance.", err, s.node, line)
		case errors.Is(err, ErrBody):
			return fmt.Errorf("%w: node %s sent a message whose body cannot be read as a map: %s", err, s.node, line)
		default:
			return fmt.Errorf("Malformed network message. Node %s tried to send the following message via STDOUT:\n\n%s\n\nThis is malformed because:\n\n%w\n\nSee doc/protocol.md for more guidance.", s.node, line, err)
		}
	}
	_, err = s.n.send(env.src, env.dest, env.body, s)
	return err
}

func (s *Sender) draw() int64 {
	s.mu.Lock()
	v := drawLatency(s.rng, s.n.cfg.Dist, s.n.cfg.Latency)
	s.mu.Unlock()
	return v
}

// isClientID is Maelstrom's client? test: the id starts with 'c'.
func isClientID(id []byte) bool { return len(id) > 0 && id[0] == 'c' }

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// send routes one message: it takes the next envelope id, checks src and
// dest, records the send, draws the latency and queues the message.
func (n *Net) send(src, dest, body []byte, from *Sender) (int64, error) {
	id := n.lastID.Add(1)
	reg := n.reg.Load()
	se, ok := reg.m[string(src)]
	if !ok {
		return id, fmt.Errorf("%w for message {:id %d, :src %q, :dest %q, :body %s}", ErrInvalidSource, id, src, dest, bodyText(body))
	}
	de, ok := reg.m[string(dest)]
	if !ok {
		return id, fmt.Errorf("%w for message {:id %d, :src %q, :dest %q, :body %s}", ErrInvalidDest, id, src, dest, bodyText(body))
	}
	now := n.Now()
	involvesClient := isClientID(src) || isClientID(dest)
	var lat int64
	if involvesClient {
		n.clients.send.Add(1)
		n.series.add(now, seriesClient)
	} else {
		n.srv.send.Add(1)
		n.series.add(now, seriesServer)
		if from != nil {
			lat = from.draw()
		}
	}
	typ := int32(-1)
	if !involvesClient {
		typ = n.types.slot(body)
		n.types.sent(typ, n.Partitioned())
	}
	due := now + lat*int64(time.Millisecond)
	if j := n.cfg.Journal; j != nil {
		j.Send(id, now, due, src, dest, body)
	}
	if de.cli != nil {
		m := Message{ID: id, Src: string(src), Dest: de.cli.id, Body: appendBody(nil, body)}
		if n.cfg.LogSend {
			n.cfg.Logf(":send %s", appendDelivery(nil, id, se.quoted(), de.quoted(), body))
		}
		de.cli.deliver(m)
		if j := n.cfg.Journal; j != nil {
			// Latency to a client is 0: it is in the client's inbox now.
			j.Deliver(id, now)
		}
		return id, nil
	}
	buf := bufPool.Get().(*[]byte)
	*buf = appendDelivery((*buf)[:0], id, se.quoted(), de.srv.quoted, body)
	if n.cfg.LogSend {
		n.cfg.Logf(":send %s", (*buf)[:len(*buf)-1])
	}
	srcIdx := int32(-1)
	if se.srv != nil && !involvesClient {
		srcIdx = se.srv.idx
	}
	de.srv.q.push(item{deadline: due, sent: now, id: id, srcIdx: srcIdx, typ: typ, line: buf})
	return id, nil
}

func bodyText(b []byte) string {
	if b == nil {
		return "{}"
	}
	return string(b)
}

// down reports whether it must be dropped because of the server's state:
// Down drops everything, InitOnly everything from servers.
func (s *server) down(it item) bool {
	st := NodeState(s.state.Load())
	return st == Down || (st == InitOnly && it.srcIdx >= 0)
}

// drop records a dropped message and recycles its buffer.
func (n *Net) drop(now int64, it item, why DropReason) {
	if j := n.cfg.Journal; j != nil {
		j.Drop(it.id, now, why)
	}
	n.dropped.Add(1)
	if it.typ >= 0 {
		n.types.dropped(it.typ)
	}
	n.series.add(now, seriesDropped)
	bufPool.Put(it.line)
}

// truncMS returns d (ns) truncated to whole milliseconds, 0 if negative:
// Maelstrom's (Thread/sleep (long dt-ms)).
func truncMS(d int64) int64 {
	if d <= 0 {
		return 0
	}
	return d - d%int64(time.Millisecond)
}

// deliver is server s's delivery goroutine (MODEL.md, "Delivery"): take the earliest
// message, check the drop table, sleep the time left until its deadline
// truncated to whole milliseconds (so a message can be handed over up to
// 1 ms early, as in Maelstrom), record it as received, write it. Writes are buffered and flushed whenever nothing else
// is due.
func (n *Net) deliver(s *server) {
	defer n.wg.Done()
	if n.cfg.ThreadPerServer {
		// Like Maelstrom's delivery thread: an OS thread of its own that
		// sleeps in the kernel (nanosleep, microsecond precision) instead of
		// on the Go runtime's timers (millisecond netpoll granularity).
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	var cur *sinkBox
	bw := bufio.NewWriterSize(io.Discard, 64<<10)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var ideal int64 // modelled hand-over time of the previous message
	// afterWrite: when a write waited on a full pipe (back-pressure from a
	// node that is not reading), an ideal simulator's thread would have
	// waited in that write too, so the next hand-over is modelled from the
	// moment the write returned.
	afterWrite := func() {
		if cur != nil && cur.sw.takeStall() {
			ideal = max(ideal, n.Now())
		}
	}
	for {
		// Flush unless another message can be handed over right away
		// (one whose deadline is less than 1 ms off: no sleep).
		if bw.Buffered() > 0 && !s.q.dueBy(n.Now()+int64(time.Millisecond)-1) {
			bw.Flush()
			afterWrite()
		}
		it, ok := s.q.pop()
		if !ok {
			bw.Flush()
			return
		}
		now := n.Now()
		why := DropReason(0)
		if s.down(it) {
			why = DropDown
		} else if it.srcIdx >= 0 {
			if b := s.blocked.Load(); b != nil && (*b)[it.srcIdx] {
				why = DropPartition
			}
		}
		if why != 0 {
			n.drop(now, it, why)
			continue
		}
		if sleep := truncMS(it.deadline - now); sleep > 0 {
			wake := now + sleep
			if bw.Buffered() > 0 {
				bw.Flush()
				afterWrite()
			}
			if d := wake - n.Now(); d > 0 {
				if n.cfg.ThreadPerServer {
					n.nanosleepUntil(wake)
				} else {
					timer.Reset(time.Duration(d))
					select {
					case <-timer.C:
					case <-n.done:
						timer.Stop()
					}
				}
			}
		}
		now = n.Now()
		if s.down(it) {
			// Killed (or restarted) while this message waited for its
			// deadline: it was meant for the old process.
			n.drop(now, it, DropDown)
			continue
		}
		// The bench's own lateness: against the time an ideal simulator
		// would hand this message over. It takes the message off the queue
		// when it is sent, or when the previous message was handed over if
		// it was already queued behind it (Maelstrom's head-of-line wait is
		// modelled, not the bench's fault), then sleeps the remaining time
		// truncated to whole milliseconds, as Maelstrom does.
		take := it.sent
		if ideal > take {
			take = ideal
		}
		due := take + truncMS(it.deadline-take)
		ideal = due
		s.late.add(now - due)
		if it.srcIdx >= 0 { // srcIdx is -1 exactly when a client is involved
			n.srv.recv.Add(1)
			n.types.delivered(it.typ)
		} else {
			n.clients.recv.Add(1)
		}
		if n.cfg.LogRecv {
			n.cfg.Logf(":recv %s", (*it.line)[:len(*it.line)-1])
		}
		if j := n.cfg.Journal; j != nil {
			j.Deliver(it.id, now)
		}
		if sb := s.sink.Load(); sb != cur {
			cur = sb
			if sb == nil || sb.w == nil {
				bw.Reset(io.Discard)
			} else {
				bw.Reset(sb.sw)
			}
		}
		bw.Write(*it.line) // a dead node's pipe fails silently (MODEL.md, "Crashes")
		bufPool.Put(it.line)
		afterWrite()
	}
}

// nanosleepUntil sleeps the calling OS thread until relative time wake, in
// slices of at most 50 ms so that Close is never held up for long.
func (n *Net) nanosleepUntil(wake int64) {
	for {
		d := wake - n.Now()
		if d <= 0 {
			return
		}
		select {
		case <-n.done:
			return
		default:
		}
		if d > int64(50*time.Millisecond) {
			d = int64(50 * time.Millisecond)
		}
		ts := syscall.NsecToTimespec(d)
		syscall.Nanosleep(&ts, nil)
	}
}

// Close stops every delivery goroutine and waits for them. Messages still
// queued are never delivered (MODEL.md, "Loss").
func (n *Net) Close() {
	n.once.Do(func() {
		close(n.done)
		n.regMu.Lock()
		servers := append([]*server(nil), n.servers...)
		n.regMu.Unlock()
		for _, s := range servers {
			s.q.close()
		}
		n.wg.Wait()
	})
}

// Stats is what the network recorded.
type Stats struct {
	// Net holds the :net counters.
	Net history.Net
	// Series is the message-rate series in SeriesWidth buckets.
	Series      []history.Sample
	SeriesWidth int64
	// Dropped counts server messages dropped by partitions or dead nodes.
	Dropped int64
	// Lateness is the bench's own hand-over lateness over all servers.
	Lateness Lateness
	// ByType counts the server-to-server messages by body type, most
	// sent first.
	ByType []TypeCount
}

// Stats returns the counters so far (final once Close has returned).
func (n *Net) Stats() Stats {
	c, s := n.clients.snapshot(), n.srv.snapshot()
	st := Stats{
		Net: history.Net{
			All:     history.Counts{Send: c.Send + s.Send, Recv: c.Recv + s.Recv, Msg: c.Msg + s.Msg},
			Clients: c,
			Servers: s,
		},
		Series:      n.series.snapshot(),
		SeriesWidth: n.series.width,
		Dropped:     n.dropped.Load(),
		ByType:      n.types.snapshot(),
	}
	st.Lateness = n.LatenessHistogram().Summary()
	return st
}

// LatenessHistogram returns the merged lateness histogram of all servers.
func (n *Net) LatenessHistogram() *Histogram {
	var h Histogram
	n.regMu.Lock()
	servers := append([]*server(nil), n.servers...)
	n.regMu.Unlock()
	for _, sv := range servers {
		sv.late.mergeInto(&h)
	}
	return &h
}

// Sent returns how many messages were sent so far (all groups).
func (n *Net) Sent() int64 { return n.clients.send.Load() + n.srv.send.Load() }

// QueuedFor returns how many messages wait in server id's queue.
func (n *Net) QueuedFor(id string) int {
	if s := n.server(id); s != nil {
		return s.q.len()
	}
	return 0
}
