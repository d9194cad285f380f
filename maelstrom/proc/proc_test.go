package proc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type collector struct {
	mu    sync.Mutex
	lines []string
	fail  string // OnLine returns an error for this line
}

func (c *collector) onLine(l []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, string(l))
	if c.fail != "" && string(l) == c.fail {
		return errors.New("bad line")
	}
	return nil
}

func (c *collector) get() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}

func sh(t *testing.T, script string, c *collector, warn func(string, ...any)) *Process {
	t.Helper()
	log := filepath.Join(t.TempDir(), "node-logs", "n0.log")
	p, err := Start(Config{NodeID: "n0", Bin: "/bin/sh", Args: []string{"-c", script},
		Env: append(os.Environ(), "MAELSTROM_RUN_DIR=/x/y"), LogFile: log, OnLine: c.onLine, Logf: warn})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Reference: MODEL.md, "Framing" framing: lines end at \n (Java readLine also splits \r and
// \r\n); no length limit; a final unterminated line is read at EOF.
func TestStdoutLines(t *testing.T) {
	c := &collector{}
	long := strings.Repeat("x", 200000)
	p := sh(t, `printf 'a\nb\r\nc\rd\n'; head -c 200000 /dev/zero | tr '\000' x; printf '\ntail'`, c, nil)
	if !p.Wait(10*time.Second) || !p.WaitIO(5*time.Second) {
		t.Fatal("process did not finish")
	}
	got := c.get()
	want := []string{"a", "b", "c", "d", long, "tail"}
	if len(got) != len(want) {
		t.Fatalf("got %d lines %q", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d = %.20q, want %.20q", i, got[i], want[i])
		}
	}
	if p.ExitStatus() != 0 || p.Killed() {
		t.Fatalf("status %d killed %v", p.ExitStatus(), p.Killed())
	}
}

// Reference: MODEL.md, "Fatal output": after a bad line the reader logs WARN once and never
// reads that stdout again.
func TestStdoutStopsAfterError(t *testing.T) {
	c := &collector{fail: "bad"}
	var mu sync.Mutex
	var warns []string
	warn := func(f string, a ...any) {
		mu.Lock()
		warns = append(warns, f)
		mu.Unlock()
	}
	p := sh(t, `echo ok; echo bad; echo never; echo never2`, c, warn)
	p.Wait(10 * time.Second)
	p.WaitIO(5 * time.Second)
	if got := c.get(); len(got) != 2 || got[1] != "bad" {
		t.Fatalf("lines %q: want reading to stop after the bad line", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(warns) != 1 || !strings.HasPrefix(warns[0], "WARN") {
		t.Fatalf("warns %q", warns)
	}
}

// Reference: MODEL.md, "Launch" launch: argv[0] canonical, cwd = temp dir, environment
// inherited (plus our MAELSTROM_RUN_DIR); MODEL.md, "Framing" stderr to node-logs.
func TestLaunchAndStderr(t *testing.T) {
	c := &collector{}
	p := sh(t, `echo "$0"; pwd; echo "$MAELSTROM_RUN_DIR"; for i in $(seq 1 40); do echo "err $i" >&2; done; exit 3`, c, nil)
	p.Wait(10 * time.Second)
	p.WaitIO(5 * time.Second)
	got := c.get()
	sh, _ := Canonical("/bin/sh")
	tmp, _ := filepath.EvalSymlinks(os.TempDir())
	if len(got) != 3 || got[0] != sh || got[1] != tmp || got[2] != "/x/y" {
		t.Fatalf("got %q, want [%s %s /x/y]", got, sh, tmp)
	}
	if p.ExitStatus() != 3 {
		t.Fatalf("exit status %d", p.ExitStatus())
	}
	errs := p.LastStderr()
	if len(errs) != DebugLines || errs[0] != "err 9" || errs[31] != "err 40" {
		t.Fatalf("last stderr %q", errs)
	}
	b, err := os.ReadFile(p.LogFile())
	if err != nil || strings.Count(string(b), "\n") != 40 || !strings.HasPrefix(string(b), "err 1\n") {
		t.Fatalf("log file %q %v", b, err)
	}
}

func TestKill(t *testing.T) {
	c := &collector{}
	p := sh(t, `echo up; exec sleep 60`, c, nil)
	deadline := time.Now().Add(5 * time.Second)
	for len(c.get()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if p.Exited() {
		t.Fatal("exited early")
	}
	p.Kill()
	if !p.Wait(5 * time.Second) {
		t.Fatal("not dead after SIGKILL")
	}
	if p.ExitStatus() != 137 || !p.Killed() {
		t.Fatalf("status %d killed %v, want 137 true", p.ExitStatus(), p.Killed())
	}
	if _, err := p.Stdin().Write([]byte("x\n")); err == nil {
		t.Fatal("write to a dead node succeeded")
	}
}

func TestMissingBinary(t *testing.T) {
	if _, err := Start(Config{NodeID: "n0", Bin: "/no/such/bin"}); err == nil {
		t.Fatal("started a missing binary")
	}
}

// Rule: the crash report keeps each of the last lines cut to
// DebugLineBytes, so that huge read replies do not stay in memory.
func TestRingCutsLongLines(t *testing.T) {
	var r ring
	long := strings.Repeat("7", 10*DebugLineBytes)
	for i := 0; i < DebugLines+3; i++ {
		r.add([]byte(long))
	}
	r.add([]byte("short"))
	lines := r.lines()
	if len(lines) != DebugLines || lines[len(lines)-1] != "short" {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	want := long[:DebugLineBytes] + fmt.Sprintf(" ... (%d bytes in all)", len(long))
	if lines[0] != want {
		t.Fatalf("long line kept as %d bytes, want the first %d and a note", len(lines[0]), DebugLineBytes)
	}
	for i := range r.buf {
		if cap(r.buf[i]) > 2*DebugLineBytes {
			t.Fatalf("buffer %d has capacity %d", i, cap(r.buf[i]))
		}
	}
}
