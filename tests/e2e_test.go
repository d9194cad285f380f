// Package tests runs the built node on the local bench end to end: the
// project's Jepsen workload CI. Each test builds nothing itself: TestMain
// builds cmd/broadcast and cmd/maelstrom-local once into a temporary
// directory, and each run happens in a temporary working directory, so the
// bench's store/ layout never touches the checkout.
//
// Knobs (environment):
//
//	E2E_SEEDS       seeds per configuration (default 1; `just e2e-full` uses 5)
//	E2E_TIME_LIMIT  --time-limit for every run, seconds (default 10; full: 20)
//	E2E_PARALLEL    runs at once (default 2)
//	E2E_REPORT      if set, a Markdown table of every run is appended to this file
//	MAELSTROM       if set, TestRealMaelstrom runs the 3b configuration on it
package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"broadcast/internal/leakcheck"
	"broadcast/maelstrom/results"
)

var (
	binDir   string
	runSlots chan struct{}
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "broadcast-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "./cmd/broadcast", "./cmd/maelstrom-local")
	cmd.Dir = ".."
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build:", err)
		return 2
	}
	binDir = dir
	runSlots = make(chan struct{}, envInt("E2E_PARALLEL", 2))
	return leakcheck.Run(m)
}

func envInt(name string, def int) int {
	if s := os.Getenv(name); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return def
}

// benchRun is one finished run of the bench.
type benchRun struct {
	Exit    int
	Dir     string // the run directory (store/latest resolved)
	Stdout  string
	Stderr  string
	Results map[string]any
}

// runBench runs `maelstrom-local test -w broadcast --bin <node> args...` in a
// fresh working directory and loads results.json.
func runBench(t testing.TB, args ...string) benchRun {
	t.Helper()
	return runBenchEnv(t, nil, args...)
}

// runBenchEnv is runBench with extra environment for the bench (and so for
// the nodes, which inherit it).
func runBenchEnv(t testing.TB, env []string, args ...string) benchRun {
	t.Helper()
	runSlots <- struct{}{}
	defer func() { <-runSlots }()

	work := t.TempDir()
	full := append([]string{"test", "-w", "broadcast", "--bin", filepath.Join(binDir, "broadcast")}, args...)
	cmd := exec.Command(filepath.Join(binDir, "maelstrom-local"), full...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := benchRun{Stdout: stdout.String(), Stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Exit = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run bench: %v", err)
	}
	r.Dir, _ = filepath.EvalSymlinks(filepath.Join(work, "store", "latest"))
	if b, err := os.ReadFile(filepath.Join(r.Dir, "results.json")); err == nil {
		if err := json.Unmarshal(b, &r.Results); err != nil {
			t.Fatalf("results.json: %v", err)
		}
	}
	return r
}

// get walks a results map by keys.
func get(m map[string]any, keys ...string) any { return results.Lookup(m, keys...) }

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// summary is the line a run contributes to logs and to E2E_REPORT.
func summary(name string, seed int, r benchRun) string {
	res := r.Results
	return fmt.Sprintf("| %s | %d | %v | %v | %.0f | %.0f | %.3f | %.0f | %.0f | %.0f | %.0f |",
		name, seed, r.Exit, get(res, "valid?"),
		num(get(res, "workload", "attempt-count")), num(get(res, "workload", "lost-count")),
		num(get(res, "net", "servers", "msgs-per-op")),
		num(get(res, "workload", "stable-latencies", "0.5")), num(get(res, "workload", "stable-latencies", "1")),
		num(get(res, "bench", "client-latency-ms", "broadcast", "quantiles", "0.5")), num(get(res, "bench", "client-latency-ms", "broadcast", "quantiles", "0.99")))
}

var reportMu sync.Mutex

func report(t *testing.T, line string) {
	t.Log("| config | seed | exit | valid | attempts | lost | srv msgs/op | stable p50 ms | stable max ms | ack p50 ms | ack p99 ms |")
	t.Log(line)
	path := os.Getenv("E2E_REPORT")
	if path == "" {
		return
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Errorf("E2E_REPORT: %v", err)
		return
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}

// requireValid fails the test unless the run is valid with no lost values,
// printing what a person needs to replay and debug it.
func requireValid(t *testing.T, name string, seed int, r benchRun) {
	t.Helper()
	report(t, summary(name, seed, r))
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s seed %d: "+format, append([]any{name, seed}, args...)...)
		t.Logf("run dir: %s\nstdout tail:\n%s\nstderr tail:\n%s", r.Dir, tail(r.Stdout, 40), tail(r.Stderr, 20))
	}
	if r.Results == nil {
		fail("no results.json (exit %d)", r.Exit)
		return
	}
	if lost := num(get(r.Results, "workload", "lost-count")); lost != 0 {
		fail("%v acknowledged values lost: %v", lost, get(r.Results, "workload", "lost"))
	}
	if v := get(r.Results, "workload", "valid?"); v != true {
		fail("workload valid? = %v", v)
	}
	if v := get(r.Results, "valid?"); v != true {
		fail("valid? = %v (stats: %v)", v, get(r.Results, "stats"))
	}
	if r.Exit != 0 {
		fail("exit status %d, want 0", r.Exit)
	}
	bad, err := consistencyViolations(r.Dir)
	if err != nil {
		fail("consistency check: %v", err)
	}
	for _, b := range bad {
		fail("%s", b)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// forSeeds runs fn once per seed (1..E2E_SEEDS) as parallel subtests.
func forSeeds(t *testing.T, fn func(t *testing.T, seed int)) {
	for seed := 1; seed <= envInt("E2E_SEEDS", 1); seed++ {
		seed := seed
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			t.Parallel()
			fn(t, seed)
		})
	}
}

func timeLimit() string { return strconv.Itoa(envInt("E2E_TIME_LIMIT", 10)) }
