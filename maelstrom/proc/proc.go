package proc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// DebugLines is how many lines of stdout and stderr are kept for crash
// reports (Maelstrom's debug-buffer-size).
const DebugLines = 32

// Config describes one node process.
type Config struct {
	// NodeID names the node in logs, e.g. "n0".
	NodeID string
	// Bin is the binary; it is made canonical (absolute, symlinks resolved)
	// and becomes argv[0].
	Bin string
	// Args are the positional arguments, in order.
	Args []string
	// Dir is the working directory (default os.TempDir(), as Maelstrom's
	// java.io.tmpdir).
	Dir string
	// Env is the whole environment (default os.Environ()).
	Env []string
	// LogFile receives the node's stderr (appended to, created if needed);
	// empty discards it.
	LogFile string
	// OnLine receives each stdout line without its terminator. The slice is
	// only valid during the call. A non-nil error stops the reader for good.
	OnLine func(line []byte) error
	// OnStderr, if set, receives each stderr line (--log-stderr).
	OnStderr func(line []byte)
	// Logf receives the WARN line when the stdout reader gives up.
	Logf func(format string, args ...any)
}

func (c *Config) validate() error {
	if c.NodeID == "" {
		return errors.New("proc: NodeID is required")
	}
	bin, err := Canonical(c.Bin)
	if err != nil {
		return err
	}
	c.Bin = bin
	if c.Dir == "" {
		c.Dir = os.TempDir()
	}
	if c.Env == nil {
		c.Env = os.Environ()
	}
	if c.OnLine == nil {
		c.OnLine = func([]byte) error { return nil }
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return nil
}

// Canonical returns path made absolute with symlinks resolved (Java's
// getCanonicalPath), or an error if it does not exist.
func Canonical(path string) (string, error) {
	if path == "" {
		return "", errors.New("proc: no binary given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("proc: %w", err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("proc: %w", err)
	}
	return real, nil
}

// Process is one running (or finished) node process.
type Process struct {
	cfg    Config
	cmd    *exec.Cmd
	stdin  *os.File
	killed atomic.Bool
	done   chan struct{} // closed when the process has exited
	status int           // exit status, valid after done
	ioDone sync.WaitGroup
	ioCh   chan struct{} // closed when both readers stopped

	outRing, errRing ring
}

// Start launches the process described by cfg.
func Start(cfg Config) (*Process, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	var logf *os.File
	if cfg.LogFile != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.LogFile), 0o755); err != nil {
			return nil, fmt.Errorf("proc: %w", err)
		}
		f, err := os.OpenFile(cfg.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("proc: %w", err)
		}
		logf = f
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	cmd := &exec.Cmd{
		Path:   cfg.Bin,
		Args:   append([]string{cfg.Bin}, cfg.Args...),
		Dir:    cfg.Dir,
		Env:    cfg.Env,
		Stdin:  inR,
		Stdout: outW,
		Stderr: errW,
	}
	startErr := startCmd(cmd.Start)
	inR.Close()
	outW.Close()
	errW.Close()
	if startErr != nil {
		inW.Close()
		outR.Close()
		errR.Close()
		if logf != nil {
			logf.Close()
		}
		return nil, fmt.Errorf("proc: start %s: %w", cfg.NodeID, startErr)
	}
	p := &Process{cfg: cfg, cmd: cmd, stdin: inW, done: make(chan struct{}), ioCh: make(chan struct{})}
	p.ioDone.Add(2)
	go p.readStdout(outR)
	go p.readStderr(errR, logf)
	go func() {
		p.ioDone.Wait()
		close(p.ioCh)
	}()
	go func() {
		err := cmd.Wait()
		p.status = exitStatus(cmd.ProcessState, err)
		inW.Close()
		close(p.done)
	}()
	return p, nil
}

// exitStatus follows Java's Process.exitValue: the exit code, or 128+signal
// for a process killed by a signal.
func exitStatus(ps *os.ProcessState, err error) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// Stdin returns the write end of the process's stdin. Writes fail once the
// process has died.
func (p *Process) Stdin() io.Writer { return p.stdin }

// Pid returns the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Kill sends SIGKILL (Java's destroyForcibly) and marks the process as
// killed by the bench.
func (p *Process) Kill() {
	p.killed.Store(true)
	select {
	case <-p.done:
	default:
		p.cmd.Process.Signal(syscall.SIGKILL)
	}
}

// Killed reports whether Kill was called.
func (p *Process) Killed() bool { return p.killed.Load() }

// Done is closed once the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// ExitStatus returns the exit status (128+signal if killed by a signal);
// only meaningful once Done is closed.
func (p *Process) ExitStatus() int {
	<-p.done
	return p.status
}

