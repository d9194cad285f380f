package proc

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// procState returns the state letter of pid from /proc/<pid>/stat (R, S, T...).
func procState(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return strings.Fields(s[i+1:])[0]
}

func waitLines(c *collector, n int, d time.Duration) []string {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if l := c.get(); len(l) >= n {
			return l
		}
		time.Sleep(5 * time.Millisecond)
	}
	return c.get()
}

// Rule: a paused process keeps its pipes but runs nothing; what was written
// to it while paused is read, once, after Resume.
func TestPauseResume(t *testing.T) {
	c := &collector{}
	p := sh(t, `exec cat`, c, nil)
	defer p.Kill()
	if _, err := p.Stdin().Write([]byte("before\n")); err != nil {
		t.Fatal(err)
	}
	if got := waitLines(c, 1, 5*time.Second); len(got) != 1 {
		t.Fatalf("before pause: got %q", got)
	}
	if err := p.Pause(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for procState(t, p.Pid()) != "T" && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if st := procState(t, p.Pid()); st != "T" {
		t.Fatalf("state after Pause = %s, want T (stopped)", st)
	}
	if _, err := p.Stdin().Write([]byte("during\n")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if got := c.get(); len(got) != 1 {
		t.Fatalf("a paused process echoed: %q", got)
	}
	if p.Exited() {
		t.Fatal("paused process exited")
	}
	if err := p.Resume(); err != nil {
		t.Fatal(err)
	}
	got := waitLines(c, 2, 5*time.Second)
	if len(got) != 2 || got[1] != "during" {
		t.Fatalf("after resume: got %q, want [before during]", got)
	}
	time.Sleep(50 * time.Millisecond)
	if got := c.get(); len(got) != 2 {
		t.Fatalf("line delivered twice: %q", got)
	}
}

// Rule: SIGKILL ends a paused process; Pause and Resume on an exited one
// return ErrExited.
func TestKillPaused(t *testing.T) {
	p := sh(t, `exec cat`, &collector{}, nil)
	if err := p.Pause(); err != nil {
		t.Fatal(err)
	}
	p.Kill()
	if !p.Wait(5 * time.Second) {
		t.Fatal("paused process survived SIGKILL")
	}
	if err := p.Pause(); !errors.Is(err, ErrExited) {
		t.Fatalf("Pause after exit = %v, want ErrExited", err)
	}
	if err := p.Resume(); !errors.Is(err, ErrExited) {
		t.Fatalf("Resume after exit = %v, want ErrExited", err)
	}
}
