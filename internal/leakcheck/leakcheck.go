package leakcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Settle is how long Run waits for descriptors to be closed after the
// tests (goleak retries on its own for about as long).
const Settle = 5 * time.Second

// runtimeFDs are descriptors the Go runtime opens on first use and keeps
// for the life of the process (the network poller): not leaks.
var runtimeFDs = []string{"anon_inode:[eventpoll]", "anon_inode:[eventfd]"}

// Main runs m's tests, checks for leaks (see Run) and exits with the result.
// Use it as a package's TestMain:
//
//	func TestMain(m *testing.M) { leakcheck.Main(m) }
func Main(m *testing.M, opts ...goleak.Option) {
	os.Exit(Run(m, opts...))
}

// Run runs m's tests and returns their exit code, or 1 if they passed but
// left goroutines running or file descriptors open that were not there
// before. The leaks are printed to stderr. opts are passed to goleak (for
// example goleak.IgnoreTopFunction for a goroutine a dependency keeps).
func Run(m *testing.M, opts ...goleak.Option) int {
	opts = append([]goleak.Option{goleak.IgnoreCurrent()}, opts...)
	before, err := OpenFDs()
	if err != nil {
		fmt.Fprintf(os.Stderr, "leakcheck: %v\n", err)
		return 1
	}
	code := m.Run()
	if code != 0 {
		return code
	}
	if err := goleak.Find(opts...); err != nil {
		fmt.Fprintf(os.Stderr, "leakcheck: goroutines left behind by the tests: %v\n", err)
		code = 1
	}
	if leaked := waitFDs(before, Settle); len(leaked) > 0 {
		fmt.Fprintf(os.Stderr, "leakcheck: %d file descriptors left open by the tests:\n  %s\n", len(leaked), strings.Join(leaked, "\n  "))
		code = 1
	}
	return code
}

// OpenFDs returns this process's open descriptors as "fd -> target"
// strings, sorted, leaving out the runtime's own.
func OpenFDs() ([]string, error) {
	dir := "/proc/self/fd"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list open descriptors: %w", err)
	}
	var out []string
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // the descriptor ReadDir itself used, closed by now
		}
		if slices.Contains(runtimeFDs, target) {
			continue
		}
		out = append(out, e.Name()+" -> "+target)
	}
	slices.Sort(out)
	return out, nil
}

// NewFDs returns the descriptors open now that were not in before.
func NewFDs(before []string) []string {
	now, err := OpenFDs()
	if err != nil {
		return []string{err.Error()}
	}
	var extra []string
	for _, fd := range now {
		if !slices.Contains(before, fd) {
			extra = append(extra, fd)
		}
	}
	return extra
}

// waitFDs waits up to patience for the descriptors not in before to be
// closed, and returns those still open.
func waitFDs(before []string, patience time.Duration) []string {
	deadline := time.Now().Add(patience)
	for {
		extra := NewFDs(before)
		if len(extra) == 0 || time.Now().After(deadline) {
			return extra
		}
		time.Sleep(20 * time.Millisecond)
	}
}