// Wait waits up to timeout for the process to exit, reporting whether it
// did.
func (p *Process) Wait(timeout time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// WaitIO waits up to timeout for the stdout and stderr readers to finish
// (they finish at EOF, i.e. once the process and its children closed the
// pipes), reporting whether they did.
func (p *Process) WaitIO(timeout time.Duration) bool {
	select {
	case <-p.ioCh:
		return true
	case <-time.After(timeout):
		return false
	}
}

// LastStdout returns up to the last 32 stdout lines read.
func (p *Process) LastStdout() []string { return p.outRing.lines() }

// LastStderr returns up to the last 32 stderr lines.
func (p *Process) LastStderr() []string { return p.errRing.lines() }

// LogFile returns the stderr log path.
func (p *Process) LogFile() string { return p.cfg.LogFile }

// splitCR calls fn for each Java readLine line inside one \n-terminated
// chunk (terminator already removed): "\r\n" ends one line, a lone "\r"
// ends a line too.
func splitCR(line []byte, fn func([]byte) bool) bool {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	for {
		i := bytes.IndexByte(line, '\r')
		if i < 0 {
			return fn(line)
		}
		if !fn(line[:i]) {
			return false
		}
		line = line[i+1:]
	}
}

func (p *Process) readStdout(r *os.File) {
	defer p.ioDone.Done()
	stopped := false
	defer func() {
		if stopped {
			// Keep the pipe open (unread) until the process is gone, as
			// Maelstrom does: the node blocks once the pipe is full rather
			// than dying of SIGPIPE.
			<-p.done
		}
		r.Close()
	}()
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte
	handle := func(line []byte) bool {
		p.outRing.add(line)
		if err := p.cfg.OnLine(line); err != nil {
			p.cfg.Logf("WARN [%s stdout] maelstrom.process: Error!\n%v", p.cfg.NodeID, err)
			stopped = true
			return false
		}
		return true
	}
	for {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, chunk...)
			continue
		}
		line := chunk
		if len(long) > 0 {
			long = append(long, chunk...)
			line = long
		}
		if err == nil {
			line = line[:len(line)-1]
		} else if len(line) == 0 {
			return // EOF or read error: stop quietly (MODEL.md, "Fatal output")
		}
		splitCR(line, handle)
		long = long[:0]
		if stopped || err != nil {
			// After a fatal line Maelstrom never reads this stdout again; we
			// simply stop (no spinning). The node blocks once the pipe fills.
			return
		}
	}
}

func (p *Process) readStderr(r *os.File, logf *os.File) {
	defer p.ioDone.Done()
	defer r.Close()
	if logf != nil {
		defer logf.Close()
	}
	buf := make([]byte, 64<<10)
	var pending []byte // an incomplete last line
	perLine := func(line []byte) {
		splitCR(line, func(l []byte) bool {
			p.errRing.add(l)
			if p.cfg.OnStderr != nil {
				p.cfg.OnStderr(l)
			}
			return true
		})
	}
	for {
		n, err := r.Read(buf)
		if n > 0 {
			data := buf[:n]
			last := bytes.LastIndexByte(data, '\n')
			if last < 0 {
				pending = append(pending, data...)
			} else {
				complete := data[:last+1]
				if len(pending) > 0 {
					complete = append(pending, complete...)
				}
				if logf != nil {
					logf.Write(complete)
				}
				for len(complete) > 0 {
					i := bytes.IndexByte(complete, '\n')
					perLine(complete[:i])
					complete = complete[i+1:]
				}
				pending = append(pending[:0], data[last+1:]...)
			}
		}
		if err != nil {
			if len(pending) > 0 {
				if logf != nil {
					logf.Write(append(pending, '\n'))
				}
				perLine(pending)
			}
			return
		}
	}
}

// DebugLineBytes bounds each line the crash report keeps: a node's stdout
// lines include read replies listing every value (hundreds of KB late in a
// long run), and 32 of them per node must not grow the bench's memory.
const DebugLineBytes = 4096

// ring keeps the last DebugLines lines, each cut to DebugLineBytes.
type ring struct {
	mu   sync.Mutex // protects buf, next, full
	buf  [DebugLines][]byte
	next int
	full bool
}

func (r *ring) add(line []byte) {
	r.mu.Lock()
	if len(line) > DebugLineBytes {
		kept := append(r.buf[r.next][:0], line[:DebugLineBytes]...)
		r.buf[r.next] = fmt.Appendf(kept, " ... (%d bytes in all)", len(line))
	} else {
		r.buf[r.next] = append(r.buf[r.next][:0], line...)
	}
	r.next = (r.next + 1) % DebugLines
	if r.next == 0 {
		r.full = true
	}
	r.mu.Unlock()
}

func (r *ring) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	if r.full {
		for i := r.next; i < DebugLines; i++ {
			out = append(out, string(r.buf[i]))
		}
	}
	for i := 0; i < r.next; i++ {
		out = append(out, string(r.buf[i]))
	}
	return out
}
