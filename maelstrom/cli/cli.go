package cli

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"broadcast/maelstrom/results"
	"broadcast/maelstrom/runner"
)

// ErrHelp is returned when --help (or -h, or help) was given.
var ErrHelp = errors.New("cli: help requested")

// ErrUsage wraps every argument error (exit status 254).
var ErrUsage = errors.New("cli: bad arguments")

// Workloads are the workloads Maelstrom knows; only broadcast runs here.
var Workloads = []string{"broadcast", "echo", "g-counter", "g-set", "kafka", "lin-kv", "pn-counter", "txn-list-append", "txn-rw-register", "unique-ids"}

// Topologies are the accepted --topology values.
var Topologies = []string{"grid", "line", "total", "tree", "tree2", "tree3", "tree4"}

// Faults are the accepted --nemesis faults (Maelstrom accepts only
// partition; kill, kill-all and pause are bench extensions).
var Faults = []string{"partition", "kill", "kill-all", "pause"}

// Options is a parsed `test` command line: the run's configuration, which
// every option sets directly (a new option is one entry in specs and, if
// the run needs it, one field in runner.Config), plus what only the CLI
// uses.
type Options struct {
	// Config is the run: --bin, the positional Args, the resolved Nodes and
	// Concurrency, and every other run option, over runner.DefaultConfig.
	runner.Config
	// Command is the subcommand ("test").
	Command string
	// TestCount is --test-count.
	TestCount int
	// SeedSet says whether --seed was given.
	SeedSet bool
	// LeaveDBRunning is --leave-db-running (accepted, not supported).
	LeaveDBRunning bool
}

type spec struct {
	long, short string
	value       string // metavar; "" for a flag
	help        string
	apply       func(o *raw, v string) error
}

// raw holds options before post-processing.
type raw struct {
	Options
	workloadSet  bool
	node         []string
	nodes        []string
	nodesFile    string
	nodeCount    int
	concurrency  string
	nemesisGiven bool
}

