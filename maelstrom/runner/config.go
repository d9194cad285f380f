package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
	"broadcast/maelstrom/nemesis"
	"broadcast/maelstrom/results"
	"broadcast/maelstrom/topology"
)

// Config is one run's settings: Maelstrom's options (MODEL.md, "Command
// line") plus the bench's own knobs. The CLI parses straight into it.
type Config struct {
	// Workload must be "broadcast".
	Workload string
	// Bin is the node binary; Args its positional arguments.
	Bin  string
	Args []string
	// Nodes are the server ids in test order.
	Nodes []string
	// Concurrency is C, the number of worker threads (default len(Nodes)).
	Concurrency int
	// TimeLimit is --time-limit (default 60 s).
	TimeLimit time.Duration
	// Rate is --rate in ops/s (default 5; 0 means no main-phase ops).
	Rate float64
	// Latency (ms) and LatencyDist are --latency and --latency-dist.
	Latency     int
	LatencyDist string
	// Topology is --topology (default grid).
	Topology string
	// Nemesis lists the faults (partition, kill, kill-all); NemesisInterval
	// is --nemesis-interval (default 10 s).
	Nemesis         []string
	NemesisInterval time.Duration
	// NemesisTargets is --nemesis-targets: the nodes kill and pause pick
	// from (empty: any node).
	NemesisTargets []string
	// LogStderr, LogNetSend, LogNetRecv are Maelstrom's logging flags.
	LogStderr, LogNetSend, LogNetRecv bool
	// Availability is --availability: "", "total" or a number in [0, 1].
	Availability string
	// Seed drives every random choice of the run.
	Seed uint64
	// HistoryFormat is --history-format: results.FormatFull (default:
	// Maelstrom's history.txt and history.edn, and history.json) or
	// results.FormatDelta (history.delta.jsonl, reads as deltas, for
	// long runs).
	HistoryFormat string

	// CPUProfile, if set, is a file to write a Go CPU profile of the bench
	// process to, covering the whole run and its analysis (--cpuprofile).
	CPUProfile string

	// Observers receive every history op, in index order, as it is
	// recorded, after the history files and the online checker, from the
	// recorder's goroutine (see history.Observer).
	Observers []history.Observer
	// ReadMiss hooks receive, for every ok read, the acknowledged values it
	// lacks (see checker.ReadMissFunc), in the same goroutine.
	ReadMiss []checker.ReadMissFunc

	// ThreadPerServer gives each server's delivery goroutine its own OS
	// thread sleeping with nanosleep, like Maelstrom's delivery threads
	// (sub-millisecond hand-over precision); the runner then raises
	// GOMAXPROCS to at least nodes+8 (at most 64) so that waking threads
	// find a P at once. Default on.
	ThreadPerServer bool
	// RaisePriority, if positive, lowers the bench's nice value by that much
	// (at most to -20) for the rest of the process (needs root or
	// CAP_SYS_NICE; nodes keep the caller's nice value), so that node
	// processes do not delay the bench's hand-overs under CPU contention.
	// Default 20. Without permission the run goes on at normal priority and
	// jepsen.log and bench.json say so.
	RaisePriority int

	// NoJournal turns off the message journal (messages.journal) and the
	// diagram drawn from it (messages.svg). Default: journal on.
	NoJournal bool

	// SampleProcs, if positive, samples every node process's resident
	// memory, threads and open descriptors at this interval
	// (--sample-procs), into procs.jsonl and plots in the run directory,
	// with the soak figures after the summary. Zero: off.
	SampleProcs time.Duration

	// StoreDir is the store root (default "store" in the working
	// directory).
	StoreDir string
	// RecoveryWait is the sleep before the final reads (Maelstrom: 10 s).
	// Tests shorten it; the CLI never changes it.
	RecoveryWait time.Duration
	// RPCTimeout (5 s), InitTimeout (10 s) and TopologyTimeout (5 s) are
	// Maelstrom's RPC deadlines.
	RPCTimeout, InitTimeout, TopologyTimeout time.Duration
	// Stdout receives the results summary (default os.Stdout).
	Stdout io.Writer
	// Console receives progress and important log lines (default
	// os.Stderr); ConsoleTTY makes progress a single updating line.
	Console    io.Writer
	ConsoleTTY bool
	// ProgressEvery is the plain-progress interval when not a TTY
	// (default 5 s).
	ProgressEvery time.Duration
	// Argv is the command line, recorded in jepsen.log and bench.json.
	Argv []string
}

