package node

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Transport is what the node needs from the outside world: inbound lines
// and a place to put outbound lines. The node reads from one goroutine and
// writes from another, so an implementation must allow one ReadLine to run
// concurrently with WriteLine/Flush (but no two calls of the same side).
type Transport interface {
	// ReadLine returns the next inbound line without its newline. The slice
	// is valid until the next ReadLine. A line longer than max bytes is
	// consumed up to its newline and discarded: ReadLine then returns a
	// *LineTooLongError. At the end of input it returns io.EOF.
	ReadLine(max int) ([]byte, error)
	// WriteLine queues one outbound line; the transport adds the newline.
	// The node keeps ownership of line.
	WriteLine(line []byte) error
	// Flush pushes every queued line out.
	Flush() error
	// InputOffset returns how many bytes of input ReadLine has consumed so
	// far: every line with its newline, blank and discarded lines included.
	// Called from the reading goroutine only.
	InputOffset() int64
	// InputReceived returns the input offset up to which input has been
	// received: consumed, buffered by the transport, or waiting in the OS
	// (as far as the transport can tell). Unlike InputOffset it may be
	// called from any goroutine, concurrently with ReadLine.
	InputReceived() int64
	// CloseInput ends the input: a blocked or later ReadLine returns soon
	// (io.EOF or an error). Writing keeps working. Safe to call twice.
	CloseInput() error
}

// LineTooLongError reports an inbound line over the cap; it was discarded.
type LineTooLongError struct {
	// Len is the discarded line's length in bytes, without its newline.
	Len int64
	// Max is the cap that was exceeded.
	Max int
}

// Error implements error.
func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("node: inbound line of %d bytes exceeds the %d-byte cap; discarded", e.Len, e.Max)
}

var (
	_ Transport       = (*Stdio)(nil)
	_ Transport       = (*Mem)(nil)
	_ linePartsWriter = (*Stdio)(nil)
)

// Stdio is the Transport over a byte stream pair (os.Stdin, os.Stdout):
// newline-framed, no 64 KiB line limit, buffered output.
type Stdio struct {
	r      io.Reader
	pulled countingReader // r, counting the bytes taken from it
	br     *bufio.Reader
	// line accumulates a line that spans more than one buffer fill.
	line []byte
	// pendingErr is an error seen after the last line of input, returned by
	// the next ReadLine.
	pendingErr error
	off        int64 // bytes consumed by ReadLine
	w          *bufio.Writer
	closeOnce  sync.Once
}

// NewStdio returns a Transport reading lines from r and writing them to w.
// CloseInput closes r if it is an io.Closer (an *os.File must be pollable,
// for example a pipe opened non-blocking, for that to interrupt a read).
func NewStdio(r io.Reader, w io.Writer) *Stdio {
	s := &Stdio{r: r, w: bufio.NewWriterSize(w, 64<<10)}
	s.pulled.r = r
	s.br = bufio.NewReaderSize(&s.pulled, 64<<10)
	return s
}

// countingReader counts the bytes read through it, readably from any
// goroutine. inRead is set for the length of each Read: bytes a read has
// taken from the OS are in n only once it clears.
type countingReader struct {
	r      io.Reader
	n      atomic.Int64
	inRead atomic.Bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.inRead.Store(true)
	k, err := c.r.Read(p)
	c.n.Add(int64(k))
	c.inRead.Store(false)
	return k, err
}

