// Command broadcast is a Maelstrom node for the broadcast workload (Fly.io
// Gossip Glomers 3a-3e). It reads Maelstrom messages as JSON lines on stdin,
// writes its messages to stdout and logs to stderr. See package node.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"broadcast/gossip"
	"broadcast/node"
)

const usageText = `Usage: broadcast [flags]

A Maelstrom broadcast node: JSON messages on stdin, replies and gossip on
stdout, logs on stderr. Every flag can also be set by the environment
variable shown; a flag given on the command line wins.

By hand:
  echo '{"src":"c1","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}' | broadcast

Data directory (durability disk), chosen at init when the node id is known:
  1. -data-dir DIR or BROADCAST_DATA_DIR: DIR/<node-id>, kept across runs;
     a node restarted with the same DIR recovers its values.
  2. else MAELSTROM_RUN_DIR (set by the local bench, unique per run):
     $MAELSTROM_RUN_DIR/data/<node-id>.
  3. else (real Maelstrom): $TMPDIR/broadcast-<parent pid>-<parent start
     time>/<node-id>. A node restarted by the same parent recovers; an init
     whose envelope id is below the node count marks a new network and the
     state found there is discarded; directories of parents that are gone
     are removed at init.

Flags:
`

// envFlag describes one flag and the environment variable that sets its default.
type envFlag struct {
	name, env, usage string
}

// gcPercent is the node's GOGC unless the environment sets one: the heap
// may grow to 1.5 times the live data between collections instead of 2
// times. The node's live data grows with the values it holds, so this
// bounds its resident memory per value; the price is more frequent
// collections of a small heap.
const gcPercent = 50

// maxProcs is the node's GOMAXPROCS unless the environment sets one. The
// node's goroutines (reader, owner, writer, the store's syncer) hand each
// message on through channels, and with a P per core a hand-off may wake
// another OS thread: on a machine that runs a whole cluster, that costs
// more than the work (the README's Results give the node CPU both ways).
// The state has one owner goroutine anyway, stdin is read through the
// runtime's poller, and the runtime hands the P of a goroutine blocked in
// fsync to the others.
const maxProcs = 1

// applyRuntimeDefaults sets the node's GOGC and GOMAXPROCS unless the
// environment (getenv) sets them.
func applyRuntimeDefaults(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(maxProcs)
	}
}

func main() {
	applyRuntimeDefaults(os.Getenv)
	os.Exit(run(os.Args[1:], os.Getenv, os.Stderr))
}

// run parses args and the environment, runs the node on stdin/stdout and
// returns the exit status.
func run(args []string, getenv func(string) string, stderr io.Writer) int {
	logger := log.New(stderr, "", log.Ltime|log.Lmicroseconds)
	cfg, err := parseConfig(args, getenv, stderr, logger.Printf)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "broadcast: %v\n", err)
		return 2
	}
	n, err := node.New(cfg, node.NewStdio(openStdin(), os.Stdout))
	if err != nil {
		fmt.Fprintf(stderr, "broadcast: %v\n", err)
		return 2
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		logger.Printf("broadcast: %v: stopping", sig)
		go func() {
			time.Sleep(3 * time.Second)
			logger.Printf("broadcast: stop took over 3s (input not interruptible?); exiting")
			os.Exit(1)
		}()
		n.Stop()
	}()
	if err := n.Run(); err != nil {
		fmt.Fprintf(stderr, "broadcast: %v\n", err)
		return 1
	}
	return 0
}

