package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// LatenessTargetMS is the bench's own target: p99 hand-over lateness under
// 5 ms with 25 flooding nodes at rate 100, latency 100.
const LatenessTargetMS = 5.0

// BenchmarkLateness runs 25 naive flooding nodes (every node sends every new
// value to every other node: tens of thousands of messages a second) at
// rate 100 and latency 100 ms, and reports how late messages were handed
// to the nodes against their due time, and the bench's own CPU. Each
// iteration is one whole run; LATENESS_TIME_LIMIT (seconds, default 10)
// sets its time limit; LATENESS_PRIORITY=n sets Config.RaisePriority (0:
// normal priority; default 20, as the CLI) and LATENESS_THREADS=0 uses Go timers instead of one sleeping
// OS thread per server (both are on by default, as in the CLI);
// LATENESS_JOURNAL=0 turns the message journal off. Run it with
//
//	go test -run '^$' -bench Lateness -benchtime 1x ./maelstrom/runner/
func BenchmarkLateness(b *testing.B) { benchLateness(b, nil, 0) }

// BenchmarkLatenessPause is BenchmarkLateness with the pause nemesis on
// (--nemesis pause --nemesis-interval 2): a node is paused about half the
// time, its pipe fills and its delivery goroutine waits; that wait is
// modelled back-pressure, and the target is unchanged.
func BenchmarkLatenessPause(b *testing.B) { benchLateness(b, []string{"pause"}, 2*time.Second) }

func benchLateness(b *testing.B, faults []string, interval time.Duration) {
	limit := 10 * time.Second
	if s := os.Getenv("LATENESS_TIME_LIMIT"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			limit = time.Duration(n) * time.Second
		}
	}
	var last Result
	for i := 0; i < b.N; i++ {
		cfg := DefaultConfig()
		cfg.Bin = bins["naive"]
		cfg.Nodes = nodeIDs(25)
		cfg.Rate = 100
		cfg.Latency = 100
		cfg.TimeLimit = limit
		cfg.RecoveryWait = time.Second
		cfg.Seed = uint64(i + 1)
		cfg.Nemesis, cfg.NemesisInterval = faults, interval
		cfg.StoreDir = filepath.Join(b.TempDir(), "store")
		cfg.Console, cfg.Stdout = io.Discard, io.Discard
		if s := os.Getenv("LATENESS_PRIORITY"); s != "" {
			cfg.RaisePriority, _ = strconv.Atoi(s)
		}
		if os.Getenv("LATENESS_THREADS") == "0" {
			cfg.ThreadPerServer = false
		}
		if os.Getenv("LATENESS_JOURNAL") == "0" {
			cfg.NoJournal = true
		}
		last = Run(context.Background(), cfg)
		if last.Exit != ExitValid {
			b.Fatalf("run exit %d: %v (dir %s)", last.Exit, last.Err, last.Dir)
		}
	}
	l := last.Bench.LatenessMS
	rate := float64(last.Run.Net.Servers.Msg) / limit.Seconds()
	b.ReportMetric(l["p50"], "p50-ms")
	b.ReportMetric(l["p99"], "p99-ms")
	b.ReportMetric(l["max"], "max-ms")
	b.ReportMetric(last.Bench.BenchCPUFraction, "bench-cores")
	b.ReportMetric(rate, "server-msgs/s")
	verdict := "PASS"
	if l["p99"] >= LatenessTargetMS {
		verdict = "FAIL"
	}
	pauses := 0
	for _, f := range last.Run.Faults {
		if f.Kind == "pause" {
			pauses++
		}
	}
	fmt.Printf("nemesis %v (%d pauses): lateness over %d hand-overs: p50 %.3f ms, p99 %.3f ms (target < %.0f ms: %s), max %.3f ms; bench CPU %.1f%% of one core (%.2f s / %.1f s wall); nodes CPU %.1f s; %.0f server msgs/s; priority %s; thread per server %v\n",
		faults, pauses, last.Bench.Lateness.Count, l["p50"], l["p99"], LatenessTargetMS, verdict, l["max"],
		100*last.Bench.BenchCPUFraction, last.Bench.BenchCPUSeconds, last.Bench.WallSeconds, last.Bench.NodesCPUSeconds, rate,
		last.Bench.Priority, last.Bench.ThreadPerServer)
}