var specs = []spec{
	{"help", "h", "", "Print out this message and exit", nil},
	{"workload", "w", "NAME", "What workload to run (only broadcast here).", func(o *raw, v string) error {
		o.Workload, o.workloadSet = v, true
		return nil
	}},
	{"bin", "", "FILE", "Path to binary which runs a node", func(o *raw, v string) error { o.Bin = v; return nil }},
	{"node", "n", "HOSTNAME", "Node(s) to run test on. Flag may be submitted many times, with one node per flag.", func(o *raw, v string) error {
		o.node = append(o.node, v)
		return nil
	}},
	{"nodes", "", "NODE_LIST", "Comma-separated list of node hostnames.", func(o *raw, v string) error {
		o.nodes = javaSplit(`,\s*`, v)
		return nil
	}},
	{"nodes-file", "", "FILENAME", "File containing node hostnames, one per line.", func(o *raw, v string) error { o.nodesFile = v; return nil }},
	{"node-count", "", "NUM", "How many nodes to run. Overrides --nodes, if given.", func(o *raw, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return parseErr("--node-count", v, err)
		}
		if n <= 0 || n > 100000 {
			return invalid("--node-count", v, "Must be positive.")
		}
		o.nodeCount = int(n)
		return nil
	}},
	{"concurrency", "", "NUMBER", "How many workers should we run? Must be an integer, optionally followed by n (e.g. 3n) to multiply by the number of nodes.", func(o *raw, v string) error {
		if !regexp.MustCompile(`^\d+n?$`).MatchString(v) {
			return invalid("--concurrency", v, "Must be an integer, optionally followed by n.")
		}
		o.concurrency = v
		return nil
	}},
	{"time-limit", "", "SECONDS", "Excluding setup and teardown, how long should a test run for, in seconds?", func(o *raw, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return parseErr("--time-limit", v, err)
		}
		if n <= 0 {
			return invalid("--time-limit", v, "Must be positive")
		}
		o.TimeLimit = time.Duration(n) * time.Second
		return nil
	}},
	{"rate", "", "RATE", "Approximate number of request/sec", func(o *raw, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return parseErr("--rate", v, err)
		}
		if f < 0 {
			return invalid("--rate", v, "Can't be negative")
		}
		o.Rate = f
		return nil
	}},
	{"latency", "", "MILLIS", "Mean network latency under normal operation, in ms", func(o *raw, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return parseErr("--latency", v, err)
		}
		if n < 0 || n > 1e9 {
			return invalid("--latency", v, "Must be non-negative")
		}
		o.Latency = int(n)
		return nil
	}},
	{"latency-dist", "", "TYPE", "Kind of latency distribution to use: constant, uniform or exponential.", func(o *raw, v string) error {
		if v != "constant" && v != "uniform" && v != "exponential" {
			return invalid("--latency-dist", v, "Must be constant, uniform, or exponential")
		}
		o.LatencyDist = v
		return nil
	}},
	{"topology", "", "SPEC", "What kind of network topology to offer to nodes: " + strings.Join(Topologies, ", ") + ".", func(o *raw, v string) error {
		if !contains(Topologies, v) {
			return invalid("--topology", v, "Must be one of "+strings.Join(Topologies, ", "))
		}
		o.Topology = v
		return nil
	}},
	{"nemesis", "", "FAULTS", "A comma-separated list of faults to inject: partition (Maelstrom's only fault), and this bench's kill, kill-all and pause.", func(o *raw, v string) error {
		o.Nemesis = nil
		for _, f := range javaSplit(`\s*,\s*`, v) {
			if !contains(Faults, f) {
				return invalid("--nemesis", v, "Must be one of "+strings.Join(Faults, ", "))
			}
			if !contains(o.Nemesis, f) {
				o.Nemesis = append(o.Nemesis, f)
			}
		}
		o.nemesisGiven = true
		return nil
	}},
	{"nemesis-interval", "", "SECONDS", "How many seconds between nemesis operations, on average?", func(o *raw, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return parseErr("--nemesis-interval", v, err)
		}
		if f <= 0 {
			return invalid("--nemesis-interval", v, "Must be positive")
		}
		o.NemesisInterval = time.Duration(f * float64(time.Second))
		return nil
	}},
	{"nemesis-targets", "", "NODES", "Comma-separated nodes that kill and pause aim at (one of them at random each time); default any node. Partitions and kill-all ignore it.", func(o *raw, v string) error {
		o.NemesisTargets = nil
		for _, n := range javaSplit(`\s*,\s*`, v) {
			if n != "" && !contains(o.NemesisTargets, n) {
				o.NemesisTargets = append(o.NemesisTargets, n)
			}
		}
		if len(o.NemesisTargets) == 0 {
			return invalid("--nemesis-targets", v, "Must name at least one node")
		}
		return nil
	}},
	{"availability", "", "EXPECTED", "The fraction of client requests which must succeed. Either a number from 0 to 1 or total. If omitted, always valid.", func(o *raw, v string) error {
		if v != "total" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				return invalid("--availability", v, "must be either 'total' or a number between 0 and 1.")
			}
		}
		o.Availability = v
		return nil
	}},
	{"log-stderr", "", "", "Whether to log debugging output from nodes", func(o *raw, _ string) error { o.LogStderr = true; return nil }},
	{"log-net-send", "", "", "Log packets as they're sent", func(o *raw, _ string) error { o.LogNetSend = true; return nil }},
	{"log-net-recv", "", "", "Log packets as they're received", func(o *raw, _ string) error { o.LogNetRecv = true; return nil }},
	{"test-count", "", "NUMBER", "How many times should we repeat a test?", func(o *raw, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return parseErr("--test-count", v, err)
		}
		if n <= 0 {
			return invalid("--test-count", v, "Must be positive")
		}
		o.TestCount = int(n)
		return nil
	}},
	{"history-format", "", "FORMAT", "(maelstrom-local) " + results.FormatFull + " (default): Maelstrom's history.txt and history.edn, and history.json; " + results.FormatDelta + ": history.delta.jsonl only, each read stored as the change since the node's previous read (for long runs, whose full histories are gigabytes).", func(o *raw, v string) error {
		if _, ok := results.HistoryFiles[v]; !ok {
			return invalid("--history-format", v, "Must be "+results.FormatFull+" or "+results.FormatDelta)
		}
		o.HistoryFormat = v
		return nil
	}},
	{"cpuprofile", "", "FILE", "(maelstrom-local) Write a Go CPU profile of the bench itself (not the nodes) over the run and its analysis to FILE, for `go tool pprof`.", func(o *raw, v string) error {
		o.CPUProfile = v
		return nil
	}},
	{"seed", "", "SEED", "(maelstrom-local) Seed for every random choice: latencies, op mix and timing, partitions, kill targets. Default: random, printed.", func(o *raw, v string) error {
		if u, err := strconv.ParseUint(v, 10, 64); err == nil {
			o.Seed, o.SeedSet = u, true
			return nil
		}
		i, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return parseErr("--seed", v, err)
		}
		o.Seed, o.SeedSet = uint64(i), true
		return nil
	}},
	{"sample-procs", "", "INTERVAL", "(maelstrom-local) Sample every node process's resident memory, threads and open file descriptors at this interval (seconds, or a Go duration such as 10s), into procs.jsonl and procs-*.png in the run directory, and print the soak figures. Default: off.", func(o *raw, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			f, ferr := strconv.ParseFloat(v, 64)
			if ferr != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return parseErr("--sample-procs", v, err)
			}
			d = time.Duration(f * float64(time.Second))
		}
		if d <= 0 {
			return invalid("--sample-procs", v, "Must be positive")
		}
		o.SampleProcs = d
		return nil
	}},
	{"leave-db-running", "", "", "Leave the database running at the end of the test (accepted; maelstrom-local always stops its nodes).", func(o *raw, _ string) error { o.LeaveDBRunning = true; return nil }},
	// jepsen options Maelstrom inherits and ignores for local processes.
	{"username", "", "USER", "Ignored (jepsen SSH option).", func(*raw, string) error { return nil }},
	{"password", "", "PASS", "Ignored (jepsen SSH option).", func(*raw, string) error { return nil }},
	{"strict-host-key-checking", "", "", "Ignored (jepsen SSH option).", func(*raw, string) error { return nil }},
	{"no-ssh", "", "", "Ignored (jepsen SSH option).", func(*raw, string) error { return nil }},
	{"ssh-private-key", "", "FILE", "Ignored (jepsen SSH option).", func(*raw, string) error { return nil }},
	{"logging-json", "", "", "Ignored.", func(*raw, string) error { return nil }},
	{"consistency-models", "", "MODELS", "Ignored (other workloads).", func(*raw, string) error { return nil }},
	{"key-count", "", "INT", "Ignored (other workloads).", func(*raw, string) error { return nil }},
	{"max-txn-length", "", "INT", "Ignored (other workloads).", func(*raw, string) error { return nil }},
	{"max-writes-per-key", "", "INT", "Ignored (other workloads).", func(*raw, string) error { return nil }},
}

