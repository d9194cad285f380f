package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"broadcast/maelstrom/netsim"
)

// FileName is the journal's name in a run directory.
const FileName = "messages.journal"

// magic opens every journal file.
const magic = "maelstrom-journal 2\n"

// Record kinds.
const (
	kindName    = 'N'
	kindSend    = 'S'
	kindDeliver = 'D'
	kindDrop    = 'X'
	kindLost    = 'L'
)

// Config configures a Writer.
type Config struct {
	// ChunkBytes is the size of one in-memory chunk handed to the writing
	// goroutine (default 256 KiB). Larger: fewer writes, more memory.
	ChunkBytes int
	// MaxPending is how many full chunks may wait for the disk (default 64,
	// so 16 MiB at the default chunk size) before events are dropped from
	// the journal (and counted) rather than block the network.
	MaxPending int
	// FlushEvery is how often the partial chunk is written (default
	// 250 ms), so that a run in progress can be viewed.
	FlushEvery time.Duration
	// MaxBodyBytes is how much of a message body is kept (default 4 KiB);
	// the body's full length is always recorded. Late in a long run a
	// read_ok carries hundreds of KB, all of it in the history already:
	// kept whole, the journal of a 5-minute run at rate 500 is 11 GB.
	// Higher: longer bodies in the diagram's tooltips, a larger file.
	MaxBodyBytes int
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{ChunkBytes: 256 << 10, MaxPending: 64, FlushEvery: 250 * time.Millisecond, MaxBodyBytes: 4 << 10}
}

func (c *Config) validate() error {
	d := DefaultConfig()
	if c.ChunkBytes < 0 || c.MaxPending < 0 || c.FlushEvery < 0 || c.MaxBodyBytes < 0 {
		return fmt.Errorf("journal: negative setting in %+v", *c)
	}
	if c.ChunkBytes == 0 {
		c.ChunkBytes = d.ChunkBytes
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	if c.MaxPending == 0 {
		c.MaxPending = d.MaxPending
	}
	if c.FlushEvery == 0 {
		c.FlushEvery = d.FlushEvery
	}
	return nil
}

// Stats is what a Writer wrote.
type Stats struct {
	// Events counts the send, deliver and drop events written.
	Events int64
	// Lost counts events left out because the disk fell behind.
	Lost int64
	// Bytes is the file's size.
	Bytes int64
}

// Writer writes a journal file; it implements netsim.Journal. Create it
// with Create; its methods are safe for concurrent use.
type Writer struct {
	cfg  Config
	f    *os.File
	full chan []byte    // chunks for the writing goroutine
	pool chan []byte    // recycled chunks
	kick chan struct{}  // capacity 1: flush the partial chunk now
	done chan struct{}  // closed by Close
	wg   sync.WaitGroup // the writing goroutine

	mu      sync.Mutex // protects the fields below
	cur     []byte     // the chunk being filled
	names   map[string]uint64
	events  int64
	lost    int64 // events dropped, not yet reported in the file
	lostAll int64
	closed  bool

	errMu sync.Mutex // protects err, written
	err   error
	wrote int64
}

var _ netsim.Journal = (*Writer)(nil)

// Create creates (or truncates) the journal file at path and starts its
// writing goroutine.
func Create(path string, cfg Config) (*Writer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	w := &Writer{cfg: cfg, f: f, full: make(chan []byte, cfg.MaxPending), pool: make(chan []byte, 4),
		kick: make(chan struct{}, 1), done: make(chan struct{}), names: map[string]uint64{}}
	w.cur = append(make([]byte, 0, cfg.ChunkBytes), magic...)
	w.wg.Add(1)
	go w.loop()
	return w, nil
}

// loop is the writing goroutine: it writes full chunks as they come and
// the partial one every FlushEvery, until Close.
func (w *Writer) loop() {
	defer w.wg.Done()
	t := time.NewTicker(w.cfg.FlushEvery)
	defer t.Stop()
	for {
		select {
		case c := <-w.full:
			w.write(c)
		case <-t.C:
			w.flushPartial()
		case <-w.done:
			for {
				select {
				case c := <-w.full:
					w.write(c)
				default:
					w.flushPartial()
					return
				}
			}
		}
	}
}

// flushPartial takes the partial chunk (if any) and writes it.
func (w *Writer) flushPartial() {
	w.mu.Lock()
	c := w.cur
	if len(c) == 0 {
		w.mu.Unlock()
		return
	}
	w.cur = w.newChunk()
	w.mu.Unlock()
	w.write(c)
}

func (w *Writer) write(c []byte) {
	n, err := w.f.Write(c)
	w.errMu.Lock()
	w.wrote += int64(n)
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("journal: %w", err)
	}
	w.errMu.Unlock()
	select {
	case w.pool <- c[:0]:
	default:
	}
}

