package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Rule: a warning that quotes a huge node message is cut on the console
// and kept whole in jepsen.log.
func TestConsoleCutsLongWarnings(t *testing.T) {
	var console bytes.Buffer
	path := filepath.Join(t.TempDir(), "jepsen.log")
	log, err := newLogger(path, &terminal{w: &console})
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("12345,", 20000)
	log.Logf("WARN Invalid dest for message {:body %s}", body)
	log.Consolef("WARN again %s", body)
	log.close()
	for _, line := range strings.Split(strings.TrimSpace(console.String()), "\n") {
		if len(line) > consoleLineBytes+100 {
			t.Errorf("console line of %d bytes, want <= %d", len(line), consoleLineBytes+100)
		}
		if !strings.Contains(line, "bytes in all") {
			t.Errorf("console line does not say it was cut: %.80q", line)
		}
	}
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(whole), body); got != 2 {
		t.Errorf("jepsen.log holds the whole body %d times, want 2", got)
	}
}
