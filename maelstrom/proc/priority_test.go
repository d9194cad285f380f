package proc

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// RaisePriority lowers the bench's nice value; nodes started afterwards
// still get the original one (they inherit it from a throwaway thread).
func TestRaisePriorityKeepsNodesAtOriginalNice(t *testing.T) {
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		t.Fatal(err)
	}
	original := 20 - raw
	if nice, err := RaisePriority(3); err != nil {
		t.Skipf("no permission to raise priority here: %v", err)
	} else if nice != original-3 {
		t.Fatalf("RaisePriority reports nice %d, want %d", nice, original-3)
	}
	raw, _ = syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if got := 20 - raw; got != original-3 {
		t.Fatalf("bench thread nice %d, want %d", got, original-3)
	}
	c := &collector{}
	p, err := Start(Config{NodeID: "n0", Bin: "/bin/sh", Args: []string{"-c", "cat /proc/self/stat"}, OnLine: c.onLine})
	if err != nil {
		t.Fatal(err)
	}
	p.Wait(10 * time.Second)
	p.WaitIO(5 * time.Second)
	lines := c.get()
	if len(lines) != 1 {
		t.Fatalf("stat lines %q", lines)
	}
	// Field 19 of /proc/<pid>/stat is the nice value; fields after the
	// ")" that closes the command name start at field 3.
	rest := strings.Fields(lines[0][strings.LastIndexByte(lines[0], ')')+1:])
	nice, err := strconv.Atoi(rest[16])
	if err != nil || nice != original {
		t.Fatalf("node nice %v (%v), want the original %d", rest[16], err, original)
	}
}