// DefaultConfig returns Maelstrom's defaults for the broadcast workload.
func DefaultConfig() Config {
	return Config{
		Workload:        "broadcast",
		Nodes:           []string{"n1", "n2", "n3", "n4", "n5"},
		TimeLimit:       60 * time.Second,
		Rate:            5,
		LatencyDist:     "constant",
		Topology:        "grid",
		NemesisInterval: 10 * time.Second,
		RecoveryWait:    10 * time.Second,
		RPCTimeout:      5 * time.Second,
		InitTimeout:     10 * time.Second,
		TopologyTimeout: 5 * time.Second,
		ThreadPerServer: true,
		RaisePriority:   20,
	}
}

// ErrConfig wraps configuration errors (exit status 254 at the CLI).
var ErrConfig = errors.New("runner: bad configuration")

func (c *Config) validate() error {
	d := DefaultConfig()
	if c.Workload == "" {
		c.Workload = d.Workload
	}
	if c.Workload != "broadcast" {
		return fmt.Errorf("%w: workload %q: only broadcast is supported", ErrConfig, c.Workload)
	}
	if c.Bin == "" {
		return fmt.Errorf("%w: no --bin", ErrConfig)
	}
	if len(c.Nodes) == 0 {
		c.Nodes = d.Nodes
	}
	seen := map[string]bool{}
	for _, n := range c.Nodes {
		if n == "" || seen[n] {
			return fmt.Errorf("%w: bad or duplicate node id %q", ErrConfig, n)
		}
		seen[n] = true
	}
	if c.Concurrency == 0 {
		c.Concurrency = len(c.Nodes)
	}
	if c.Concurrency < 1 {
		return fmt.Errorf("%w: concurrency %d", ErrConfig, c.Concurrency)
	}
	if c.TimeLimit <= 0 {
		c.TimeLimit = d.TimeLimit
	}
	if c.Rate < 0 {
		return fmt.Errorf("%w: negative rate", ErrConfig)
	}
	if c.LatencyDist == "" {
		c.LatencyDist = d.LatencyDist
	}
	if c.Topology == "" {
		c.Topology = d.Topology
	}
	if _, err := topology.Build(c.Topology, c.Nodes); err != nil {
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	for _, f := range c.Nemesis {
		switch f {
		case nemesis.FaultPartition, nemesis.FaultKill, nemesis.FaultKillAll, nemesis.FaultPause:
		default:
			return fmt.Errorf("%w: unknown nemesis fault %q", ErrConfig, f)
		}
	}
	if err := validTargets(c.NemesisTargets, c.Nodes); err != nil {
		return err
	}
	if c.NemesisInterval <= 0 {
		c.NemesisInterval = d.NemesisInterval
	}
	if err := (checker.Config{Availability: c.Availability}).Validate(); err != nil {
		return fmt.Errorf("%w: --availability: %v", ErrConfig, err)
	}
	if c.HistoryFormat == "" {
		c.HistoryFormat = results.FormatFull
	}
	if _, ok := results.HistoryFiles[c.HistoryFormat]; !ok {
		return fmt.Errorf("%w: history format %q (want %s or %s)", ErrConfig, c.HistoryFormat, results.FormatFull, results.FormatDelta)
	}
	if c.StoreDir == "" {
		c.StoreDir = "store"
	}
	if c.RecoveryWait < 0 {
		c.RecoveryWait = 0
	} else if c.RecoveryWait == 0 {
		c.RecoveryWait = d.RecoveryWait
	}
	if c.RPCTimeout <= 0 {
		c.RPCTimeout = d.RPCTimeout
	}
	if c.InitTimeout <= 0 {
		c.InitTimeout = d.InitTimeout
	}
	if c.TopologyTimeout <= 0 {
		c.TopologyTimeout = d.TopologyTimeout
	}
	if c.Stdout == nil {
		c.Stdout = os.Stdout
	}
	if c.Console == nil {
		c.Console = os.Stderr
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = 5 * time.Second
	}
	return nil
}
