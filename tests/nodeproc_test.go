package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"broadcast/maelstrom/procstat"
)

// nodeProc is one built node process driven directly through its pipes, as
// Maelstrom drives it: every client's requests are lines on the one stdin
// (the network multiplexes them there), replies come back on stdout and are
// routed by dest.
type nodeProc struct {
	t      testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr string // path of the stderr file

	// mu protects w: several clients write whole lines.
	mu sync.Mutex
	w  *bufio.Writer

	// routes maps a client id to the channel its replies go to; fixed
	// before start. Lines to anyone else (gossip to peers) are dropped.
	routes   map[string]chan reply
	done     chan struct{} // closed when stdout has ended
	stopOnce sync.Once
}

// reply is what a client needs of one reply line.
type reply struct {
	inReplyTo int64
	typ       string
	bytes     int
	at        time.Time
}

// startNode starts the built node with clients' reply channels (buffered
// by the caller) and stops it at cleanup.
func startNode(t testing.TB, routes map[string]chan reply, env []string, args ...string) *nodeProc {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(filepath.Join(binDir, "broadcast"), append([]string{"-data-dir", filepath.Join(dir, "data")}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "TMPDIR=" + dir}, env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &nodeProc{t: t, cmd: cmd, stdin: stdin, w: bufio.NewWriterSize(stdin, 64<<10), stderr: filepath.Join(dir, "stderr"), routes: routes, done: make(chan struct{})}
	errf, err := os.Create(p.stderr)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = errf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	errf.Close() // the child has its own copy
	go p.readLoop(stdout)
	t.Cleanup(p.stop)
	return p
}

// readLoop routes reply lines to their clients. It reads only the envelope
// fields it needs (the node writes dest first, in_reply_to last).
func (p *nodeProc) readLoop(stdout io.Reader) {
	defer close(p.done)
	r := bufio.NewReaderSize(stdout, 1<<20)
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			whole := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				line, err = r.ReadSlice('\n')
				whole = append(whole, line...)
			}
			line = whole
		}
		if len(line) > 0 {
			p.route(line)
		}
		if err != nil {
			return
		}
	}
}

func (p *nodeProc) route(line []byte) {
	dest := field(line, `"dest":"`, '"')
	ch := p.routes[string(dest)]
	if ch == nil {
		return
	}
	rep := reply{typ: string(field(line, `"type":"`, '"')), bytes: len(line), at: time.Now(), inReplyTo: -1}
	if i := bytes.LastIndex(line, []byte(`"in_reply_to":`)); i >= 0 {
		rest := line[i+len(`"in_reply_to":`):]
		j := bytes.IndexAny(rest, ",}")
		if j > 0 {
			rep.inReplyTo, _ = strconv.ParseInt(string(rest[:j]), 10, 64)
		}
	}
	ch <- rep
}

// field returns the bytes after the first key up to end.
func field(line []byte, key string, end byte) []byte {
	i := bytes.Index(line, []byte(key))
	if i < 0 {
		return nil
	}
	rest := line[i+len(key):]
	if j := bytes.IndexByte(rest, end); j >= 0 {
		return rest[:j]
	}
	return nil
}

// send writes one line to the node's stdin and flushes it.
func (p *nodeProc) send(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format, args...)
	p.w.WriteByte('\n')
	if err := p.w.Flush(); err != nil {
		p.t.Errorf("write to the node: %v", err)
	}
}

// status samples the node process.
func (p *nodeProc) status() procstat.Sample {
	p.t.Helper()
	s, err := procstat.Read("/proc", p.cmd.Process.Pid)
	if err != nil {
		p.t.Fatalf("sample the node: %v", err)
	}
	return s
}

// stop closes stdin and waits for the node to exit; safe to call twice.
func (p *nodeProc) stop() { p.stopOnce.Do(p.stopNow) }

func (p *nodeProc) stopNow() {
	p.stdin.Close()
	waited := make(chan error, 1)
	go func() { waited <- p.cmd.Wait() }()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-waited
		p.t.Errorf("the node did not exit within 10 s of its input closing")
	}
	<-p.done
}

// goroutines makes the node dump its goroutines (SIGQUIT; the node runs
// with GOTRACEBACK=all) and exit, and returns those running the node's own
// code (the runtime's own goroutines come and go with GC), each named by
// its innermost function of ours; one running on another thread at the
// signal has no stack to show and counts as ours.
func (p *nodeProc) goroutines() []string {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		p.t.Fatal(err)
	}
	// Input stays open until the node has died of the signal: an EOF
	// first would start its shutdown under the dump.
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Fatal("the node did not exit within 10 s of SIGQUIT")
	}
	p.stop()
	var ours []string
	dumped := false
	for _, block := range strings.Split(p.stderrText(), "\n\n") {
		if !strings.HasPrefix(block, "goroutine ") {
			continue
		}
		dumped = true
		if strings.Contains(block, "stack unavailable") {
			// Running on another thread at the signal: ours (the
			// runtime's own are parked when the node is idle).
			ours = append(ours, "(running: stack unavailable)")
			continue
		}
		for _, line := range strings.Split(block, "\n") {
			if strings.HasPrefix(line, "broadcast/") || strings.HasPrefix(line, "main.") {
				ours = append(ours, line[:strings.LastIndexByte(line, '(')])
				break
			}
		}
	}
	if !dumped {
		p.t.Fatalf("no goroutine dump on stderr:\n%s", tail(p.stderrText(), 2000))
	}
	slices.Sort(ours)
	return ours
}

// stderrText returns what the node wrote to stderr so far.
func (p *nodeProc) stderrText() string {
	b, _ := os.ReadFile(p.stderr)
	return string(b)
}

// await receives replies on ch until one answers msgID, within timeout.
func await(t testing.TB, ch chan reply, msgID int64, timeout time.Duration) reply {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case r := <-ch:
			if r.inReplyTo == msgID {
				return r
			}
		case <-deadline:
			t.Fatalf("no reply to msg_id %d within %v", msgID, timeout)
			return reply{}
		}
	}
}

// initNode sends init as n1 among ids from client c0 and waits for init_ok.
func initNode(t testing.TB, p *nodeProc, c0 chan reply, ids string) {
	t.Helper()
	p.send(`{"id":100,"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":%s}}`, ids)
	if r := await(t, c0, 1, 10*time.Second); r.typ != "init_ok" {
		t.Fatalf("init answered %q", r.typ)
	}
}