// parseConfig turns flags and environment into a node.Config.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer, logf func(string, ...any)) (node.Config, error) {
	cfg := node.DefaultConfig()
	fs := flag.NewFlagSet("broadcast", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}

	def := func(f envFlag, fallback string) string {
		if v := getenv(f.env); v != "" {
			return v
		}
		return fallback
	}
	str := func(name, env, fallback, usage string) *string {
		f := envFlag{name, env, usage}
		return fs.String(name, def(f, fallback), fmt.Sprintf("%s (env %s)", usage, env))
	}
	dataDir := str("data-dir", "BROADCAST_DATA_DIR", "", "base directory of node data (rule 1 above)")
	durability := str("durability", "BROADCAST_DURABILITY", cfg.Durability.String(), "disk: ack and show values once fsynced; none: memory only, at once")
	logLevel := str("log-level", "BROADCAST_LOG_LEVEL", cfg.LogLevel.String(), "error|warn|info|debug (debug explains every decision)")
	tick := str("tick", "BROADCAST_TICK", cfg.TickInterval.String(), "real time per gossip tick")
	deadline := str("client-reply-deadline", "BROADCAST_CLIENT_REPLY_DEADLINE", cfg.ClientReplyDeadline.String(), "never answer a client later than this after its request")
	maxLine := str("max-line-bytes", "BROADCAST_MAX_LINE_BYTES", strconv.Itoa(cfg.MaxLineBytes), "longest inbound line parsed; longer ones are skipped")
	strategy := str("strategy", "BROADCAST_STRATEGY", "relay", "how values spread: relay (a star whose hub fails over), star (the fixed overlay below, for comparison) or direct (every value from its origin to every node)")
	lfDefault, _ := strconv.ParseBool(getenv("BROADCAST_LATENCY_FIRST"))
	latencyFirst := fs.Bool("latency-first", lfDefault, "the latency-first setting: strategy direct (one hop, about N-1 messages per broadcast) (env BROADCAST_LATENCY_FIRST)")
	window := str("window-ticks", "BROADCAST_WINDOW_TICKS", strconv.Itoa(cfg.Gossip.WindowTicks), "relay strategy: batching window in ticks (higher: fewer messages, more latency)")
	overlay := str("overlay", "BROADCAST_OVERLAY", "tree", "star strategy: push graph: tree (from node ids), given (Maelstrom's topology) or full")
	fanout := str("tree-fanout", "BROADCAST_TREE_FANOUT", strconv.Itoa(cfg.Gossip.TreeFanout), "branching of the tree overlay (0: star)")
	relay := str("relay-ticks", "BROADCAST_RELAY_TICKS", strconv.Itoa(cfg.Gossip.RelayTicks), "ticks a relayed value may wait before its batch is sent")
	suspect := str("suspect-ticks", "BROADCAST_SUSPECT_TICKS", strconv.Itoa(cfg.Gossip.SuspectTicks), "star strategy: ticks an upload may go unacknowledged before the hub is suspected and values go to every node directly (0: off; -1: automatic, 75); faster spread inside a partition, 2-3.5x the messages while it lasts")
	syncTicks := str("sync-ticks", "BROADCAST_SYNC_TICKS", strconv.Itoa(cfg.Gossip.SyncTicks), "base anti-entropy interval in ticks")
	seed := str("seed", "BROADCAST_SEED", "0", "gossip random seed (0: derived from the node id)")

	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		logf("broadcast: ignoring positional arguments %q", fs.Args())
	}

	var errs []error
	check := func(what string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("-%s: %w", what, err))
		}
	}
	var err error
	cfg.DataDir = *dataDir
	cfg.RunDir = getenv("MAELSTROM_RUN_DIR")
	cfg.Durability, err = node.ParseDurability(*durability)
	check("durability", err)
	cfg.LogLevel, err = node.ParseLevel(*logLevel)
	check("log-level", err)
	cfg.TickInterval, err = positiveDuration(*tick)
	check("tick", err)
	cfg.ClientReplyDeadline, err = positiveDuration(*deadline)
	check("client-reply-deadline", err)
	cfg.MaxLineBytes, err = strconv.Atoi(*maxLine)
	check("max-line-bytes", err)
	cfg.Gossip.Strategy, err = choice(*strategy, map[string]gossip.Strategy{
		"relay": gossip.StrategyRelay, "star": gossip.StrategyStar, "direct": gossip.StrategyDirect})
	check("strategy", err)
	if *latencyFirst {
		cfg.Gossip.Strategy = gossip.StrategyDirect
	}
	cfg.Gossip.WindowTicks, err = strconv.Atoi(*window)
	check("window-ticks", err)
	cfg.Gossip.Overlay, err = choice(*overlay, map[string]gossip.Overlay{
		"tree": gossip.OverlayTree, "given": gossip.OverlayGiven, "full": gossip.OverlayFull})
	check("overlay", err)
	cfg.Gossip.TreeFanout, err = strconv.Atoi(*fanout)
	check("tree-fanout", err)
	cfg.Gossip.RelayTicks, err = strconv.Atoi(*relay)
	check("relay-ticks", err)
	cfg.Gossip.SyncTicks, err = strconv.Atoi(*syncTicks)
	check("sync-ticks", err)
	cfg.Gossip.SuspectTicks, err = strconv.Atoi(*suspect)
	check("suspect-ticks", err)
	if cfg.Gossip.MaxSyncTicks < cfg.Gossip.SyncTicks {
		cfg.Gossip.MaxSyncTicks = cfg.Gossip.SyncTicks
	}
	cfg.Gossip.Seed, err = strconv.ParseInt(*seed, 10, 64)
	check("seed", err)
	cfg.Logf = logf
	return cfg, errors.Join(errs...)
}

func positiveDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("%v is not positive", d)
	}
	return d, nil
}

// openStdin returns stdin as a file whose reads Stop can interrupt: a pipe
// or socket is switched to non-blocking mode so that Go's poller owns it and
// Close wakes a blocked read. Anything else is returned as is.
func openStdin() io.Reader {
	fi, err := os.Stdin.Stat()
	if err != nil || fi.Mode()&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		return os.Stdin
	}
	if err := syscall.SetNonblock(0, true); err != nil {
		return os.Stdin
	}
	return os.NewFile(0, "/dev/stdin")
}

// choice maps a flag's value (any case) to one of its named options, or
// says which names it takes.
func choice[T any](v string, options map[string]T) (T, error) {
	if o, ok := options[strings.ToLower(v)]; ok {
		return o, nil
	}
	names := make([]string, 0, len(options))
	for k := range options {
		names = append(names, k)
	}
	slices.Sort(names)
	var zero T
	return zero, fmt.Errorf("%q is not one of %s", v, strings.Join(names, ", "))
}
