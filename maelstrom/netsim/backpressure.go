package netsim

import (
	"io"
	"syscall"
)

// stallWriter writes to a node's stdin and notes whether a write had to wait
// because the pipe was full: the node is not reading (paused, or slow). An
// ideal simulator's delivery thread would wait in that write too (Maelstrom
// writes each message and blocks on a full pipe), so the wait is
// back-pressure the model contains, not lateness of the bench. Only the
// delivery goroutine that owns the sink uses it.
type stallWriter struct {
	rc      syscall.RawConn // nil: w is not a pollable file; stalls go unseen
	w       io.Writer
	stalled bool // a write waited for room since the flag was last cleared
}

func newStallWriter(w io.Writer) *stallWriter {
	sw := &stallWriter{w: w}
	if sc, ok := w.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			sw.rc = rc
		}
	}
	return sw
}

// Write writes all of b. On a pollable pipe a full pipe makes write(2)
// return EAGAIN; the runtime then parks the goroutine until the pipe has
// room, and the stall is noted.
func (s *stallWriter) Write(b []byte) (int, error) {
	if s.rc == nil {
		return s.w.Write(b)
	}
	n := 0
	var werr error
	err := s.rc.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, e := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			switch e {
			case nil:
			case syscall.EINTR:
			case syscall.EAGAIN:
				s.stalled = true
				return false
			default:
				werr = e
				return true
			}
		}
		return true
	})
	if werr == nil {
		werr = err
	}
	return n, werr
}

// takeStall reports whether a write stalled since the last call, and clears
// the flag.
func (s *stallWriter) takeStall() bool {
	if s == nil || !s.stalled {
		return false
	}
	s.stalled = false
	return true
}