// javaSplit splits like Clojure's str/split (Java's String.split): trailing
// empty strings are dropped.
func javaSplit(re, s string) []string {
	parts := regexp.MustCompile(re).Split(s, -1)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func invalid(opt, v, why string) error {
	return fmt.Errorf("%w: Failed to validate \"%s %s\": %s", ErrUsage, opt, v, why)
}

func parseErr(opt, v string, err error) error {
	if err == nil {
		err = errors.New("not a finite number")
	}
	return fmt.Errorf("%w: Error while parsing option \"%s %s\": %v", ErrUsage, opt, v, err)
}

func lookup(long, short string) *spec {
	for i := range specs {
		if (long != "" && specs[i].long == long) || (short != "" && specs[i].short == short) {
			return &specs[i]
		}
	}
	return nil
}

// Parse parses argv (without the program name): a subcommand ("test"),
// then options and positional arguments in any order.
func Parse(argv []string) (Options, error) {
	if len(argv) == 0 {
		return Options{}, fmt.Errorf("%w: no command given; try `maelstrom-local test -w broadcast --bin PATH`", ErrUsage)
	}
	switch argv[0] {
	case "--help", "-h", "help":
		return Options{}, ErrHelp
	case "test":
	default:
		return Options{}, fmt.Errorf("%w: unknown command %q (`test` and `serve` are supported)", ErrUsage, argv[0])
	}
	o := &raw{}
	o.Config = runner.DefaultConfig()
	o.Command = "test"
	o.Workload = "lin-kv"
	o.Nodes = nil
	o.HistoryFormat = results.FormatFull
	o.TestCount = 1
	o.concurrency = "1n"
	var errs []string
	help := false
	args := argv[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			o.Args = append(o.Args, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			o.Args = append(o.Args, a)
			continue
		}
		var s *spec
		var val string
		hasVal := false
		if strings.HasPrefix(a, "--") {
			name := a[2:]
			if k := strings.IndexByte(name, '='); k >= 0 {
				name, val, hasVal = name[:k], name[k+1:], true
			}
			s = lookup(name, "")
		} else {
			s = lookup("", a[1:2])
			if len(a) > 2 {
				val, hasVal = a[2:], true
				if strings.HasPrefix(val, "=") {
					val = val[1:]
				}
			}
		}
		if s == nil {
			errs = append(errs, fmt.Sprintf("Unknown option: %q", a))
			continue
		}
		if s.long == "help" {
			help = true
			continue
		}
		if s.value == "" {
			if hasVal {
				errs = append(errs, fmt.Sprintf("Option --%s takes no argument: %q", s.long, a))
				continue
			}
			s.apply(o, "")
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				errs = append(errs, fmt.Sprintf("Missing required argument for \"--%s %s\"", s.long, s.value))
				continue
			}
			i++
			val = args[i]
		}
		if err := s.apply(o, val); err != nil {
			errs = append(errs, strings.TrimPrefix(err.Error(), ErrUsage.Error()+": "))
		}
	}
	if help {
		return o.Options, ErrHelp
	}
	if len(errs) > 0 {
		return o.Options, fmt.Errorf("%w: %s", ErrUsage, strings.Join(errs, "\n"))
	}
	if err := o.finish(); err != nil {
		return o.Options, err
	}
	return o.Options, nil
}