// newChunk returns an empty chunk; w.mu is held.
func (w *Writer) newChunk() []byte {
	select {
	case c := <-w.pool:
		return c
	default:
		return make([]byte, 0, w.cfg.ChunkBytes)
	}
}

// reserveLocked makes room for n more bytes in the current chunk, handing a
// full one to the writing goroutine. It reports false (and counts the
// event lost) if the writing goroutine is MaxPending chunks behind.
func (w *Writer) reserveLocked(n int) bool {
	if w.closed {
		return false
	}
	if len(w.cur)+n <= cap(w.cur) || len(w.cur) == 0 {
		return true
	}
	select {
	case w.full <- w.cur:
		w.cur = w.newChunk()
		return true
	default:
		w.lost++
		w.lostAll++
		return false
	}
}

// noteLostLocked writes the pending lost count, once there is room again.
func (w *Writer) noteLostLocked() {
	if w.lost > 0 {
		w.cur = append(w.cur, kindLost)
		w.cur = binary.AppendUvarint(w.cur, uint64(w.lost))
		w.lost = 0
	}
}

// nameLocked returns name's index, writing a name record if it is new.
func (w *Writer) nameLocked(name []byte) uint64 {
	if i, ok := w.names[string(name)]; ok {
		return i
	}
	i := uint64(len(w.names))
	w.names[string(name)] = i
	w.cur = append(w.cur, kindName)
	w.cur = binary.AppendUvarint(w.cur, i)
	w.cur = binary.AppendUvarint(w.cur, uint64(len(name)))
	w.cur = append(w.cur, name...)
	return i
}

// Send records a send (netsim.Journal).
func (w *Writer) Send(id, sent, due int64, src, dest, body []byte) {
	full := len(body)
	if full > w.cfg.MaxBodyBytes {
		body = body[:w.cfg.MaxBodyBytes]
	}
	need := 1 + 6*binary.MaxVarintLen64 + len(body) + 2*(1+2*binary.MaxVarintLen64) + len(src) + len(dest) + 11
	w.mu.Lock()
	if w.reserveLocked(need) {
		w.noteLostLocked()
		s, d := w.nameLocked(src), w.nameLocked(dest)
		c := append(w.cur, kindSend)
		c = binary.AppendUvarint(c, uint64(id))
		c = binary.AppendUvarint(c, uint64(sent))
		c = binary.AppendUvarint(c, uint64(due))
		c = binary.AppendUvarint(c, s)
		c = binary.AppendUvarint(c, d)
		c = binary.AppendUvarint(c, uint64(full))
		c = binary.AppendUvarint(c, uint64(len(body)))
		w.cur = append(c, body...)
		w.events++
	}
	w.mu.Unlock()
}

// Deliver records a hand-over (netsim.Journal).
func (w *Writer) Deliver(id, at int64) {
	w.mu.Lock()
	if w.reserveLocked(1 + 2*binary.MaxVarintLen64 + 11) {
		w.noteLostLocked()
		c := append(w.cur, kindDeliver)
		c = binary.AppendUvarint(c, uint64(id))
		w.cur = binary.AppendUvarint(c, uint64(at))
		w.events++
	}
	w.mu.Unlock()
}

// Drop records a drop (netsim.Journal).
func (w *Writer) Drop(id, at int64, why netsim.DropReason) {
	w.mu.Lock()
	if w.reserveLocked(2 + 2*binary.MaxVarintLen64 + 11) {
		w.noteLostLocked()
		c := append(w.cur, kindDrop)
		c = binary.AppendUvarint(c, uint64(id))
		c = binary.AppendUvarint(c, uint64(at))
		w.cur = append(c, byte(why))
		w.events++
	}
	w.mu.Unlock()
}

// ErrClosed is returned by a second Close.
var ErrClosed = errors.New("journal: writer already closed")

// Close writes everything buffered, closes the file and returns what was
// written. Events reported after Close are ignored.
func (w *Writer) Close() (Stats, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return Stats{}, ErrClosed
	}
	w.noteLostLocked()
	w.closed = true
	ev, lost := w.events, w.lostAll
	w.mu.Unlock()
	close(w.done)
	w.wg.Wait()
	err := w.f.Close()
	w.errMu.Lock()
	defer w.errMu.Unlock()
	if w.err != nil {
		err = w.err
	}
	return Stats{Events: ev, Lost: lost, Bytes: w.wrote}, err
}