// ReadLine implements Transport.
func (s *Stdio) ReadLine(max int) ([]byte, error) {
	if s.pendingErr != nil {
		return nil, s.pendingErr
	}
	if cap(s.line) > 1<<20 {
		s.line = nil // do not keep a huge buffer after one huge line
	}
	s.line = s.line[:0]
	var total int64
	first := true
	for {
		frag, err := s.br.ReadSlice('\n')
		s.off += int64(len(frag))
		full := len(frag) > 0 && frag[len(frag)-1] == '\n'
		if full {
			frag = frag[:len(frag)-1]
		}
		total += int64(len(frag))
		if full && first && total <= int64(max) {
			return trimCR(frag), nil // common case: the whole line in one fill, no copy
		}
		first = false
		if total <= int64(max) {
			s.line = append(s.line, frag...)
		}
		switch {
		case full:
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil:
			if total == 0 {
				return nil, err
			}
			s.pendingErr = err // the last line had no newline: return it first
		}
		if total > int64(max) {
			s.line = s.line[:0]
			return nil, &LineTooLongError{Len: total, Max: max}
		}
		return trimCR(s.line), nil
	}
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// InputOffset implements Transport.
func (s *Stdio) InputOffset() int64 { return s.off }

// InputReceived implements Transport: what was taken from the input, plus
// what the OS holds if the input is a file that can tell (a pipe:
// FIONREAD). The OS is asked first and the count read after, with no read
// in progress: a read in between makes the figure too high, never too
// low. A read in progress may have taken bytes not yet counted, or may be
// parked waiting for input (it took nothing): after receivedWait it is
// taken to be parked.
func (s *Stdio) InputReceived() int64 {
	deadline := time.Now().Add(receivedWait)
	for {
		waiting := osWaiting(s.r)
		if !s.pulled.inRead.Load() || time.Now().After(deadline) {
			return s.pulled.n.Load() + waiting
		}
		time.Sleep(receivedWait / 20)
	}
}

// receivedWait bounds how long InputReceived waits for a read in progress:
// far longer than a read that has data takes to return.
const receivedWait = 2 * time.Millisecond

// WriteLine implements Transport.
func (s *Stdio) WriteLine(line []byte) error {
	if _, err := s.w.Write(line); err != nil {
		return err
	}
	return s.w.WriteByte('\n')
}

// writeLineParts writes one line made of parts, without assembling it.
func (s *Stdio) writeLineParts(parts ...[]byte) error {
	for _, p := range parts {
		if _, err := s.w.Write(p); err != nil {
			return err
		}
	}
	return s.w.WriteByte('\n')
}

// Flush implements Transport.
func (s *Stdio) Flush() error { return s.w.Flush() }

// CloseInput implements Transport.
func (s *Stdio) CloseInput() error {
	var err error
	s.closeOnce.Do(func() {
		if c, ok := s.r.(io.Closer); ok {
			err = c.Close()
		}
	})
	return err
}

// Mem is the in-memory Transport twin for tests and simulations: the test
// side delivers inbound lines with Deliver and takes flushed outbound lines
// with Next.
type Mem struct {
	// mu protects in, inClosed, staged, out.
	mu       sync.Mutex
	in       [][]byte
	inClosed bool
	held     bool     // Hold: ReadLine waits, as a stopped process does not read
	off      int64    // bytes consumed by ReadLine (lines with newlines)
	staged   [][]byte // written but not yet flushed
	out      [][]byte // flushed, not yet taken by Next
	inReady  chan struct{}
	outReady chan struct{}
}

// NewMem returns an empty in-memory transport.
func NewMem() *Mem {
	return &Mem{inReady: make(chan struct{}, 1), outReady: make(chan struct{}, 1)}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Deliver queues an inbound line (copied; without its newline). Lines
// delivered after CloseInput are dropped.
func (m *Mem) Deliver(line []byte) {
	m.mu.Lock()
	if !m.inClosed {
		m.in = append(m.in, append([]byte(nil), line...))
	}
	m.mu.Unlock()
	signal(m.inReady)
}

// ReadLine implements Transport.
func (m *Mem) ReadLine(max int) ([]byte, error) {
	for {
		m.mu.Lock()
		if len(m.in) > 0 && !m.held {
			line := m.in[0]
			m.in[0] = nil
			m.in = m.in[1:]
			m.off += int64(len(line)) + 1
			m.mu.Unlock()
			if len(line) > max {
				return nil, &LineTooLongError{Len: int64(len(line)), Max: max}
			}
			return line, nil
		}
		closed := m.inClosed
		m.mu.Unlock()
		if closed {
			return nil, io.EOF
		}
		<-m.inReady
	}
}

// InputOffset implements Transport.
func (m *Mem) InputOffset() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.off
}

// InputReceived implements Transport: the lines read and the delivered
// lines not yet read, each with a newline.
func (m *Mem) InputReceived() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.off
	for _, l := range m.in {
		n += int64(len(l)) + 1
	}
	return n
}

// Hold makes ReadLine wait, as a stopped process does not read: lines
// delivered meanwhile queue until Release.
func (m *Mem) Hold() {
	m.mu.Lock()
	m.held = true
	m.mu.Unlock()
}

// Release ends a Hold: the queued lines are read again.
func (m *Mem) Release() {
	m.mu.Lock()
	m.held = false
	m.mu.Unlock()
	signal(m.inReady)
}

// CloseInput implements Transport: ReadLine returns io.EOF once the lines
// already delivered are read.
func (m *Mem) CloseInput() error {
	m.mu.Lock()
	m.inClosed = true
	m.mu.Unlock()
	signal(m.inReady)
	return nil
}

// WriteLine implements Transport.
func (m *Mem) WriteLine(line []byte) error {
	m.mu.Lock()
	m.staged = append(m.staged, append([]byte(nil), line...))
	m.mu.Unlock()
	return nil
}

// Flush implements Transport.
func (m *Mem) Flush() error {
	m.mu.Lock()
	m.out = append(m.out, m.staged...)
	m.staged = m.staged[:0:0]
	m.mu.Unlock()
	signal(m.outReady)
	return nil
}

// ErrNoLine reports that no outbound line was flushed before Next's timeout.
var ErrNoLine = errors.New("node: no outbound line before the timeout")

// Next returns the next flushed outbound line, waiting up to timeout.
func (m *Mem) Next(timeout time.Duration) ([]byte, error) {
	var timer *time.Timer
	for {
		m.mu.Lock()
		if len(m.out) > 0 {
			line := m.out[0]
			m.out[0] = nil
			m.out = m.out[1:]
			m.mu.Unlock()
			if timer != nil {
				timer.Stop()
			}
			return line, nil
		}
		m.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(timeout)
		}
		select {
		case <-m.outReady:
		case <-timer.C:
			return nil, ErrNoLine
		}
	}
}

// Pending returns the flushed outbound lines not yet taken, and takes them.
func (m *Mem) Pending() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.out
	m.out = nil
	return out
}
