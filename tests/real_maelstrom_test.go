package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRealMaelstrom runs the node under a real Maelstrom (the JVM program)
// when $MAELSTROM names its launcher, on the 3b and 3c configurations.
// Rule: real Maelstrom's verdict is valid, like the bench's.
func TestRealMaelstrom(t *testing.T) {
	m := os.Getenv("MAELSTROM")
	if m == "" {
		t.Skip("MAELSTROM is not set: no real Maelstrom to run")
	}
	for _, extra := range [][]string{nil, {"--nemesis", "partition"}} {
		work := t.TempDir()
		args := append([]string{"test", "-w", "broadcast", "--bin", filepath.Join(binDir, "broadcast"),
			"--node-count", "5", "--time-limit", "20", "--rate", "10"}, extra...)
		cmd := exec.Command(m, args...)
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		// Maelstrom exits 0 only when :valid? is true (1 invalid, 2 unknown, 255 aborted).
		if err != nil {
			t.Errorf("maelstrom %s: %v\n%s", strings.Join(args, " "), err, tail(string(out), 40))
		}
	}
}