// finish resolves nodes and concurrency and checks cross-option rules, in
// Maelstrom's order (node-count, then jepsen's parse-nodes and
// parse-concurrency).
func (o *raw) finish() error {
	if o.Bin == "" {
		return fmt.Errorf("%w: Expected a --bin PATH_TO_BINARY to test", ErrUsage)
	}
	if !contains(Workloads, o.Workload) {
		return fmt.Errorf("%w: Failed to validate \"-w %s\": Must be one of %s", ErrUsage, o.Workload, strings.Join(Workloads, ", "))
	}
	if o.Workload != "broadcast" {
		why := "the default workload is lin-kv; pass -w broadcast"
		if o.workloadSet {
			why = "maelstrom-local only implements the broadcast workload"
		}
		return fmt.Errorf("%w: workload %s is not supported (%s)", ErrUsage, o.Workload, why)
	}
	nodes := o.nodes
	if o.nodeCount > 0 {
		nodes = make([]string, o.nodeCount)
		for i := range nodes {
			nodes[i] = "n" + strconv.Itoa(i)
		}
	}
	var fileNodes []string
	if o.nodesFile != "" {
		b, err := os.ReadFile(o.nodesFile)
		if err != nil {
			return fmt.Errorf("%w: --nodes-file: %v", ErrUsage, err)
		}
		for _, l := range regexp.MustCompile(`\s*\n\s*`).Split(strings.TrimSpace(string(b)), -1) {
			if l != "" {
				fileNodes = append(fileNodes, l)
			}
		}
	}
	node := o.node
	if node == nil && nodes == nil && fileNodes == nil {
		node = []string{"n1", "n2", "n3", "n4", "n5"}
	}
	all := append(append(append([]string{}, fileNodes...), nodes...), node...)
	seen := map[string]bool{}
	for _, n := range all {
		if n == "" {
			return fmt.Errorf("%w: empty node name", ErrUsage)
		}
		if seen[n] {
			return fmt.Errorf("%w: node %s given twice", ErrUsage, n)
		}
		seen[n] = true
	}
	o.Nodes = all
	for _, t := range o.NemesisTargets {
		if !seen[t] {
			return fmt.Errorf("%w: --nemesis-targets: unknown node %s (the nodes are %s)", ErrUsage, t, strings.Join(all, ", "))
		}
	}
	k, _ := strconv.Atoi(strings.TrimSuffix(o.concurrency, "n"))
	if strings.HasSuffix(o.concurrency, "n") {
		k *= len(all)
	}
	if k < 1 {
		return fmt.Errorf("%w: --concurrency %s gives no workers", ErrUsage, o.concurrency)
	}
	o.Concurrency = k
	return nil
}

// Usage returns the help text.
func Usage() string {
	var b strings.Builder
	b.WriteString(`Usage: maelstrom-local test -w broadcast --bin PATH [OPTIONS ...] [-- NODE ARGS ...]

Runs Maelstrom's broadcast workload against a node binary, locally, the way
Maelstrom 0.2.x does, and exits with a status code:

  0     The run is valid
  1     The run is invalid
  2     Validity unknown, or the bench itself failed
  254   Invalid arguments
  255   The run aborted (node crash, init or topology failure)

Results go to store/broadcast/<time>/ (store/latest points at the newest).
Options may appear anywhere; non-option words and everything after -- are
passed to the binary. The nodes get MAELSTROM_RUN_DIR=<run directory> in
their environment (a maelstrom-local extension).

Options:
`)
	for _, s := range specs {
		if strings.HasPrefix(s.help, "Ignored") {
			continue
		}
		left := "    --" + s.long
		if s.short != "" {
			left = "-" + s.short + ", --" + s.long
		}
		if s.value != "" {
			left += " " + s.value
		}
		fmt.Fprintf(&b, "  %-32s %s\n", left, s.help)
	}
	b.WriteString("\nDefaults: -w lin-kv (so pass -w broadcast), nodes n1..n5 (n0..n(N-1) with\n--node-count N), --concurrency 1n, --time-limit 60, --rate 5, --latency 0,\n--latency-dist constant, --topology grid, --nemesis-interval 10, --test-count 1.\n")
	b.WriteString("jepsen's SSH options (--username, --no-ssh, ...) are accepted and ignored.\n")
	return b.String()
}
