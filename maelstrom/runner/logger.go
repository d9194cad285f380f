package runner

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// logger writes jepsen.log in jepsen's pattern
// "%d{ISO8601}{GMT}\t%p\t[%t] %c: %m" and echoes warnings and milestones to
// the console. Messages may start with "INFO ", "WARN " or "ERROR " and
// then "[thread] logger: "; anything else is an INFO line of the test
// runner.
type logger struct {
	mu   sync.Mutex // protects w, closed
	f    *os.File
	w    *bufio.Writer
	term *terminal

	stop chan struct{}
	done chan struct{}
}

func newLogger(path string, term *terminal) (*logger, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	l := &logger{f: f, w: bufio.NewWriterSize(f, 256<<10), term: term, stop: make(chan struct{}), done: make(chan struct{})}
	go l.flusher()
	return l, nil
}

func (l *logger) flusher() {
	defer close(l.done)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.mu.Lock()
			if l.w != nil {
				l.w.Flush()
			}
			l.mu.Unlock()
		case <-l.stop:
			return
		}
	}
}

// split returns level and the "[thread] logger: message" part.
func split(msg string) (level, rest string) {
	level = "INFO"
	for _, lv := range []string{"INFO ", "WARN ", "ERROR "} {
		if strings.HasPrefix(msg, lv) {
			level, msg = strings.TrimSpace(lv), msg[len(lv):]
			break
		}
	}
	if !strings.HasPrefix(msg, "[") {
		msg = "[jepsen test runner] maelstrom.runner: " + msg
	}
	return level, msg
}

func (l *logger) write(level, rest string) {
	ts := time.Now().UTC().Format("2006-01-02 15:04:05,000")
	l.mu.Lock()
	if l.w != nil {
		l.w.WriteString(ts)
		l.w.WriteByte('\t')
		l.w.WriteString(level)
		l.w.WriteByte('\t')
		l.w.WriteString(rest)
		l.w.WriteByte('\n')
	}
	l.mu.Unlock()
}

// Logf logs to jepsen.log; WARN and ERROR lines also go to the console.
func (l *logger) Logf(format string, args ...any) {
	level, rest := split(fmt.Sprintf(format, args...))
	l.write(level, rest)
	if level != "INFO" {
		l.term.println(consoleCut(level + " " + rest))
	}
}

// consoleLineBytes bounds a warning's length on the console: a node's
// message quoted in a warning (an Invalid dest, a malformed line) can be a
// read_ok of hundreds of KB. jepsen.log keeps the whole line.
const consoleLineBytes = 2000

// consoleCut shortens s to consoleLineBytes for the console.
func consoleCut(s string) string {
	if len(s) <= consoleLineBytes {
		return s
	}
	return fmt.Sprintf("%s... (%d bytes in all; the whole line is in jepsen.log)", strings.ToValidUTF8(s[:consoleLineBytes], ""), len(s))
}

// Consolef logs to jepsen.log and prints the message on the console.
func (l *logger) Consolef(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	level, rest := split(msg)
	l.write(level, rest)
	if level == "INFO" {
		l.term.println(consoleCut(msg))
	} else {
		l.term.println(consoleCut(level + " " + msg[len(level)+1:]))
	}
}

func (l *logger) close() {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Flush()
	l.f.Close()
	l.w = nil
}

// terminal serialises console output with the progress line.
type terminal struct {
	mu       sync.Mutex // protects w, progress
	w        io.Writer
	tty      bool
	progress string // the progress line currently shown (TTY only)
}

func (t *terminal) println(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tty && t.progress != "" {
		fmt.Fprint(t.w, "\r\033[K")
	}
	fmt.Fprintln(t.w, s)
	if t.tty && t.progress != "" {
		fmt.Fprint(t.w, t.progress)
	}
}

// status shows a progress line: in place on a TTY, as a plain line
// otherwise.
func (t *terminal) status(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tty {
		t.progress = s
		fmt.Fprint(t.w, "\r\033[K"+s)
		return
	}
	fmt.Fprintln(t.w, s)
}

// clear removes the progress line.
func (t *terminal) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tty && t.progress != "" {
		fmt.Fprint(t.w, "\r\033[K")
	}
	t.progress = ""
}
