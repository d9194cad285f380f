package main

// These tests run the real binary (os/exec) where the process boundary
// matters: exit codes, stdin that is a pipe, signals, the sample
// transcript, and restarts through the file system.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"broadcast/gossip"
	"broadcast/internal/leakcheck"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "broadcast-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "broadcast")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := leakcheck.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBinary runs the node on input, with env added to a clean environment.
func runBinary(t *testing.T, input string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"TMPDIR=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin = strings.NewReader(input)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// checkLines asserts every stdout line is one compact JSON object ending in "\n".
func checkLines(t *testing.T, stdout string) []string {
	t.Helper()
	if stdout != "" && !strings.HasSuffix(stdout, "\n") {
		t.Fatalf("stdout does not end with a newline: %q", stdout)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if stdout == "" {
		return nil
	}
	for _, l := range lines {
		var v map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("stdout line is not a JSON object: %q", l)
		}
		var compact bytes.Buffer
		json.Compact(&compact, []byte(l))
		if compact.String() != l {
			t.Fatalf("stdout line is not compact: %q", l)
		}
	}
	return lines
}

const initN1 = `{"src":"c1","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}`

// Rule: fed JSON lines by hand, the node answers them and exits 0 at EOF.
func TestByHand(t *testing.T) {
	stdout, stderr, code := runBinary(t, initN1+"\n", nil)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if lines := checkLines(t, stdout); len(lines) != 1 || lines[0] != `{"src":"n1","dest":"c1","body":{"type":"init_ok","in_reply_to":1}}` {
		t.Fatalf("stdout %q", stdout)
	}
}

// Rule: the sample transcript (tests/testdata/debug.jsonl, piped by `just
// debug`) is answered line by line, bad lines included, and the node
// explains itself at -log-level debug.
func TestDebugTranscript(t *testing.T) {
	in, err := os.ReadFile("../../tests/testdata/debug.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runBinary(t, string(in), nil, "-log-level", "debug")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	lines := checkLines(t, stdout)
	want := map[string]bool{
		`{"src":"n1","dest":"c0","body":{"type":"init_ok","in_reply_to":1}}`:                                                         false,
		`{"src":"n1","dest":"c3","body":{"type":"topology_ok","in_reply_to":1}}`:                                                     false,
		`{"src":"n1","dest":"c6","body":{"type":"broadcast_ok","in_reply_to":1}}`:                                                    false,
		`{"src":"n1","dest":"c6","body":{"type":"broadcast_ok","in_reply_to":2}}`:                                                    false,
		`{"src":"n1","dest":"c6","body":{"type":"broadcast_ok","in_reply_to":6}}`:                                                    false,
		`{"src":"n1","dest":"c6","body":{"type":"error","in_reply_to":5,"code":10,"text":"message type \"echo\" is not supported"}}`: false,
	}
	for _, l := range lines {
		if _, ok := want[l]; ok {
			want[l] = true
		}
		if strings.Contains(l, `"dest":"n9"`) || strings.Contains(l, `"in_reply_to":0`) {
			t.Errorf("answered what must not be answered: %s", l)
		}
	}
	for l, seen := range want {
		if !seen {
			t.Errorf("missing %s", l)
		}
	}
	if !strings.Contains(stdout, `"in_reply_to":4,"code":12`) {
		t.Errorf("broadcast of \"three\" not refused with 12")
	}
	for _, s := range []string{"debug:", "not a JSON object", "broadcast_ok", "n9"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
}

// Rule: lines over 64 KiB are parsed; a line over -max-line-bytes is
// skipped with one stderr line and the node keeps going.
func TestLongLines(t *testing.T) {
	pad := strings.Repeat("x", 100<<10)
	input := initN1 + "\n" +
		`{"src":"c1","dest":"n1","body":{"type":"read","msg_id":2,"pad":"` + pad + `"}}` + "\n" +
		`{"src":"c1","dest":"n1","body":{"type":"read","msg_id":3,"pad":"` + pad + pad + pad + `"}}` + "\n" +
		`{"src":"c1","dest":"n1","body":{"type":"read","msg_id":4}}` + "\n"
	stdout, stderr, code := runBinary(t, input, nil, "-max-line-bytes", "200000", "-durability", "none", "-log-level", "warn")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	lines := checkLines(t, stdout)
	if len(lines) != 3 || !strings.Contains(lines[1], `"in_reply_to":2`) || !strings.Contains(lines[2], `"in_reply_to":4`) {
		t.Fatalf("stdout %q", stdout)
	}
	if n := strings.Count(strings.TrimSpace(stderr), "\n") + 1; n != 1 || !strings.Contains(stderr, "exceeds") {
		t.Fatalf("want one stderr line about the long line, got:\n%s", stderr)
	}
}

// Rule: bad flags exit 2; -help exits 0 and documents the data directory rule.
func TestFlags(t *testing.T) {
	if _, _, code := runBinary(t, "", nil, "-durability", "paper"); code != 2 {
		t.Errorf("bad -durability: exit %d, want 2", code)
	}
	if _, _, code := runBinary(t, "", []string{"BROADCAST_LOG_LEVEL=loud"}); code != 2 {
		t.Errorf("bad BROADCAST_LOG_LEVEL: exit %d, want 2", code)
	}
	_, stderr, code := runBinary(t, "", nil, "-help")
	if code != 0 {
		t.Errorf("-help: exit %d", code)
	}
	for _, s := range []string{"BROADCAST_DATA_DIR", "MAELSTROM_RUN_DIR", "parent pid", "-log-level"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("-help lacks %q", s)
		}
	}
}

// Rule: -data-dir (or BROADCAST_DATA_DIR) keeps values across runs.
func TestRestartWithDataDir(t *testing.T) {
	dir := t.TempDir()
	env := []string{"BROADCAST_DATA_DIR=" + dir}
	in := initN1 + "\n" + `{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":77}}` + "\n"
	stdout, stderr, code := runBinary(t, in, env)
	if code != 0 || !strings.Contains(stdout, `"broadcast_ok","in_reply_to":2`) {
		t.Fatalf("first run: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	in = initN1 + "\n" + `{"src":"c1","dest":"n1","body":{"type":"read","msg_id":2}}` + "\n"
	stdout, stderr, code = runBinary(t, in, env)
	if code != 0 || !strings.Contains(stdout, `"messages":[77]`) {
		t.Fatalf("second run: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "restarted") {
		t.Errorf("restart not logged:\n%s", stderr)
	}
}

// Rule: on SIGTERM with stdin a pipe that stays open (as under Maelstrom),
// the node stops: the blocked read is interrupted, output flushed, exit 0.
func TestSignalStops(t *testing.T) {
	cmd := exec.Command(binary, "-durability", "none")
	cmd.Env = []string{"TMPDIR=" + t.TempDir()}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	io.WriteString(stdin, initN1+"\n")
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.Contains(line, "init_ok") {
		t.Fatalf("init: %q %v", line, err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running 20 s after SIGTERM; stderr:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopping") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// Rule: -latency-first (a bare boolean flag, or BROADCAST_LATENCY_FIRST)
// selects the direct strategy; the default is the relay.
func TestLatencyFirstFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want gossip.Strategy
	}{
		{nil, "", gossip.StrategyRelay},
		{[]string{"-latency-first"}, "", gossip.StrategyDirect},
		{nil, "true", gossip.StrategyDirect},
		{[]string{"-strategy", "star"}, "", gossip.StrategyStar},
	} {
		getenv := func(k string) string {
			if k == "BROADCAST_LATENCY_FIRST" {
				return tc.env
			}
			return ""
		}
		cfg, err := parseConfig(tc.args, getenv, io.Discard, func(string, ...any) {})
		if err != nil || cfg.Gossip.Strategy != tc.want {
			t.Errorf("%v env %q: strategy %d, err %v; want %d", tc.args, tc.env, cfg.Gossip.Strategy, err, tc.want)
		}
	}
}

// Rule: the node runs with one P and GOGC 50 unless the environment sets
// GOMAXPROCS or GOGC (see maxProcs and gcPercent).
func TestRuntimeDefaults(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	gc := debug.SetGCPercent(100)
	t.Cleanup(func() {
		runtime.GOMAXPROCS(procs)
		debug.SetGCPercent(gc)
	})
	runtime.GOMAXPROCS(2)
	applyRuntimeDefaults(func(string) string { return "" })
	if got := runtime.GOMAXPROCS(0); got != maxProcs {
		t.Errorf("GOMAXPROCS %d with the environment silent, want %d", got, maxProcs)
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GC percent %d with the environment silent, want %d", got, gcPercent)
	}
	runtime.GOMAXPROCS(2)
	env := map[string]string{"GOMAXPROCS": "2", "GOGC": "100"}
	applyRuntimeDefaults(func(k string) string { return env[k] })
	if got := runtime.GOMAXPROCS(0); got != 2 {
		t.Errorf("GOMAXPROCS %d with GOMAXPROCS=2 in the environment, want it left at 2", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d with GOGC=100 in the environment, want it left at 100", got)
	}
}
