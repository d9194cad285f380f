package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"broadcast/maelstrom/runner"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"maelstrom-local"}, args...), &out, &errb, false)
	return code, out.String(), errb.String()
}

// Reference: maelstrom/MODEL.md, "Command line", "Exit status": --help exits 0, bad arguments 254 with the reason.
func TestArgumentsAndExitCodes(t *testing.T) {
	if code, out, _ := runCLI(t, "test", "--help"); code != 0 || !strings.Contains(out, "Usage: maelstrom-local test") {
		t.Fatalf("--help: %d %q", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"test", "--bin", "/bin/true"}, "lin-kv"},
		{[]string{"test", "-w", "echo", "--bin", "/bin/true"}, "only implements the broadcast workload"},
		{[]string{"test", "-w", "broadcast", "--bin", "/bin/true", "--nemesis", "freeze"}, "--nemesis freeze"},
		{[]string{"test", "-w", "broadcast", "--bin", "/bin/true", "--node-count", "2", "--nemesis-targets", "n5"}, "unknown node n5"},
		{[]string{"test", "-w", "broadcast"}, "Expected a --bin"},
		{[]string{"frob"}, "unknown command"},
	} {
		code, _, stderr := runCLI(t, c.args...)
		if code != runner.ExitBadArgs || !strings.Contains(stderr, c.want) {
			t.Fatalf("%v: exit %d, stderr %q (want 254 and %q)", c.args, code, stderr, c.want)
		}
	}
}

// Reference: maelstrom/MODEL.md, "Latency": uniform or exponential latency with --latency 0 makes
// Maelstrom fail at start-up (exit 255), before any node runs.
func TestLatencyZeroFailsAtStartup(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, stderr := runCLI(t, "test", "-w", "broadcast", "--bin", "/bin/true", "--latency-dist", "uniform", "--seed", "1")
	if code != runner.ExitAborted || !strings.Contains(stderr, "fails at start-up") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat("store"); err == nil {
		t.Fatal("a run directory was created")
	}
}

// A whole run through the CLI: exit 0 for a correct node, store/latest
// holds the results, the seed is printed.
func TestCLIRun(t *testing.T) {
	if testing.Short() {
		t.Skip("takes the full 10 s recovery wait")
	}
	bin := filepath.Join(t.TempDir(), "correct")
	build := exec.Command("go", "build", "-o", bin, "../../maelstrom/testdata/correct")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	t.Chdir(t.TempDir())
	code, out, stderr := runCLI(t, "test", "-w", "broadcast", "--bin", bin, "--node-count", "2", "--time-limit", "1", "--rate", "10", "--seed", "5")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "Seed 5") || !strings.Contains(out, "Everything looks good!") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out, stderr)
	}
	for _, f := range []string{"results.edn", "history.edn", "jepsen.log", runner.BenchFile} {
		if _, err := os.Stat(filepath.Join("store", "latest", f)); err != nil {
			t.Fatal(err)
		}
	}
}

// Rule: `serve` prints its usage on --help, rejects bad arguments and a
// missing store with 254, and serves the store on loopback until stopped.
func TestServeCommand(t *testing.T) {
	if code, out, _ := runCLI(t, "serve", "--help"); code != 0 || !strings.Contains(out, "Usage: maelstrom-local serve") {
		t.Fatalf("serve --help: %d %q", code, out)
	}
	if code, _, errs := runCLI(t, "serve", "--port", "nope"); code != runner.ExitBadArgs || !strings.Contains(errs, "--port") {
		t.Fatalf("bad port: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "serve", filepath.Join(t.TempDir(), "missing")); code != runner.ExitBadArgs || !strings.Contains(errs, "store") {
		t.Fatalf("missing store: %d %q", code, errs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var errb syncWriter
	done := make(chan int, 1)
	go func() {
		var out bytes.Buffer
		done <- run(ctx, []string{"maelstrom-local", "serve", "--port", "0", t.TempDir()}, &out, &errb, false)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errb.String(), "http://127.0.0.1:") {
		if time.Now().After(deadline) {
			t.Fatalf("not serving: %q", errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	addr := strings.Fields(strings.SplitAfter(errb.String(), "http://")[1])[0]
	res, err := http.Get("http://" + addr)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %v %v", addr, res, err)
	}
	res.Body.Close()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exit %d", code)
	}
}

// syncWriter is a goroutine-safe buffer.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
